/**
 * Reads a scenario file, validates it (schema, then cross-references), and resolves it into the runtime's plain
 * form with integer nanoseconds. Every problem found is reported at once, each with its field path.
 */
import { resolveLeap } from "./leap-settings.ts";
import { resolveHybrid } from "./leap-hybrid.ts";
import { readBoundedFile } from "../nodes/runtime/files/bounded-file.ts";
import { LineCounter, parseDocument } from "yaml";
import { networkNodes, portsByActor, type LinkSpec, type ResolvedScenario } from "../nodes/runtime/topology.ts";
import { Router } from "../nodes/runtime/routing.ts";
import { assemble, resolveActor } from "./assemble.ts";
import { ScenarioError, zodIssues, type ValidationIssue } from "./issues.ts";
import { formatCount, MAX_ACTORS, MAX_LINKS, MAX_SCENARIO_BYTES, MAX_YAML_ALIASES } from "../spec/limits.ts";
import { fileScope, type FileScope } from "./file-scope.ts";
import type { KindCatalogue, LoadContext } from "./kinds.ts";
import { checkScenarioSize } from "./budget.ts";
import { validateExperiment } from "./experiment.ts";
import type { ExperimentRequest } from "../spec/experiment.ts";
import type { RequestIssue } from "../spec/requests.ts";
import { resolveCarbon } from "./carbon.ts";
import { actorCommonSchema, linkSchema, runSchema, scenarioSchema, type ScenarioFile } from "./schema.ts";

/**
 * A scenario as validated plain data. The caller plans its experiment (coordinator/scenario-loader.ts) and throws
 * a ScenarioError if `issues` (or its own) are not empty, so that one run reports every problem in the file.
 */
export interface ValidatedScenario {
  scenario: ResolvedScenario;
  /** Things that are allowed but worth saying (e.g. a quantum above the smallest latency). */
  warnings: string[];
  /** The scenario's `experiment` section, validated against its actors and links (scenario/experiment.ts). */
  experiment?: ExperimentRequest;
  /** Problems found once the scenario's structure was complete (references to other actors). */
  issues: ValidationIssue[];
  /** Problems of the experiment's requests; planning adds its own, so both show in one report. */
  experimentIssues: RequestIssue[];
}

export interface ScenarioOverrides {
  seed?: number;
  durationNs?: number;
  /** `dctwin run --mode`: replaces run.mode. */
  mode?: "exact" | "leap";
  /** Folders outside the scenario's own that files it names (traces) may come from. */
  allowOutside?: readonly string[];
}

export function validateScenarioFile(
  file: string,
  kinds: KindCatalogue,
  overrides: ScenarioOverrides = {},
): ValidatedScenario {
  return validateScenarioText(readScenarioText(file), file, kinds, overrides);
}

/** A scenario file's text: a regular file of at most MAX_SCENARIO_BYTES, in UTF-8. */
function readScenarioText(file: string): string {
  const refuse = (message: string) => new ScenarioError(file, [{ path: "", message }]);
  const read = readBoundedFile(file, MAX_SCENARIO_BYTES);
  if ("failure" in read) {
    if (read.failure === "unreadable") throw refuse(`cannot read the file (${read.code})`);
    if (read.failure === "not a regular file") throw refuse("not a regular file");
    throw refuse(
      read.size === null
        ? `the file has more than ${formatCount(MAX_SCENARIO_BYTES)} bytes`
        : `the file has ${formatCount(read.size)} bytes; a scenario may have at most ${formatCount(MAX_SCENARIO_BYTES)}`,
    );
  }
  const bytes = read.bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw refuse(`not UTF-8 text (invalid UTF-8 at byte offset ${firstInvalidUtf8(bytes)})`);
  }
}

/** Offset of the first byte that does not start valid UTF-8 (for the message; the content is never shown). */
function firstInvalidUtf8(bytes: Buffer): number {
  const decodes = (n: number, stream: boolean) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, n), { stream });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (decodes(mid, true)) lo = mid;
    else hi = mid - 1;
  }
  // The longest prefix that may still continue validly can end inside a sequence: point at that sequence's start.
  if (!decodes(lo, false)) while (lo > 0 && (bytes[--lo]! & 0xc0) === 0x80);
  return lo;
}

export function validateScenarioText(
  text: string,
  file: string,
  kinds: KindCatalogue,
  overrides: ScenarioOverrides = {},
): ValidatedScenario {
  // prettyErrors: false leaves YAMLError.linePos unset; a LineCounter maps each error offset to its line and column.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { path: "", message: `YAML syntax error at line ${line}, column ${col}: ${e.message.split("\n")[0]}` };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // yaml throws a ReferenceError for an alias bomb or an alias to a missing anchor.
    const message = error instanceof Error ? error.message : String(error);
    throw new ScenarioError(file, [
      {
        path: "",
        message: `YAML: ${message}${/alias count/i.test(message) ? ` (at most ${MAX_YAML_ALIASES} alias expansions)` : ""}`,
      },
    ]);
  }
  return validateScenario(raw, file, kinds, overrides);
}

export function validateScenario(
  raw: unknown,
  file: string,
  kinds: KindCatalogue,
  overrides: ScenarioOverrides = {},
): ValidatedScenario {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new ScenarioError(file, [
      { path: "", message: "expected a mapping at the top of the file (run, actors, links, ...)" },
    ]);
  // Counted before anything is validated per entry, so a file of a million entries fails at once.
  for (const [key, max] of [
    ["actors", MAX_ACTORS],
    ["links", MAX_LINKS],
  ] as const) {
    const list = (raw as Record<string, unknown>)[key];
    if (Array.isArray(list) && list.length > max)
      throw new ScenarioError(file, [
        { path: key, message: `${formatCount(list.length)} ${key}; a scenario may have at most ${formatCount(max)}` },
      ]);
  }
  // reportInput: zod 4 leaves issue.input unset otherwise, and describeZodIssue would call every wrong-typed value "required".
  const parsed = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issues = zodIssues(parsed.error.issues, []);
    checkValidParts(raw, { kinds, files: fileScope(file, overrides.allowOutside) }, overrides, issues);
    throw new ScenarioError(file, issues);
  }
  const data = parsed.data;
  if (overrides.mode !== undefined) data.run.mode = overrides.mode;
  const issues: ValidationIssue[] = [];
  if (data.topology === undefined && (raw as Record<string, unknown>).actors === undefined) {
    // `actors` may be left out only when a topology generates actors.
    issues.push({ path: "actors", message: "expected a list of actors" });
    throw new ScenarioError(file, issues);
  }
  const files = fileScope(file, overrides.allowOutside);
  const { actors, actorPaths, links, indexById } = assemble(data, { kinds, files }, issues);
  const run = resolveRun(data, links, overrides, issues, files);
  const leap = resolveLeap(kinds, data, run.durationNs, actors, actorPaths, links, issues);
  if (leap !== undefined) Object.assign(run, { mode: "leap", leap, quantumNs: leap.stepNs }); // the step is the window
  if (issues.length > 0) throw new ScenarioError(file, issues);

  const scenario: ResolvedScenario = { run, actors, links };
  checkScenarioSize(scenario, issues);
  if (issues.length > 0) throw new ScenarioError(file, issues);
  checkTrafficTargets(kinds, scenario, actorPaths, indexById, issues);
  const exact = resolveHybrid(kinds, data, scenario, actorPaths, issues);
  if (exact !== undefined && leap !== undefined) leap.exact = exact;
  const found: RequestIssue[] = [];
  const experiment =
    data.experiment === undefined
      ? undefined
      : validateExperiment(data.experiment, scenario, "experiment", kinds.faultShorthands, found);
  return {
    scenario,
    warnings: warningsFor(scenario),
    ...(experiment === undefined ? {} : { experiment }),
    issues,
    experimentIssues: found,
  };
}

/**
 * The file failed the schema, which stops short of the actors' own parameters and the cross-references: check
 * those in the parts that are valid on their own, so that one run reports every problem in the file.
 */
function checkValidParts(
  raw: unknown,
  env: LoadContext,
  overrides: ScenarioOverrides,
  issues: ValidationIssue[],
): void {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return;
  const { run, actors, links, topology } = raw as Record<string, unknown>;
  const ids = new Set<string>();
  if (Array.isArray(actors)) {
    actors.forEach((entry: unknown, index) => {
      if (typeof entry === "object" && entry !== null && typeof (entry as { id?: unknown }).id === "string")
        ids.add((entry as { id: string }).id);
      const common = actorCommonSchema.safeParse(entry);
      if (common.success) resolveActor(common.data, index, `actors[${index}]`, env, issues);
    });
    if (actors.length === 0 && topology === undefined)
      issues.push({ path: "actors", message: "expected at least one actor" });
    // Link ends can only be checked when no topology generates further ids.
    if (Array.isArray(links) && topology === undefined) {
      links.forEach((entry: unknown, index) => {
        const link = linkSchema.safeParse(entry);
        if (!link.success) return;
        for (const key of ["a", "b"] as const)
          if (!ids.has(link.data[key]))
            issues.push({ path: `links[${index}].${key}`, message: `no actor with id "${link.data[key]}"` });
      });
    }
  } else if (actors === undefined && topology === undefined) {
    issues.push({ path: "actors", message: "expected a list of actors" });
  }
  const parsedRun = runSchema.safeParse(run);
  if (parsedRun.success) checkWarmup(parsedRun.data, overrides, issues);
}

/** The warm-up must end before the run does, also when the duration is overridden (e.g. by `--duration`). */
function checkWarmup(run: ScenarioFile["run"], overrides: ScenarioOverrides, issues: ValidationIssue[]): void {
  const durationNs = overrides.durationNs ?? run.duration;
  if (run.warmup === "auto" || run.warmup < durationNs) return;
  const overridden = overrides.durationNs === undefined ? "" : ` (${durationNs / 1e9} s, overridden)`;
  issues.push({ path: "run.warmup", message: `must be shorter than run.duration${overridden}` });
}

function resolveRun(
  data: ScenarioFile,
  links: LinkSpec[],
  overrides: ScenarioOverrides,
  issues: ValidationIssue[],
  files: FileScope,
) {
  const durationNs = overrides.durationNs ?? data.run.duration;
  const minLatency = links.reduce((m, l) => Math.min(m, l.latencyNs), Number.POSITIVE_INFINITY);
  const quantumNs =
    data.run.quantum === "auto"
      ? Number.isFinite(minLatency) && minLatency > 0
        ? minLatency
        : data.run.metrics_interval
      : data.run.quantum;
  checkWarmup(data.run, overrides, issues);
  return {
    name: data.name,
    seed: overrides.seed ?? data.run.seed,
    durationNs,
    quantumNs,
    metricsIntervalNs: data.run.metrics_interval,
    warmupNs: data.run.warmup === "auto" ? 0 : data.run.warmup,
    ...(data.run.warmup === "auto" ? { warmupAuto: true as const } : {}),
    ambientTemperatureK: data.run.ambient_temperature_k,
    distributionLoss: data.run.distribution_loss,
    traceSampleRatio: data.run.trace_sample_ratio,
    carbon: resolveCarbon(data.run.carbon, files, issues),
  };
}

function checkTrafficTargets(
  kinds: KindCatalogue,
  scenario: ResolvedScenario,
  actorPaths: readonly string[],
  indexById: Map<string, number>,
  issues: ValidationIssue[],
): void {
  const router = new Router(portsByActor(scenario), networkNodes(scenario.actors));
  const seen = new Set<string>(); // generated actors share their template's path: report each problem once
  for (const actor of scenario.actors) {
    const model = kinds.kinds[actor.kind];
    if (model === undefined) continue;
    for (const { key, message } of model.check(actor.params as Record<string, unknown>, actor.id))
      issues.push({ path: `${actorPaths[actor.index]}.${key}`, message });
    for (const { key, id } of model.references(actor.params as Record<string, unknown>, actor.id)) {
      const target = indexById.get(id);
      const path = `${actorPaths[actor.index]}.${key}`;
      let message: string | null = null;
      if (target === undefined) message = `no actor with id "${id}"`;
      else if (target === actor.index) message = "an actor cannot send to itself";
      else if (!router.reachable(actor.index, target)) message = `no path of links from "${actor.id}" to "${id}"`;
      if (message !== null && !seen.has(`${path}\u0000${message}`)) {
        seen.add(`${path}\u0000${message}`);
        issues.push({ path, message });
      }
    }
  }
}

function warningsFor(scenario: ResolvedScenario): string[] {
  if (scenario.run.mode === "leap") return []; // the quantum is the step on purpose
  const minLatency = scenario.links.reduce((m, l) => Math.min(m, l.latencyNs), Number.POSITIVE_INFINITY);
  if (scenario.run.quantumNs > minLatency) {
    return [
      `run.quantum (${scenario.run.quantumNs} ns) exceeds the smallest link latency (${minLatency} ns): deliveries on shorter links wait for the window's end; summary.json reports the added delay`,
    ];
  }
  return [];
}
