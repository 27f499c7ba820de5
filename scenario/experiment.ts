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
import { describe, MAX_LOAD_FACTOR, MAX_RATE_PER_S } from "../spec/limits.ts";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { z } from "zod";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { parseThreshold } from "../spec/threshold.ts";
import {
  EXPERIMENT_RESULTS_SCHEMA,
  type CommandSpec,
  type ExperimentRequest,
  type PlannedCheck,
  type PlannedFault,
  type PlannedLoad,
  type RawStep,
  type StepNote,
} from "../spec/experiment.ts";
import {
  FAULT_TYPES,
  UNSUPPORTED_FAULTS,
  emptySelector,
  type FaultAction,
  type FaultRequest,
  type FaultShorthand,
  type LoadChangeKind,
  type LoadRequest,
  type LoadTarget,
  type RequestIssue,
  type SelectorSpec,
} from "../spec/requests.ts";
import { formatPath, ScenarioError } from "./issues.ts";
import { bandwidth, duration } from "../spec/units.ts";

const nameMessage = "expected a name of letters, digits, '-' and '_'";
const name = z.string({ error: nameMessage }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: nameMessage });
const list = z.array(z.string({ error: "expected a string" }), { error: "expected a list of strings" });

export const selectorSchema = z
  .object({
    actors: list.default([]),
    kinds: list.default([]),
    groups: list.default([]),
    labels: z
      .record(z.string(), z.string({ error: "expected a string label value" }), {
        error: "expected a map of label names to values",
      })
      .default({}),
    links: list.default([]),
  })
  .strict();

const wholeNumber = (min: number) =>
  z
    .number({ error: `expected a whole number of at least ${min}` })
    .int({ error: `expected a whole number of at least ${min}` })
    .min(min, { error: `expected a whole number of at least ${min}` });
const probability = z
  .union([z.number(), z.string()], { error: 'expected a probability like 0.1 or "10%"' })
  .transform((v, ctx) => {
    const p =
      typeof v === "number"
        ? v
        : /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)
          ? Number(v.trim().replace(/\s*%$/, "")) / 100
          : Number.NaN;
    if (!(p >= 0 && p <= 1)) {
      ctx.addIssue({
        code: "custom",
        message: `expected a probability from 0 to 1 or a percentage (got ${JSON.stringify(v)})`,
      });
      return z.NEVER;
    }
    return p;
  });
const positiveNumber = (what: string) =>
  z
    .number({ error: `expected a positive ${what}` })
    .positive({ error: `expected a positive ${what}` })
    .finite();

/** When an entry happens: at a time, optionally again every so often (a number of times, or until the run ends). */
const when = {
  at: duration({ positive: false }),
  every: duration().optional(),
  repeat: wholeNumber(1).optional(),
};

const faultSchema = z
  .object({
    name: name.optional(),
    action: z.string({ error: "expected an action" }),
    selector: selectorSchema.prefault({}),
    mode: z
      .enum(["all", "one", "fixed", "fixed-percent"], { error: "expected one of all, one, fixed, fixed-percent" })
      .default("all"),
    value: z.number({ error: "expected a number" }).optional(),
    seed: wholeNumber(0).optional(),
    ...when,
    duration: duration().optional(),
    // action parameters
    latency: duration({ positive: false }).optional(),
    jitter: duration({ positive: false }).optional(),
    loss: probability.optional(),
    bandwidth: bandwidth().optional(),
    other: selectorSchema.optional(),
    /** clock-drift: parts per million the actors' clocks run fast (negative: slow). */
    drift_ppm: z.number({ error: "expected a drift in ppm, e.g. 50 or -20" }).optional(),
    command: z.string({ error: "expected a command name" }).optional(),
    args: z.record(z.string(), z.unknown(), { error: "expected a map of arguments" }).optional(),
    clear: z
      .object({
        command: z.string({ error: "expected a command name" }),
        args: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const loadTargetFields = {
  rate_per_s: positiveNumber("rate per second")
    .max(MAX_RATE_PER_S, { error: `expected a rate ${describe.rate}` })
    .optional(),
  /** k6's name for the rate a stage ramps to. */
  target: positiveNumber("rate per second")
    .max(MAX_RATE_PER_S, { error: `expected a rate ${describe.rate}` })
    .optional(),
  factor: positiveNumber("factor")
    .max(MAX_LOAD_FACTOR, { error: `expected a factor ${describe.factor}` })
    .optional(),
};

const loadSchema = z
  .object({
    name: name.optional(),
    selector: selectorSchema.prefault({}),
    ...when,
    step: duration().optional(),
    set: z.object(loadTargetFields).strict().optional(),
    ramp: z
      .object({ ...loadTargetFields, duration: duration() })
      .strict()
      .optional(),
    spike: z
      .object({ ...loadTargetFields, duration: duration() })
      .strict()
      .optional(),
    stages: z
      .array(z.object({ ...loadTargetFields, duration: duration() }).strict(), {
        error: "expected a list of stages {duration, factor | rate_per_s}",
      })
      .optional(),
    /** A new open-loop arrival process ({process: poisson | mmpp | diurnal, ...}), checked when the load is planned. */
    curve: z.unknown().optional(),
  })
  .strict();

const checkSchema = z
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
const stepSchema = z
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

function repeat(entry: { at: number; every?: number; repeat?: number }) {
  return {
    atNs: entry.at,
    everyNs: entry.every ?? null,
    times: entry.repeat ?? (entry.every === undefined ? 1 : null),
  };
}

function selector(s: z.output<typeof selectorSchema> | undefined): SelectorSpec {
  return s === undefined
    ? emptySelector()
    : { actors: s.actors, kinds: s.kinds, groups: s.groups, labels: s.labels, links: s.links };
}

/** Action parameters each action takes (the others must be absent). */
const ACTION_FIELDS: Record<string, readonly string[]> = {
  "actor-crash": [],
  "actor-pause": [],
  "link-down": [],
  delay: ["latency", "jitter"],
  loss: ["loss"],
  bandwidth: ["bandwidth"],
  partition: ["other"],
  "clock-drift": ["drift_ppm"],
  command: ["command", "args", "clear"],
};
const PARAM_FIELDS = [
  "latency",
  "jitter",
  "loss",
  "bandwidth",
  "other",
  "drift_ppm",
  "command",
  "args",
  "clear",
] as const;

function faultRequest(
  f: z.output<typeof faultSchema>,
  defaultName: string,
  path: string,
  shorthands: Readonly<Record<string, FaultShorthand>>,
  issues: RequestIssue[],
): FaultRequest | undefined {
  const before = issues.length;
  let type = f.action;
  let command = f.command;
  let clear = f.clear;
  const shorthand = Object.hasOwn(shorthands, type) ? shorthands[type] : undefined;
  if (shorthand !== undefined) {
    type = "command";
    command ??= shorthand.command;
    clear ??= { command: shorthand.clear };
  }
  if (UNSUPPORTED_FAULTS[type] !== undefined) {
    issues.push({ path: `${path}.action`, message: `${type} is not supported: ${UNSUPPORTED_FAULTS[type]}` });
    return undefined;
  }
  const allowed = ACTION_FIELDS[type];
  if (allowed === undefined) {
    issues.push({
      path: `${path}.action`,
      message: `unknown action "${f.action}"; expected one of ${[...FAULT_TYPES, ...Object.keys(shorthands)].join(", ")}`,
    });
    return undefined;
  }
  for (const key of PARAM_FIELDS)
    if (
      f[key] !== undefined &&
      !allowed.includes(key) &&
      !(shorthand !== undefined && (key === "args" || key === "command" || key === "clear"))
    )
      issues.push({ path: `${path}.${key}`, message: `not a parameter of ${f.action}` });
  if ((f.mode === "fixed" || f.mode === "fixed-percent") && f.value === undefined)
    issues.push({ path: `${path}.value`, message: `mode ${f.mode} needs a value` });
  if (f.every !== undefined && f.duration !== undefined && f.duration > f.every)
    issues.push({
      path: `${path}.duration`,
      message: "a repeating fault must clear before it repeats (duration <= every)",
    });
  let action: FaultAction;
  switch (type) {
    case "delay":
      if (f.latency === undefined && f.jitter === undefined)
        issues.push({
          path: `${path}.latency`,
          message: "a delay needs a latency (added to the link's) and/or a jitter",
        });
      action = { type, latencyNs: f.latency ?? 0, jitterNs: f.jitter ?? 0 };
      break;
    case "loss":
      if (f.loss === undefined)
        issues.push({ path: `${path}.loss`, message: "required: the probability a packet is lost" });
      action = { type, probability: f.loss ?? 0 };
      break;
    case "bandwidth":
      if (f.bandwidth === undefined)
        issues.push({ path: `${path}.bandwidth`, message: 'required: the capped bandwidth, e.g. "1Mbps"' });
      action = { type, bandwidthBps: f.bandwidth ?? 0 };
      break;
    case "partition":
      if (f.other === undefined)
        issues.push({ path: `${path}.other`, message: "required: the selector of the other side" });
      action = { type, other: selector(f.other) };
      break;
    case "clock-drift":
      if (f.drift_ppm === undefined)
        issues.push({
          path: `${path}.drift_ppm`,
          message: "required: how many ppm the clocks run fast (negative: slow)",
        });
      action = { type, ppm: f.drift_ppm ?? 0 };
      break;
    case "command":
      if (command === undefined)
        issues.push({ path: `${path}.command`, message: "required: the model command to send" });
      action = {
        type,
        command: command ?? "",
        args: f.args ?? {},
        clearCommand: clear?.command ?? null,
        clearArgs: clear?.args ?? {},
      };
      break;
    default:
      action = { type: type as "actor-crash" | "actor-pause" | "link-down" };
  }
  if (issues.length > before) return undefined;
  return {
    name: f.name ?? defaultName,
    selector: selector(f.selector),
    choice: { mode: f.mode, value: f.value ?? 0, seed: f.seed ?? null },
    action,
    durationNs: f.duration ?? null,
  };
}

function loadTarget(
  t: { rate_per_s?: number; target?: number; factor?: number },
  path: string,
  issues: RequestIssue[],
): LoadTarget {
  const given = [t.rate_per_s, t.target, t.factor].filter((x) => x !== undefined).length;
  if (given !== 1)
    issues.push({
      path,
      message: "give exactly one of factor (× the scenario's rate) or rate_per_s (the clients' total; k6's target)",
    });
  return t.factor !== undefined ? { factor: t.factor } : { ratePerS: t.rate_per_s ?? t.target ?? 0 };
}

function loadRequest(
  l: z.output<typeof loadSchema>,
  defaultName: string,
  path: string,
  issues: RequestIssue[],
): LoadRequest | undefined {
  const before = issues.length;
  const kinds = (["set", "ramp", "spike", "stages", "curve"] as const).filter((k) => l[k] !== undefined);
  if (kinds.length !== 1) {
    issues.push({ path, message: "give exactly one of set, ramp, spike, stages or curve" });
    return undefined;
  }
  let change: LoadChangeKind;
  if (l.set !== undefined) change = { type: "set", target: loadTarget(l.set, `${path}.set`, issues) };
  else if (l.ramp !== undefined)
    change = { type: "ramp", target: loadTarget(l.ramp, `${path}.ramp`, issues), durationNs: l.ramp.duration };
  else if (l.spike !== undefined)
    change = { type: "spike", target: loadTarget(l.spike, `${path}.spike`, issues), durationNs: l.spike.duration };
  else if (l.curve !== undefined) change = { type: "curve", arrivals: l.curve };
  else
    change = {
      type: "stages",
      stages: l.stages!.map((s, i) => ({
        target: loadTarget(s, `${path}.stages[${i}]`, issues),
        durationNs: s.duration,
      })),
    };
  if (issues.length > before) return undefined;
  return { name: l.name ?? defaultName, selector: selector(l.selector), stepNs: l.step ?? null, change };
}

function plannedCheck(
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

function rawStep(
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
