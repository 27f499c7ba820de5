/** An experiment's steady-state checks and its recorded steps (raw commands at exact times, for replays). */
import { z } from "zod";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import type { CommandSpec, PlannedCheck, RawStep, StepNote } from "../spec/experiment.ts";
import type { RequestIssue } from "../spec/requests.ts";
import { parseThreshold } from "../spec/threshold.ts";
import { duration } from "../spec/units.ts";
import { wholeNumber } from "./experiment-fields.ts";

export const checkSchema = z
  .object({
    name: z.string({ error: "expected a name" }).optional(),
    threshold: z.string({ error: 'expected a condition like "response_time_s p(99) < 50ms"' }),
    from: duration({ positive: false }).optional(),
    to: duration().optional(),
    before: z.string().optional(),
    during: z.string().optional(),
    after: z.string().optional(),
    for: duration().optional(),
    delay: duration({ positive: false }).optional(),
  })
  .strict();

const rawCommand = z.looseObject({
  link: z.looseObject({ link: wholeNumber(0) }).optional(),
  actor: z.looseObject({ actor: wholeNumber(0), command: z.string() }).optional(),
});

/** A recorded step: commands.json entries ({time_ns, seq, source, command}) or experiment.json replay steps. */
export const stepSchema = z
  .object({
    time_ns: wholeNumber(0),
    seq: z.number().optional(),
    source: z.string().optional(),
    command: rawCommand.optional(),
    commands: z.array(rawCommand).optional(),
    notes: z
      .array(
        z.looseObject({ type: z.enum(["fault-inject", "fault-clear", "load-start", "load-step"]), id: z.string() }),
      )
      .optional(),
  })
  .strict();

export function plannedCheck(
  c: z.output<typeof checkSchema>,
  index: number,
  path: string,
  issues: RequestIssue[],
): PlannedCheck | undefined {
  let threshold;
  try {
    threshold = parseThreshold(c.threshold);
  } catch (error) {
    issues.push({ path: `${path}.threshold`, message: (error as Error).message });
    return undefined;
  }
  const relative = (["before", "during", "after"] as const).filter((k) => c[k] !== undefined);
  if (relative.length > 1 || (relative.length === 1 && (c.from !== undefined || c.to !== undefined))) {
    issues.push({ path, message: "give one window: before, during or after a fault (with for/delay), or from/to" });
    return undefined;
  }
  const checkName = c.name ?? `check-${index + 1}`;
  if (relative.length === 0) {
    if (c.for !== undefined || c.delay !== undefined)
      issues.push({ path: `${path}.for`, message: "for and delay go with before, during or after" });
    if (c.to !== undefined && c.to <= (c.from ?? 0)) issues.push({ path: `${path}.to`, message: "must be after from" });
    return { name: checkName, threshold, path, window: { type: "absolute", fromNs: c.from ?? 0, toNs: c.to ?? null } };
  }
  const type = relative[0]!;
  if (type === "before" && c.for === undefined)
    issues.push({ path: `${path}.for`, message: "before needs for: how long the window before the fault is" });
  if (type === "before" && c.delay !== undefined)
    issues.push({ path: `${path}.delay`, message: "delay goes with during or after" });
  return {
    name: checkName,
    threshold,
    path,
    window: { type, of: c[type]!, forNs: c.for ?? null, delayNs: c.delay ?? 0 },
  };
}

export function rawStep(
  s: z.output<typeof stepSchema>,
  scenario: ResolvedScenario,
  path: string,
  issues: RequestIssue[],
): RawStep {
  const commands = [...(s.command === undefined ? [] : [s.command]), ...(s.commands ?? [])] as CommandSpec[];
  commands.forEach((c, i) => {
    const where =
      s.command !== undefined && i === 0
        ? `${path}.command`
        : `${path}.commands[${s.command === undefined ? i : i - 1}]`;
    if ((c.link == null) === (c.actor == null))
      issues.push({ path: where, message: "expected exactly one of link or actor" });
    if (c.link != null && (c.link.link ?? -1) >= scenario.links.length)
      issues.push({
        path: `${where}.link.link`,
        message: `no link ${c.link.link} (the scenario has ${scenario.links.length})`,
      });
    if (c.actor != null && (c.actor.actor ?? -1) >= scenario.actors.length)
      issues.push({
        path: `${where}.actor.actor`,
        message: `no actor ${c.actor.actor} (the scenario has ${scenario.actors.length})`,
      });
  });
  return { timeNs: s.time_ns, commands, notes: (s.notes ?? []) as unknown as StepNote[], path };
}
