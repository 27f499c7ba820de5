/**
 * A declarative experiment turned into the commands the run driver applies at given simulated times.
 *
 * Fault occurrences (with repeats) and load changes are played through the same fold as live faults
 * (twin-state.ts) in time order, so overlapping faults compose; each distinct time becomes one step whose
 * commands the driver applies at the start of a window beginning exactly then. Notes on each step say what it
 * means (a fault injected or cleared, a load step), which the controller uses for its records, and a replay file
 * keeps, so a replayed run has the same fault records as the original.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { CommandSpec } from "../../spec/experiment.ts";
import type { CheckWindow } from "./checks.ts";
import type { PlannedCheck, PlannedFault, PlannedLoad, RawStep, Repeat, StepNote } from "../../spec/experiment.ts";
import {
  loadStepCommands,
  loadSteps,
  resolveFault,
  resolveLoadTargets,
  checkLoadRequest,
  scenarioRatePerS,
  type ResolvedLoad,
} from "./resolve.ts";
import { ActualState, FaultBook, reconcile, touched, type FaultEffect } from "./twin-state.ts";
import { actionLabel } from "../../spec/faults/registry.ts";
import type { FaultRequest, RequestIssue } from "../../spec/requests.ts";

export interface PlanStep {
  timeNs: number;
  commands: CommandSpec[];
  notes: StepNote[];
}

export interface ExperimentPlan {
  /** In time order, one per distinct time. */
  steps: PlanStep[];
  checks: CheckWindow[];
  /** Effects of the planned faults, by id: the controller folds them in so live faults compose with them. */
  effects: Map<string, FaultEffect>;
  /** Each load change's clients and scenario rates, by id. */
  loads: Map<string, ResolvedLoad>;
}

export function emptyPlan(): ExperimentPlan {
  return { steps: [], checks: [], effects: new Map(), loads: new Map() };
}

/** The driver's schedule: every command at its time, in step order. */
export function driverSchedule(plan: ExperimentPlan): { timeNs: number; command: CommandSpec }[] {
  return plan.steps.flatMap((s) => s.commands.map((command) => ({ timeNs: s.timeNs, command })));
}

interface Occurrence {
  id: string;
  startNs: number;
  endNs: number | null;
}

/** Plays the experiment through the fold and returns its plan; problems are pushed with their field paths. */
export function buildPlan(
  scenario: ResolvedScenario,
  /** `declared`: every name the experiment gives, valid or not (a check naming an invalid one is not reported again). */
  input: {
    seed: number;
    faults: PlannedFault[];
    loads: PlannedLoad[];
    checks: PlannedCheck[];
    raw: RawStep[];
    declared?: ReadonlySet<string>;
  },
  issues: RequestIssue[],
): ExperimentPlan {
  const durationNs = scenario.run.durationNs;
  const plan = emptyPlan();
  const occurrences = new Map<string, Occurrence[]>();
  type Event = { timeNs: number; phase: number; seq: number; run: () => void };
  const events: Event[] = [];
  let seq = 0;
  const push = (timeNs: number, phase: number, run: () => void) => {
    if (timeNs < durationNs) events.push({ timeNs, phase, seq: seq++, run });
  };
  const book = new FaultBook(scenario);
  const actual = new ActualState(scenario);
  const factors = new Map<number, number>();
  /** Mean rates of the curves in force, where a curve change replaced the scenario's. */
  const rates = new Map<number, number>();
  const steps = new Map<number, PlanStep>();
  let now = 0;
  const emit = (commands: CommandSpec[], note: StepNote | null) => {
    let step = steps.get(now);
    if (step === undefined) {
      step = { timeNs: now, commands: [], notes: [] };
      steps.set(now, step);
    }
    for (const c of commands) actual.apply(c);
    step.commands.push(...commands);
    if (note !== null) step.notes.push(note);
  };
  const ids = new Set<string>();
  const claim = (name: string, path: string) => {
    if (ids.has(name)) issues.push({ path: `${path}.name`, message: `the name "${name}" is used twice` });
    ids.add(name);
  };

  input.faults.forEach((f) => {
    claim(f.request.name, f.path);
    const times = expand(f.when, durationNs);
    const list: Occurrence[] = [];
    times.forEach((t, k) => {
      const id = times.length > 1 || f.when.everyNs !== null ? `${f.request.name}#${k + 1}` : f.request.name;
      const request = { ...f.request, name: id };
      const resolved = resolveFault(scenario, request, input.seed, f.path, issues);
      if (resolved === undefined) return;
      const endNs = f.request.durationNs === null ? null : t + f.request.durationNs;
      list.push({ id, startNs: t, endNs });
      plan.effects.set(id, resolved.effect);
      push(t, 1, () =>
        emit(injectCommands(book, actual, id, resolved.effect), {
          type: "fault-inject",
          id,
          name: f.request.name,
          action: actionName(f.request),
          source: "schedule",
          targets: resolved.targets,
          clearDueNs: endNs,
          spec: f.request,
        }),
      );
      if (endNs !== null) push(endNs, 0, () => emit(clearCommands(book, actual, id), { type: "fault-clear", id }));
    });
    occurrences.set(f.request.name, list);
  });

  input.loads.forEach((l) => {
    claim(l.request.name, l.path);
    const before = issues.length;
    checkLoadRequest(l.request, l.path, issues);
    const load = resolveLoadTargets(scenario, l.request, l.path, issues);
    if (load === undefined || issues.length > before) return;
    const times = expand(l.when, durationNs);
    const list: Occurrence[] = [];
    times.forEach((t, k) => {
      const id = times.length > 1 || l.when.everyNs !== null ? `${l.request.name}#${k + 1}` : l.request.name;
      plan.loads.set(id, load);
      const occurrence: Occurrence = { id, startNs: t, endNs: null };
      list.push(occurrence);
      push(t, 2, () => {
        const planned = loadSteps(
          l.request,
          load,
          (a) => factors.get(a) ?? 1,
          (a) => rates.get(a) ?? scenarioRatePerS(scenario, a) ?? 0,
        );
        const last = planned[planned.length - 1]!.offsetNs;
        occurrence.endNs = last > 0 ? t + last : null;
        emit([], {
          type: "load-start",
          id,
          name: l.request.name,
          source: "schedule",
          targets: load.targets.map((i) => scenario.actors[i]!.id),
          steps: planned.length,
          endsNs: occurrence.endNs,
          spec: l.request,
        });
        for (const step of planned) {
          push(t + step.offsetNs, 2, () => emit(loadStepCommands(step, factors, rates), { type: "load-step", id }));
        }
      });
    });
    occurrences.set(l.request.name, list);
  });

  for (const raw of input.raw) {
    push(raw.timeNs, 3, () => {
      emit(raw.commands, null);
      steps.get(now)!.notes.push(...raw.notes);
    });
  }

  // Play in time order; load changes add their steps as they start, so keep the queue sorted.
  const order = (a: Event, b: Event) => a.timeNs - b.timeNs || a.phase - b.phase || a.seq - b.seq;
  while (events.length > 0) {
    events.sort(order);
    const event = events.shift()!;
    now = event.timeNs;
    event.run();
  }
  plan.steps = [...steps.values()].sort((a, b) => a.timeNs - b.timeNs);

  for (const check of input.checks) {
    const w = check.window;
    if (w.type === "absolute") {
      plan.checks.push({ name: check.name, threshold: check.threshold, fromNs: w.fromNs, toNs: w.toNs ?? durationNs });
      continue;
    }
    const list = occurrences.get(w.of);
    if (list === undefined) {
      if (input.declared?.has(w.of)) continue;
      issues.push({
        path: `${check.path}.${w.type}`,
        message: `no fault or load change named "${w.of}"`,
        notFound: true,
      });
      continue;
    }
    for (const o of list) {
      const end = o.endNs ?? durationNs;
      let fromNs: number;
      let toNs: number;
      if (w.type === "during")
        [fromNs, toNs] = [
          o.startNs + w.delayNs,
          w.forNs === null ? end : Math.min(end, o.startNs + w.delayNs + w.forNs),
        ];
      else if (w.type === "before") [fromNs, toNs] = [Math.max(0, o.startNs - (w.forNs ?? o.startNs)), o.startNs];
      else [fromNs, toNs] = [end + w.delayNs, w.forNs === null ? durationNs : end + w.delayNs + w.forNs];
      plan.checks.push({
        name: list.length > 1 ? `${check.name} [${o.id}]` : check.name,
        threshold: check.threshold,
        fromNs,
        toNs: Math.min(toNs, durationNs),
      });
    }
  }
  return plan;
}

/** The start times of a repeated entry that fall inside the run. */
function expand(when: Repeat, durationNs: number): number[] {
  const times: number[] = [];
  for (let k = 0; ; k++) {
    const t = when.atNs + k * (when.everyNs ?? 0);
    if (t >= durationNs || (when.times !== null && k >= when.times)) break;
    times.push(t);
    if (when.everyNs === null) break;
  }
  return times;
}

export function actionName(request: FaultRequest): string {
  return actionLabel(request.action);
}

/** Adds a fault to the fold and returns the commands that bring the twin to what it now wants. */
export function injectCommands(book: FaultBook, actual: ActualState, id: string, effect: FaultEffect): CommandSpec[] {
  book.add(id, effect);
  const t = touched(effect);
  return [...reconcile(book, actual, t.links, t.actors), ...effect.onInject];
}

export function clearCommands(book: FaultBook, actual: ActualState, id: string): CommandSpec[] {
  const effect = book.remove(id);
  if (effect === undefined) return [];
  const t = touched(effect);
  return [...reconcile(book, actual, t.links, t.actors), ...effect.onClear];
}
