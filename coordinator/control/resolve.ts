/**
 * From a request to what it does: a fault's targets (chosen by its selector and mode) and its effect on them; a
 * load change's clients and the load factor it aims at. Problems are collected with their field paths.
 */
import { describe, formatCount, MAX_LOAD_FACTOR, MAX_LOAD_STEPS, MAX_RATE_PER_S } from "../../spec/limits.ts";
import type { z } from "zod";
import { clientCommands } from "../../nodes/models/client.ts";
import { kindTraits, modelRegistry } from "../../nodes/models/registry.ts";
import { curveMeanRatePerS } from "../../nodes/models/client-traits.ts";
import { CLOCK_DRIFT_COMMAND, driftProblem } from "../../nodes/runtime/clock-drift.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { CommandSpec } from "../driver/run-driver.ts";
import { checkChoice, chooseTargets, hasActorCriteria, linksBetween, matchActors, matchLinks } from "./selectors.ts";
import { emptyEffect, type FaultEffect, type LinkFields } from "./twin-state.ts";
import type { FaultRequest, LoadRequest, LoadTarget, RequestIssue } from "../../spec/requests.ts";
import { actorCommand } from "../../spec/actor-command.ts";

/** The model command that scales a client's arrival rates (nodes/models/client.ts). */
export const LOAD_COMMAND = "scale_load";

/** The model command that replaces an open-loop client's arrival process (nodes/models/client.ts). */
export const CURVE_COMMAND = "set_arrivals";

export interface ResolvedFault {
  /** Actor or link ids, ascending by index. */
  targets: string[];
  kind: "actors" | "links";
  effect: FaultEffect;
}

/** The seed of a fault's target choice: its own, or one derived from the run seed and its id. */
export function choiceSeed(request: FaultRequest, runSeed: number): { seed: number; stream: string } {
  return request.choice.seed === null
    ? { seed: runSeed, stream: `dctwin-fault-targets/${request.name}` }
    : { seed: request.choice.seed, stream: "dctwin-fault-targets" };
}

export function resolveFault(
  scenario: ResolvedScenario,
  request: FaultRequest,
  runSeed: number,
  path: string,
  issues: RequestIssue[],
): ResolvedFault | undefined {
  const before = issues.length;
  const sel = request.selector;
  const action = request.action;
  checkChoice(request.choice, path, issues);
  const { seed, stream } = choiceSeed(request, runSeed);
  const effect = emptyEffect();
  const choose = (candidates: number[]) => chooseTargets(candidates, request.choice, seed, stream);

  switch (action.type) {
    case "actor-crash":
    case "actor-pause":
    case "clock-drift":
    case "command": {
      if (sel.links.length > 0)
        issues.push({
          path: `${path}.selector.links`,
          message: `${action.type} targets actors; select them by actors, kinds, groups or labels`,
        });
      let candidates = matchActors(scenario, sel, `${path}.selector`, issues);
      if (action.type === "clock-drift") {
        const problem = driftProblem(action.ppm);
        if (problem !== null) issues.push({ path: `${path}.drift_ppm`, message: problem });
      }
      if (action.type === "command") candidates = commandTargets(scenario, candidates, action, path, issues);
      else if (candidates.length === 0 && issues.length === before)
        issues.push({ path: `${path}.selector`, message: "no actor matches the selector", notFound: true });
      if (issues.length > before) return undefined;
      const chosen = choose(candidates);
      for (const actor of chosen) {
        if (action.type === "command") {
          effect.onInject.push(actorCommand(actor, action.command, action.args));
          if (action.clearCommand !== null)
            effect.onClear.push(actorCommand(actor, action.clearCommand, action.clearArgs));
        } else if (action.type === "clock-drift") {
          effect.onInject.push(actorCommand(actor, CLOCK_DRIFT_COMMAND, { ppm: action.ppm }));
          effect.onClear.push(actorCommand(actor, CLOCK_DRIFT_COMMAND, { ppm: 0 }));
        } else effect.actors.set(actor, action.type === "actor-crash" ? "crash" : "pause");
      }
      return { targets: chosen.map((i) => scenario.actors[i]!.id), kind: "actors", effect };
    }
    case "partition": {
      if (!hasActorCriteria(sel))
        issues.push({
          path: `${path}.selector`,
          message: "a partition needs actor criteria on both sides (selector and other)",
        });
      if (!hasActorCriteria(action.other))
        issues.push({
          path: `${path}.other`,
          message: "a partition needs actor criteria on both sides (selector and other)",
        });
      if (sel.links.length > 0)
        issues.push({
          path: `${path}.selector.links`,
          message: "a partition is between actors; it takes down the links that join them",
        });
      if (issues.length > before) return undefined;
      const a = matchActors(scenario, sel, `${path}.selector`, issues);
      const b = matchActors(scenario, action.other, `${path}.other`, issues);
      if (issues.length > before) return undefined;
      const candidates = linksBetween(scenario, a, b);
      if (candidates.length === 0) {
        issues.push({
          path: `${path}.other`,
          message: "no link joins an actor of one side to an actor of the other",
          notFound: true,
        });
        return undefined;
      }
      const chosen = choose(candidates);
      for (const link of chosen) effect.links.set(link, { up: false });
      return { targets: chosen.map((i) => scenario.links[i]!.id), kind: "links", effect };
    }
    default: {
      checkLinkAction(action, path, issues);
      const candidates = matchLinks(scenario, sel, `${path}.selector`, issues);
      if (candidates.length === 0 && issues.length === before)
        issues.push({ path: `${path}.selector`, message: "no link matches the selector", notFound: true });
      if (issues.length > before) return undefined;
      const chosen = choose(candidates);
      for (const link of chosen) {
        let fields: Partial<LinkFields>;
        if (action.type === "link-down") fields = { up: false };
        else if (action.type === "delay")
          fields = { latencyNs: scenario.links[link]!.latencyNs + action.latencyNs, jitterNs: action.jitterNs };
        else if (action.type === "loss") fields = { loss: action.probability };
        else fields = { bandwidthBps: action.bandwidthBps };
        effect.links.set(link, fields);
      }
      return { targets: chosen.map((i) => scenario.links[i]!.id), kind: "links", effect };
    }
  }
}

function checkLinkAction(action: FaultRequest["action"], path: string, issues: RequestIssue[]): void {
  if (action.type === "delay") {
    if (!(Number.isSafeInteger(action.latencyNs) && action.latencyNs >= 0))
      issues.push({ path: `${path}.latency`, message: "expected a non-negative duration" });
    if (!(Number.isSafeInteger(action.jitterNs) && action.jitterNs >= 0))
      issues.push({ path: `${path}.jitter`, message: "expected a non-negative duration" });
    if (action.latencyNs === 0 && action.jitterNs === 0)
      issues.push({ path: `${path}.latency`, message: "a delay needs a latency or a jitter above zero" });
  } else if (action.type === "loss") {
    if (!(action.probability > 0 && action.probability <= 1))
      issues.push({ path: `${path}.loss`, message: "expected a probability in (0, 1]" });
  } else if (action.type === "bandwidth") {
    if (!(action.bandwidthBps > 0 && Number.isFinite(action.bandwidthBps)))
      issues.push({ path: `${path}.bandwidth`, message: "expected a positive bandwidth" });
  }
}

/** Actors among the candidates whose model declares the command; the arguments are checked per kind. */
function commandTargets(
  scenario: ResolvedScenario,
  candidates: number[],
  action: Extract<FaultRequest["action"], { type: "command" }>,
  path: string,
  issues: RequestIssue[],
): number[] {
  const kinds = [...new Set(candidates.map((i) => scenario.actors[i]!.kind))].sort();
  const able = kinds.filter((k) => modelRegistry[k]?.commands[action.command] !== undefined);
  if (candidates.length > 0 && able.length === 0) {
    const offered = kinds
      .map((k) => `${k}: ${Object.keys(modelRegistry[k]?.commands ?? {}).join(", ") || "none"}`)
      .join("; ");
    issues.push({
      path: `${path}.command`,
      message: `no selected actor's model has the command "${action.command}" (${offered})`,
    });
    return [];
  }
  for (const kind of able) {
    checkArgs(modelRegistry[kind]!.commands[action.command]!, action.args, `${path}.args`, issues);
    if (action.clearCommand !== null) {
      const clear = modelRegistry[kind]!.commands[action.clearCommand];
      if (clear === undefined)
        issues.push({
          path: `${path}.clear.command`,
          message: `the ${kind} model has no command "${action.clearCommand}"`,
        });
      else checkArgs(clear, action.clearArgs, `${path}.clear.args`, issues);
    }
  }
  const result = candidates.filter((i) => able.includes(scenario.actors[i]!.kind));
  if (result.length === 0 && issues.length === 0)
    issues.push({ path: `${path}.selector`, message: "no actor matches the selector", notFound: true });
  return result;
}

function checkArgs(schema: z.ZodType, args: unknown, path: string, issues: RequestIssue[]): void {
  const parsed = schema.safeParse(args ?? {});
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      issues.push({ path: [path, ...issue.path.map(String)].join("."), message: issue.message });
}

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
