/**
 * The `experiment` section of a scenario (or a file of its own, `dctwin run --experiment FILE`): faults and load
 * changes at simulated times, with repeats, and steady-state checks — Chaos Mesh's actions and modes and k6's
 * stages and thresholds, in simulated time:
 *
 *   experiment:
 *     faults:
 *       - { name: cut, action: link-down, selector: { links: [users--web-1] }, at: 5s, duration: 2s }
 *       - { name: kill-one, action: actor-crash, selector: { kinds: [server] }, mode: one, at: 12s, duration: 1s, every: 20s }
 *     load:
 *       - { name: rush, selector: { actors: [users] }, at: 8s, stages: [{ duration: 2s, factor: 2 }, { duration: 3s, factor: 2 }] }
 *       - { name: evening, selector: { actors: [users] }, at: 20s, curve: { process: diurnal, mean_rate_per_s: 800, amplitude: 0.5, period: 60s } }
 *     checks:
 *       - { name: steady, threshold: "response_time_s p(99) < 50ms", before: cut, for: 3s }
 *       - { name: drops, threshold: "dropped_packets{link_down} count > 0", during: cut }
 *
 * A recorded run replays from its commands.json or experiment.json (`steps`: raw commands at exact times).
 */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { z } from "zod";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import {
  EXPERIMENT_RESULTS_SCHEMA,
  type ExperimentRequest,
  type PlannedCheck,
  type PlannedFault,
  type PlannedLoad,
  type RawStep,
} from "../spec/experiment.ts";
import type { FaultShorthand, RequestIssue } from "../spec/requests.ts";
import { faultRequest, faultSchema } from "./experiment-faults.ts";
import { repeat, wholeNumber } from "./experiment-fields.ts";
import { loadRequest, loadSchema } from "./experiment-load.ts";
import { checkSchema, plannedCheck, rawStep, stepSchema } from "./experiment-steps.ts";
import { formatPath, ScenarioError } from "./issues.ts";

export const experimentSchema = z
  .object({
    /** Seeds target choices (default: the run's seed). */
    seed: wholeNumber(0).optional(),
    faults: z.array(faultSchema, { error: "expected a list of faults" }).default([]),
    load: z.array(loadSchema, { error: "expected a list of load changes" }).default([]),
    checks: z.array(checkSchema, { error: "expected a list of checks" }).default([]),
    steps: z.array(stepSchema, { error: "expected a list of steps" }).default([]),
  })
  .strict();

export type ExperimentSpec = z.output<typeof experimentSchema>;

/**
 * Validates an experiment section against a resolved scenario into plain data (the coordinator plans it:
 * coordinator/control/experiment.ts); issues carry paths under `prefix`. Undefined when the section fails its
 * schema; otherwise the requests that are valid, so that planning them reports cross-reference problems in the
 * same report as the requests' own (pushed to `issues`).
 */
/** `shorthands`: the fault actions that stand for a model command (the kinds declare them). */
export function validateExperiment(
  raw: unknown,
  scenario: ResolvedScenario,
  prefix: string,
  shorthands: Readonly<Record<string, FaultShorthand>>,
  issues: RequestIssue[],
): ExperimentRequest | undefined {
  const parsed = experimentSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      issues.push({ path: formatPath([prefix, ...issue.path]), message: issue.message });
    return undefined;
  }
  const spec = parsed.data;
  const faults: PlannedFault[] = [];
  spec.faults.forEach((f, i) => {
    const path = `${prefix}.faults[${i}]`;
    const request = faultRequest(f, `${f.action}-${i + 1}`, path, shorthands, issues);
    if (request !== undefined) faults.push({ request, when: repeat(f), path });
  });
  const loads: PlannedLoad[] = [];
  spec.load.forEach((l, i) => {
    const path = `${prefix}.load[${i}]`;
    const request = loadRequest(l, `load-${i + 1}`, path, issues);
    if (request !== undefined) loads.push({ request, when: repeat(l), path });
  });
  const checks: PlannedCheck[] = [];
  spec.checks.forEach((c, i) => {
    const path = `${prefix}.checks[${i}]`;
    const check = plannedCheck(c, i, path, issues);
    if (check !== undefined) checks.push(check);
  });
  const raw_: RawStep[] = spec.steps.map((s, i) => rawStep(s, scenario, `${prefix}.steps[${i}]`, issues));
  const declared = new Set([
    ...spec.faults.map((f, i) => f.name ?? `${f.action}-${i + 1}`),
    ...spec.load.map((l, i) => l.name ?? `load-${i + 1}`),
  ]);
  return { seed: spec.seed ?? scenario.run.seed, faults, loads, checks, raw: raw_, declared };
}

/**
 * Reads an experiment file: a YAML/JSON experiment (optionally under `experiment:`), a commands.json, or an
 * experiment.json. Returns the section and the path prefix its issues carry; unreadable or malformed files throw.
 */
export function readExperimentFile(file: string): { raw: unknown; prefix: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ScenarioError(file, [
      { path: "", message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` },
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ScenarioError(file, [
      { path: "", message: `YAML syntax error: ${doc.errors[0]!.message.split("\n")[0]}` },
    ]);
  let raw: unknown = doc.toJS();
  let prefix = "experiment";
  if (Array.isArray(raw)) {
    raw = { steps: raw };
  } else if (isRecord(raw) && raw.schema === EXPERIMENT_RESULTS_SCHEMA) {
    raw = raw.replay;
    prefix = "replay";
  } else if (isRecord(raw) && "experiment" in raw && Object.keys(raw).length === 1) {
    raw = raw.experiment;
  }
  return { raw, prefix };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
