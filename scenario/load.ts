/**
 * Reads a scenario file, validates it (schema, then cross-references), and resolves it into the runtime's plain
 * form with integer nanoseconds. Every problem found is reported at once, each with its field path.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { actorKinds, modelRegistry } from "../nodes/models/registry.ts";
import { portsByActor, type ActorSpec, type LinkSpec, type ResolvedScenario } from "../nodes/runtime/topology.ts";
import { Router } from "../nodes/runtime/routing.ts";
import { formatPath, ScenarioError, type ValidationIssue } from "./issues.ts";
import { actorCommonKeys, actorCommonSchema, linkSchema, runSchema, scenarioSchema, type ScenarioFile } from "./schema.ts";

export interface LoadedScenario {
  scenario: ResolvedScenario;
  /** Things that are allowed but worth saying (e.g. a quantum above the smallest latency). */
  warnings: string[];
}

export interface ScenarioOverrides {
  seed?: number;
  durationNs?: number;
}

export function loadScenarioFile(file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ScenarioError(file, [{ path: "", message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return loadScenarioText(text, file, overrides);
}

export function loadScenarioText(text: string, file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
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
  return validateScenario(doc.toJS(), file, overrides);
}

export function validateScenario(raw: unknown, file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  // reportInput: zod 4 leaves issue.input unset otherwise, and describeZodIssue would call every wrong-typed value "required".
  const parsed = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issues = zodIssues(parsed.error.issues, []);
    checkValidParts(raw, overrides, issues);
    throw new ScenarioError(file, issues);
  }
  const data = parsed.data;
  const issues: ValidationIssue[] = [];
  const actors = data.actors.map((entry, index) => resolveActor(entry, index, issues));
  const indexById = new Map<string, number>();
  actors.forEach((actor, index) => {
    const first = indexById.get(actor.id);
    if (first !== undefined) issues.push({ path: `actors[${index}].id`, message: `duplicate id "${actor.id}" (first used by actors[${first}])` });
    else indexById.set(actor.id, index);
  });
  const links = data.links.map((link, index): LinkSpec => {
    const end = (key: "a" | "b") => {
      const i = indexById.get(link[key]);
      if (i === undefined) issues.push({ path: `links[${index}].${key}`, message: `no actor with id "${link[key]}"` });
      return i ?? -1;
    };
    const a = end("a");
    const b = end("b");
    if (a >= 0 && a === b) issues.push({ path: `links[${index}].b`, message: `a link must join two different actors (both ends are "${link.a}")` });
    return { index, id: link.id ?? defaultLinkId(data.links, index), a, b, latencyNs: link.latency, bandwidthBps: link.bandwidth ?? 0, loss: link.loss };
  });
  const run = resolveRun(data, links, overrides, issues);
  if (issues.length > 0) throw new ScenarioError(file, issues);

  const scenario: ResolvedScenario = { run, actors, links };
  checkTrafficTargets(scenario, indexById, issues);
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return { scenario, warnings: warningsFor(scenario) };
}

function resolveActor(entry: z.output<typeof scenarioSchema>["actors"][number], index: number, issues: ValidationIssue[]): ActorSpec {
  const model = modelRegistry[entry.kind];
  const base = { index, id: entry.id, kind: entry.kind, group: entry.group ?? entry.kind, labels: entry.labels ?? {}, params: {} };
  if (model === undefined) {
    issues.push({ path: `actors[${index}].kind`, message: `unknown kind "${entry.kind}"; expected one of: ${actorKinds.join(", ")}` });
    return base;
  }
  const params = Object.fromEntries(Object.entries(entry).filter(([key]) => !(actorCommonKeys as readonly string[]).includes(key)));
  const parsed = model.params.safeParse(params, { reportInput: true });
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error.issues, ["actors", index]));
    return base;
  }
  return { ...base, params: parsed.data };
}

/**
 * The file failed the schema, which stops short of the actors' own parameters and the cross-references: check
 * those in the parts that are valid on their own, so that one run reports every problem in the file.
 */
function checkValidParts(raw: unknown, overrides: ScenarioOverrides, issues: ValidationIssue[]): void {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return;
  const { run, actors, links } = raw as Record<string, unknown>;
  const ids = new Set<string>();
  if (Array.isArray(actors)) {
    actors.forEach((entry: unknown, index) => {
      if (typeof entry === "object" && entry !== null && typeof (entry as { id?: unknown }).id === "string") ids.add((entry as { id: string }).id);
      const common = actorCommonSchema.safeParse(entry);
      if (common.success) resolveActor(common.data, index, issues);
    });
    if (Array.isArray(links)) {
      links.forEach((entry: unknown, index) => {
        const link = linkSchema.safeParse(entry);
        if (!link.success) return;
        for (const key of ["a", "b"] as const) if (!ids.has(link.data[key])) issues.push({ path: `links[${index}].${key}`, message: `no actor with id "${link.data[key]}"` });
      });
    }
  }
  const parsedRun = runSchema.safeParse(run);
  if (parsedRun.success && parsedRun.data.warmup >= (overrides.durationNs ?? parsedRun.data.duration)) issues.push({ path: "run.warmup", message: "must be shorter than run.duration" });
}

function resolveRun(data: ScenarioFile, links: LinkSpec[], overrides: ScenarioOverrides, issues: ValidationIssue[]) {
  const durationNs = overrides.durationNs ?? data.run.duration;
  const minLatency = links.reduce((m, l) => Math.min(m, l.latencyNs), Number.POSITIVE_INFINITY);
  const quantumNs = data.run.quantum === "auto" ? (Number.isFinite(minLatency) && minLatency > 0 ? minLatency : data.run.metrics_interval) : data.run.quantum;
  if (data.run.warmup >= durationNs) issues.push({ path: "run.warmup", message: "must be shorter than run.duration" });
  return {
    name: data.name,
    seed: overrides.seed ?? data.run.seed,
    durationNs,
    quantumNs,
    metricsIntervalNs: data.run.metrics_interval,
    warmupNs: data.run.warmup,
    ambientTemperatureK: data.run.ambient_temperature_k,
  };
}

function checkTrafficTargets(scenario: ResolvedScenario, indexById: Map<string, number>, issues: ValidationIssue[]): void {
  const router = new Router(portsByActor(scenario));
  for (const actor of scenario.actors) {
    const model = modelRegistry[actor.kind];
    if (model === undefined) continue;
    for (const { key, id } of model.references(actor.params as Record<string, unknown>)) {
      const target = indexById.get(id);
      const path = `actors[${actor.index}].${key}`;
      if (target === undefined) issues.push({ path, message: `no actor with id "${id}"` });
      else if (target === actor.index) issues.push({ path, message: "an actor cannot send to itself" });
      else if (router.nextPort(actor.index, target) < 0) issues.push({ path, message: `no path of links from "${actor.id}" to "${id}"` });
    }
  }
}

function warningsFor(scenario: ResolvedScenario): string[] {
  const minLatency = scenario.links.reduce((m, l) => Math.min(m, l.latencyNs), Number.POSITIVE_INFINITY);
  if (scenario.run.quantumNs > minLatency) {
    return [
      `run.quantum (${scenario.run.quantumNs} ns) exceeds the smallest link latency (${minLatency} ns): deliveries on shorter links wait for the window's end; summary.json reports the added delay`,
    ];
  }
  return [];
}

function zodIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): ValidationIssue[] {
  return issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: describeZodIssue(issue) }));
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_type":
      return issue.message.startsWith("Invalid input") ? (issue.input === undefined ? `required; expected ${issue.expected}` : `expected ${issue.expected}`) : issue.message;
    default:
      return issue.message;
  }
}

/** "a--b", or "a--b--<index>" when several links join the same pair. */
function defaultLinkId(links: ScenarioFile["links"], index: number): string {
  const link = links[index]!;
  const base = `${link.a}--${link.b}`;
  const parallel = links.filter((l) => l.id === undefined && ((l.a === link.a && l.b === link.b) || (l.a === link.b && l.b === link.a))).length > 1;
  return parallel ? `${base}--${index}` : base;
}
