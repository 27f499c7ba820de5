/**
 * `run.carbon`: the grid's carbon intensity (gCO₂e per kWh: a constant, a series of {at, g_per_kwh} steps, or a CSV
 * file `time,g_per_kwh` named relative to the scenario file) and embodied carbon per actor kind (kgCO₂e over a
 * lifetime in years, amortised linearly). The loader inlines the file, so hosts never read it.
 */
import { z } from "zod";
import type { CarbonSettings } from "../nodes/runtime/topology.ts";
import { readReferencedFile, type FileScope } from "./file-scope.ts";
import { duration } from "../spec/units.ts";

const grams = z
  .number({ error: "expected gCO2e per kWh (a number ≥ 0)" })
  .nonnegative({ error: "expected gCO2e per kWh (a number ≥ 0)" })
  .finite();
const step = z.object({ at: duration({ positive: false }), g_per_kwh: grams }).strict();

export const carbonSchema = z
  .object({
    intensity_g_per_kwh: z
      .union(
        [
          grams,
          z
            .array(step, { error: "expected a list of {at, g_per_kwh}" })
            .min(1, { error: "expected at least one step" }),
        ],
        { error: "expected a number or a list of {at, g_per_kwh}" },
      )
      .optional(),
    intensity_file: z.string({ error: "expected the path of a CSV file (relative to the scenario file)" }).optional(),
    /** Per actor kind (server, switch, ...): embodied kgCO2e, spread evenly over the lifetime. */
    embodied: z
      .record(
        z.string(),
        z
          .object({
            kg_co2e: z
              .number({ error: "expected kgCO2e (a number ≥ 0)" })
              .nonnegative({ error: "expected kgCO2e (a number ≥ 0)" })
              .finite(),
            lifetime_years: z
              .number({ error: "expected a positive number of years" })
              .positive({ error: "expected a positive number of years" })
              .finite(),
          })
          .strict(),
      )
      .default({}),
  })
  .strict()
  .refine((c) => (c.intensity_g_per_kwh === undefined) !== (c.intensity_file === undefined), {
    error: "give either intensity_g_per_kwh or intensity_file",
  });
export type CarbonInput = z.output<typeof carbonSchema>;

const SECONDS_PER_YEAR = 365.25 * 86400;

export function resolveCarbon(
  input: CarbonInput | undefined,
  files: FileScope,
  issues: { path: string; message: string }[],
): CarbonSettings | null {
  if (input === undefined) return null;
  let intensity: { atNs: number; gPerKwh: number }[] = [];
  if (typeof input.intensity_g_per_kwh === "number") intensity = [{ atNs: 0, gPerKwh: input.intensity_g_per_kwh }];
  else if (input.intensity_g_per_kwh !== undefined)
    intensity = input.intensity_g_per_kwh.map((s) => ({ atNs: s.at, gPerKwh: s.g_per_kwh }));
  else {
    const rows = readIntensityCsv(input.intensity_file!, files);
    for (const message of rows.problems) issues.push({ path: "run.carbon.intensity_file", message });
    intensity = rows.steps;
  }
  for (let i = 1; i < intensity.length; i++) {
    if (intensity[i]!.atNs < intensity[i - 1]!.atNs)
      issues.push({ path: "run.carbon.intensity_g_per_kwh", message: "times must not decrease" });
  }
  const embodiedGPerSByKind = Object.fromEntries(
    Object.entries(input.embodied).map(([kind, e]) => [
      kind,
      (e.kg_co2e * 1000) / (e.lifetime_years * SECONDS_PER_YEAR),
    ]),
  );
  return { intensity, embodiedGPerSByKind };
}

/** `time,g_per_kwh` rows (time in seconds or a duration); an optional header line; `#` comments. */
function readIntensityCsv(
  file: string,
  files: FileScope,
): { steps: { atNs: number; gPerKwh: number }[]; problems: string[] } {
  const read = readReferencedFile(files, file);
  if ("problem" in read) return { steps: [], problems: [read.problem] };
  const text = read.text;
  const steps: { atNs: number; gPerKwh: number }[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || (steps.length === 0 && /^[a-z_]+\s*,/i.test(line))) return;
    const [timeCell, valueCell] = line.split(",").map((c) => c.trim());
    const at = duration({ positive: false }).safeParse(
      /^\d+(\.\d+)?(e[+-]?\d+)?$/i.test(timeCell ?? "") ? Number(timeCell) : timeCell,
    );
    const value = grams.safeParse(Number(valueCell));
    if (!at.success) problems.push(`line ${i + 1}: time: ${at.error.issues[0]?.message ?? "invalid"}`);
    else if (valueCell === undefined || valueCell === "" || !value.success)
      problems.push(`line ${i + 1}: g_per_kwh: expected a number ≥ 0`);
    else steps.push({ atNs: at.data, gPerKwh: value.data });
  });
  if (steps.length === 0 && problems.length === 0) problems.push("the file has no rows");
  return { steps, problems };
}
