/**
 * Compares two finished runs (e.g. the same scenario in exact and in leap mode) from their summary.json: energy,
 * throughput, mean and p99 response time, per client group and in total, with the relative difference of B
 * against A. Only what the summaries hold: a p99 over several groups cannot be pooled, so it is per group.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export class CompareInputError extends Error {
  override name = "CompareInputError";
}

interface MetricSummary {
  count: number;
  sum: number;
  mean: number | null;
  p99: number | null;
}

interface RunSummary {
  sim_time_s: number;
  /** Where the metrics' counts begin (absent in summaries written before it was added). */
  measured_from_s?: number;
  settings?: { warmup_s?: number };
  metrics: Record<string, Record<string, MetricSummary> | undefined>;
  thermodynamics: { heat: { energy_j: number; facility_energy_j: number; pue: number | null } };
}

export interface ComparedFigure {
  figure: string;
  a: number | null;
  b: number | null;
  /** (b − a) / a; null when either is missing or a is 0. */
  relative: number | null;
}

function readSummary(dir: string): RunSummary {
  const file = join(dir, "summary.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new CompareInputError(`${file}: cannot read it (is ${dir} a results directory?)`);
  }
  try {
    const s = JSON.parse(text) as RunSummary;
    if (typeof s.sim_time_s !== "number" || s.metrics === undefined || s.thermodynamics?.heat === undefined)
      throw new Error("not a run summary");
    return s;
  } catch (error) {
    throw new CompareInputError(`${file}: ${(error as Error).message}`);
  }
}

/** The figures of one run by name: energy, then per client group and pooled over groups. */
function figures(s: RunSummary): Map<string, number | null> {
  const out = new Map<string, number | null>();
  out.set("energy_j", s.thermodynamics.heat.energy_j);
  out.set("facility_energy_j", s.thermodynamics.heat.facility_energy_j);
  out.set("pue", s.thermodynamics.heat.pue);
  const groups = s.metrics.response_time_s ?? {};
  // The counts are of the metrics' window, after the warm-up (older summaries: from the warm-up's end).
  const seconds = s.sim_time_s - (s.measured_from_s ?? s.settings?.warmup_s ?? 0);
  let count = 0;
  let sum = 0;
  for (const [group, m] of Object.entries(groups).sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (m === undefined) continue;
    out.set(`throughput_per_s[${group}]`, seconds > 0 ? m.count / seconds : null);
    out.set(`mean_response_s[${group}]`, m.mean);
    out.set(`p99_response_s[${group}]`, m.p99);
    count += m.count;
    sum += m.sum;
  }
  out.set("throughput_per_s", seconds > 0 ? count / seconds : null);
  out.set("mean_response_s", count > 0 ? sum / count : null);
  return out;
}

export function compareRuns(dirA: string, dirB: string): ComparedFigure[] {
  const a = figures(readSummary(dirA));
  const b = figures(readSummary(dirB));
  const names = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  return names.map((figure) => {
    const x = a.get(figure) ?? null;
    const y = b.get(figure) ?? null;
    return { figure, a: x, b: y, relative: x !== null && y !== null && x !== 0 ? (y - x) / x : null };
  });
}

export function formatComparison(rows: readonly ComparedFigure[], dirA: string, dirB: string): string {
  const num = (v: number | null) => (v === null ? "-" : Number.isInteger(v) ? String(v) : v.toPrecision(6));
  const pct = (v: number | null) => (v === null ? "-" : `${v >= 0 ? "+" : ""}${(v * 100).toFixed(2)}%`);
  const table = [["figure", "A", "B", "B vs A"], ...rows.map((r) => [r.figure, num(r.a), num(r.b), pct(r.relative)])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
  );
  return [`A: ${dirA}`, `B: ${dirB}`, ...lines].join("\n");
}
