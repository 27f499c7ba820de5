/**
 * From a load change to what it does: its clients and the load factors it aims at, step by step (a fault's
 * resolution is its action's: faults/). Problems are collected with their field paths.
 */
import { describe, formatCount, MAX_LOAD_FACTOR, MAX_LOAD_STEPS, MAX_RATE_PER_S } from "../../spec/limits.ts";
import { clientCommands } from "../../nodes/models/client.ts";
import { kindTraits } from "../../nodes/models/registry.ts";
import { curveMeanRatePerS } from "../../nodes/models/client-traits.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { CommandSpec } from "../driver/run-driver.ts";
import { matchActors } from "./faults/selectors.ts";
import type { LoadRequest, LoadTarget, RequestIssue } from "../../spec/requests.ts";

/** The model command that scales a client's arrival rates (nodes/models/client.ts). */
export const LOAD_COMMAND = "scale_load";

/** The model command that replaces an open-loop client's arrival process (nodes/models/client.ts). */
export const CURVE_COMMAND = "set_arrivals";

export { choiceSeed, resolveFault, type ResolvedFault } from "./faults/resolve-fault.ts";

// ---- load -------------------------------------------------------------------------------------------------

/**
 * Mean arrival rate of an open-loop client as its scenario sets it, or null when its load cannot be scaled
 * (closed loop, trace replay, or a kind without a `load` trait: nodes/models/traits.ts).
 */
export function scenarioRatePerS(scenario: ResolvedScenario, actor: number): number | null {
  const spec = scenario.actors[actor]!;
  return kindTraits(spec.kind).load?.meanRatePerS(spec.params as Record<string, unknown>) ?? null;
}

export interface ResolvedLoad {
  targets: number[];
  /** The selected clients' scenario rates (same order as targets); closed-loop clients have none. */
  baseRates: number[];
}

/** Whether a load change can scale this actor: an open-loop poisson, mmpp or diurnal client, or a closed loop. */
function scalable(scenario: ResolvedScenario, actor: number): boolean {
  return scenarioRatePerS(scenario, actor) !== null || isClosedLoop(scenario, actor);
}

function isClosedLoop(scenario: ResolvedScenario, actor: number): boolean {
  const spec = scenario.actors[actor]!;
  return kindTraits(spec.kind).load?.closedLoop(spec.params as Record<string, unknown>) === true;
}

/** The targets a load change aims at, in order. */
function loadTargets(request: LoadRequest): LoadTarget[] {
  const c = request.change;
  return c.type === "stages" ? c.stages.map((s) => s.target) : c.type === "curve" ? [] : [c.target];
}

export function resolveLoadTargets(
  scenario: ResolvedScenario,
  request: LoadRequest,
  path: string,
  issues: RequestIssue[],
): ResolvedLoad | undefined {
  const before = issues.length;
  if (request.selector.links.length > 0)
    issues.push({ path: `${path}.selector.links`, message: "load changes select clients, not links" });
  const matched = matchActors(scenario, request.selector, `${path}.selector`, issues);
  if (issues.length > before) return undefined;
  const targets = matched.filter((i) => scalable(scenario, i));
  const named = request.selector.actors.length > 0 && !request.selector.actors.some((p) => p.includes("*"));
  const refused = matched.filter((i) => !scalable(scenario, i));
  if (named && refused.length > 0) {
    issues.push({
      path: `${path}.selector.actors`,
      message: `${refused.map((i) => scenario.actors[i]!.id).join(", ")}: load can only be scaled on open-loop poisson, mmpp or diurnal clients, or closed loops`,
    });
    return undefined;
  }
  if (targets.length === 0) {
    issues.push({
      path: `${path}.selector`,
      message: "no client whose load can be scaled (poisson, mmpp, diurnal or closed loop) matches the selector",
      notFound: true,
    });
    return undefined;
  }
  const closed = targets.filter((i) => isClosedLoop(scenario, i));
  if (closed.length > 0 && request.change.type === "curve") {
    // A curve replaces an open-loop process: closed loops named are refused, matched by a pattern left out.
    if (named) {
      issues.push({
        path: `${path}.curve`,
        message: `${closed.map((i) => scenario.actors[i]!.id).join(", ")}: a closed loop has users, not an arrival process: only open-loop poisson, mmpp or diurnal clients take a new curve`,
      });
      return undefined;
    }
    const open = targets.filter((i) => !isClosedLoop(scenario, i));
    if (open.length === 0) {
      issues.push({
        path: `${path}.selector`,
        message: "no open-loop poisson, mmpp or diurnal client (which a curve replaces) matches the selector",
        notFound: true,
      });
      return undefined;
    }
    return { targets: open, baseRates: open.map((i) => scenarioRatePerS(scenario, i) ?? 0) };
  }
  if (closed.length > 0 && loadTargets(request).some((t) => !("factor" in t))) {
    issues.push({
      path,
      message: `${closed.map((i) => scenario.actors[i]!.id).join(", ")}: a closed loop has users, not a rate: give a factor (× its users)`,
    });
    return undefined;
  }
  return { targets, baseRates: targets.map((i) => scenarioRatePerS(scenario, i) ?? 0) };
}

/**
 * The load factor a target means for these clients: a factor as given, a total rate over the total of their
 * curves' mean rates (the scenario's, or `baseRate`: the curves in force after a `curve` change).
 */
export function targetFactor(target: LoadTarget, load: ResolvedLoad, baseRate?: (actor: number) => number): number {
  if ("factor" in target) return target.factor;
  const total =
    baseRate === undefined
      ? load.baseRates.reduce((s, r) => s + r, 0)
      : load.targets.reduce((s, a) => s + baseRate(a), 0);
  return target.ratePerS / total;
}

/** A curve change's process, parsed by the client's own `set_arrivals` schema (durations in ns). */
export function parseCurve(arrivals: unknown) {
  return clientCommands.set_arrivals.safeParse(arrivals);
}

export function checkLoadTarget(target: LoadTarget, path: string, issues: RequestIssue[]): void {
  const value = "factor" in target ? target.factor : target.ratePerS;
  const field = `${path}.${"factor" in target ? "factor" : "rate_per_s"}`;
  if (!(value > 0 && Number.isFinite(value)))
    issues.push({
      path: field,
      message: "expected a positive number (the model cannot stop a population; crash it instead)",
    });
  else if ("factor" in target && value > MAX_LOAD_FACTOR)
    issues.push({ path: field, message: `expected a factor ${describe.factor} (× the scenario's rate)` });
  else if (!("factor" in target) && value > MAX_RATE_PER_S)
    issues.push({ path: field, message: `expected a rate ${describe.rate}` });
}

/** A ramp or stage list may not take more than MAX_LOAD_STEPS steps (each is a command at a window boundary). */
function checkStepCount(durationNs: number, stepNs: number | null, path: string, issues: RequestIssue[]): void {
  if (stepNs === null || !(stepNs > 0) || !(durationNs > 0)) return;
  if (durationNs / stepNs > MAX_LOAD_STEPS)
    issues.push({
      path: `${path}.step`,
      message: `the step makes ${formatCount(Math.ceil(durationNs / stepNs))} load steps; at most ${formatCount(MAX_LOAD_STEPS)}`,
    });
}

/** Checks a load request's numbers; durations must be positive. */
export function checkLoadRequest(request: LoadRequest, path: string, issues: RequestIssue[]): void {
  const c = request.change;
  const positive = (ns: number, p: string) => {
    if (!(Number.isSafeInteger(ns) && ns > 0)) issues.push({ path: p, message: "expected a positive duration" });
  };
  if (request.stepNs !== null) positive(request.stepNs, `${path}.step`);
  if (c.type === "curve") {
    if (typeof c.arrivals !== "object" || c.arrivals === null || Array.isArray(c.arrivals)) {
      issues.push({
        path: `${path}.curve`,
        message: "expected an arrival process {process: poisson | mmpp | diurnal, ...}",
      });
      return;
    }
    const parsed = parseCurve(c.arrivals);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        issues.push({
          path: [`${path}.curve`, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))]
            .join(".")
            .replace(/\.\[/g, "["),
          message: issue.message,
        });
    return;
  }
  if (c.type === "stages") {
    if (c.stages.length === 0) issues.push({ path: `${path}.stages`, message: "expected at least one stage" });
    c.stages.forEach((s, i) => {
      checkLoadTarget(s.target, `${path}.stages[${i}]`, issues);
      positive(s.durationNs, `${path}.stages[${i}].duration`);
    });
    checkStepCount(
      c.stages.reduce((sum, s) => sum + s.durationNs, 0),
      request.stepNs,
      path,
      issues,
    );
    return;
  }
  checkLoadTarget(c.target, `${path}.${c.type}`, issues);
  if (c.type !== "set") positive(c.durationNs, `${path}.${c.type}.duration`);
  if (c.type === "ramp") checkStepCount(c.durationNs, request.stepNs, path, issues);
}

export interface LoadStep {
  /** Offset from the change's start. */
  offsetNs: number;
  /** Load factor per target actor at that step. */
  factors: Map<number, number>;
  /** A curve change: the process (as given) each target switches to, keeping its factor. */
  arrivals?: unknown;
}

/**
 * The set_rate steps of a load change that starts when the clients run at `current` factors: ramps move
 * linearly in steps, a spike goes back to where it started.
 */
export function loadSteps(
  request: LoadRequest,
  load: ResolvedLoad,
  current: (actor: number) => number,
  baseRate?: (actor: number) => number,
): LoadStep[] {
  const c = request.change;
  const at = (offsetNs: number, f: (actor: number) => number): LoadStep => ({
    offsetNs,
    factors: new Map(load.targets.map((a) => [a, f(a)])),
  });
  const start = new Map(load.targets.map((a) => [a, current(a)]));
  switch (c.type) {
    case "curve":
      return [{ offsetNs: 0, factors: start, arrivals: c.arrivals }];
    case "set": {
      const f = targetFactor(c.target, load, baseRate);
      return [at(0, () => f)];
    }
    case "spike": {
      const f = targetFactor(c.target, load, baseRate);
      return [at(0, () => f), at(c.durationNs, (a) => start.get(a)!)];
    }
    case "ramp":
    case "stages": {
      const legs = c.type === "ramp" ? [{ target: c.target, durationNs: c.durationNs }] : c.stages;
      const steps: LoadStep[] = [];
      let from = start;
      let offset = 0;
      for (const leg of legs) {
        const f = targetFactor(leg.target, load, baseRate);
        const step = request.stepNs ?? Math.max(1, Math.min(100_000_000, Math.round(leg.durationNs / 10)));
        const n = Math.max(1, Math.ceil(leg.durationNs / step));
        const origin = from;
        for (let k = 1; k <= n; k++) {
          const frac = k === n ? 1 : (k * step) / leg.durationNs;
          steps.push(
            at(offset + Math.min(k * step, leg.durationNs), (a) => origin.get(a)! + (f - origin.get(a)!) * frac),
          );
        }
        from = new Map(load.targets.map((a) => [a, f]));
        offset += leg.durationNs;
      }
      return steps;
    }
  }
}

/**
 * The commands of a load step for clients now at `factors` with curves of mean rates `rates` (both updated): a
 * curve change's set_arrivals, then scale_load where the factor changes.
 */
export function loadStepCommands(
  step: LoadStep,
  factors: Map<number, number>,
  rates: Map<number, number>,
): CommandSpec[] {
  const commands: CommandSpec[] = [];
  if (step.arrivals !== undefined) {
    const parsed = parseCurve(step.arrivals);
    const rate = parsed.success ? curveMeanRatePerS(parsed.data) : null;
    for (const actor of step.factors.keys()) {
      if (rate !== null) rates.set(actor, rate);
      commands.push({ actor: { actor, command: CURVE_COMMAND, argsJson: JSON.stringify(step.arrivals) } });
    }
  }
  for (const [actor, factor] of step.factors) {
    if ((factors.get(actor) ?? 1) === factor) continue;
    factors.set(actor, factor);
    commands.push({ actor: { actor, command: LOAD_COMMAND, argsJson: JSON.stringify({ factor }) } });
  }
  return commands;
}

/** Follows a recorded command: the factor or curve rate it sets (for a replay or the planned steps). */
export function followLoadCommand(
  command: CommandSpec,
  factors: Map<number, number>,
  rates: Map<number, number>,
): void {
  const a = command.actor;
  if (a == null) return;
  if (a.command === LOAD_COMMAND)
    factors.set(a.actor ?? -1, (JSON.parse(a.argsJson ?? "{}") as { factor: number }).factor);
  else if (a.command === CURVE_COMMAND) {
    const parsed = parseCurve(JSON.parse(a.argsJson ?? "{}"));
    const rate = parsed.success ? curveMeanRatePerS(parsed.data) : null;
    if (rate !== null) rates.set(a.actor ?? -1, rate);
  }
}
