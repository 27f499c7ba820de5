/**
 * What changes do to the twin: follows the experiment plan's steps as the driver applies them, and turns live
 * changes (and their timed follow-ups) into commands at a boundary, keeping the fault book, the actual state of
 * links and actors, and the load factors and curve rates in force. Records go to the change book.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { StepNote } from "../../spec/experiment.ts";
import type { LoadRequest } from "../../spec/requests.ts";
import type { CommandSpec } from "../driver/run-types.ts";
import type { ChangeBook } from "./change-book.ts";
import { FollowUps, type FollowUpsState } from "./follow-ups.ts";
import { clearCommands, injectCommands, type ExperimentPlan, type PlanStep } from "./plan.ts";
import {
  followLoadCommand,
  loadStepCommands,
  loadSteps,
  scenarioRatePerS,
  type LoadStep,
  type ResolvedLoad,
} from "./resolve.ts";
import {
  ActualState,
  FaultBook,
  mergeTouched,
  reconcile,
  touched,
  type ActorStatus,
  type FaultEffect,
  type LinkField,
  type LinkFields,
} from "./twin-state.ts";

export type ChangeOp =
  | { type: "inject"; id: string; effect: FaultEffect }
  | { type: "clear"; id: string }
  | { type: "load"; id: string; request: LoadRequest; load: ResolvedLoad }
  | { type: "load-step"; id: string; step: LoadStep }
  | { type: "reconcile"; links: Map<number, Set<LinkField>>; actors: number[] };

/** Fault counts at a simulated time, after the changes there. */
export interface FaultSnapshot {
  timeNs: number;
  activeFaults: number;
  faultedActors: number;
  faultedLinks: number;
}

/** What ChangeEffects holds, as plain data (a checkpoint's control state: control-state.ts). */
export interface ChangeEffectsState {
  faults: [string, FaultEffect][];
  actual: { links: LinkFields[]; actors: ActorStatus[] };
  factors: [number, number][];
  rates: [number, number][];
  followUps: FollowUpsState<ChangeOp>;
  queue: ChangeOp[];
  stepCursor: number;
}

export class ChangeEffects {
  private readonly scenario: ResolvedScenario;
  private readonly plan: ExperimentPlan;
  private readonly records: ChangeBook;
  private readonly onSnapshot: (snapshot: FaultSnapshot) => void;
  private readonly book: FaultBook;
  private readonly actual: ActualState;
  private readonly factors = new Map<number, number>();
  /** Mean rates of the curves in force where a curve change replaced the scenario's. */
  private readonly rates = new Map<number, number>();
  private readonly followUps = new FollowUps<ChangeOp>();
  /** Changes for the next boundary. */
  private queue: ChangeOp[] = [];
  private stepCursor = 0;

  constructor(
    scenario: ResolvedScenario,
    plan: ExperimentPlan,
    records: ChangeBook,
    onSnapshot: (snapshot: FaultSnapshot) => void,
  ) {
    this.scenario = scenario;
    this.plan = plan;
    this.records = records;
    this.onSnapshot = onSnapshot;
    this.book = new FaultBook(scenario);
    this.actual = new ActualState(scenario);
  }

  snapshot(): ChangeEffectsState {
    return {
      faults: this.book.snapshot(),
      actual: this.actual.snapshot(),
      factors: [...this.factors],
      rates: [...this.rates],
      followUps: this.followUps.snapshot(),
      queue: [...this.queue],
      stepCursor: this.stepCursor,
    };
  }

  /** Puts everything back as `snapshot` took it (the records are the change book's own: ChangeBook.restore). */
  restore(state: ChangeEffectsState): void {
    this.book.restore(state.faults);
    this.actual.restore(state.actual);
    this.factors.clear();
    for (const [actor, factor] of state.factors) this.factors.set(actor, factor);
    this.rates.clear();
    for (const [actor, rate] of state.rates) this.rates.set(actor, rate);
    this.followUps.restore(state.followUps);
    this.queue = [...state.queue];
    this.stepCursor = state.stepCursor;
  }

  enqueue(op: ChangeOp): void {
    this.queue.push(op);
  }

  /** Withdraws a live fault not injected yet; false when it is not queued. */
  withdrawInject(id: string): boolean {
    const queued = this.queue.findIndex((op) => op.type === "inject" && op.id === id);
    if (queued < 0) return false;
    this.queue.splice(queued, 1);
    return true;
  }

  /** Clears fault `id` at the next boundary instead of at its timed clear (once, however often asked). */
  clearNext(id: string): void {
    if (this.queue.some((op) => op.type === "clear" && op.id === id)) return;
    this.followUps.drop((op) => op.type === "clear" && op.id === id);
    this.queue.push({ type: "clear", id });
  }

  /** Applies what is due at boundary `t`: planned steps up to t, due follow-ups, then the queue. */
  flush(t: number, submit: (command: CommandSpec) => void): void {
    this.mirrorUntil(t, true);
    const due = this.followUps.takeDue(t);
    if (due.length === 0 && this.queue.length === 0) return;
    const commands: CommandSpec[] = [];
    for (const op of [...due, ...this.queue.splice(0)]) commands.push(...this.apply(op, t));
    for (const command of commands) {
      this.actual.apply(command);
      submit(command);
    }
    this.reportCounts(t);
  }

  /** Follows the planned steps the driver has applied (time < t, or <= t when `inclusive`). */
  mirrorUntil(t: number, inclusive: boolean): void {
    const steps = this.plan.steps;
    while (
      this.stepCursor < steps.length &&
      (inclusive ? steps[this.stepCursor]!.timeNs <= t : steps[this.stepCursor]!.timeNs < t)
    ) {
      this.mirrorStep(steps[this.stepCursor++]!);
    }
  }

  /** The actors whose load differs from the scenario's: factor and the rate it gives. */
  loadInForce(): { actor: number; factor: number; ratePerS: number }[] {
    return [...new Set([...this.factors.keys(), ...this.rates.keys()])]
      .sort((a, b) => a - b)
      .map((actor) => {
        const factor = this.factors.get(actor) ?? 1;
        return { actor, factor, ratePerS: factor * this.baseRate(actor) };
      });
  }

  private apply(op: ChangeOp, t: number): CommandSpec[] {
    const records = this.records;
    switch (op.type) {
      case "inject": {
        const record = records.injected(op.id, t);
        if (record.durationNs !== null) {
          record.clearDueNs = t + record.durationNs;
          this.followUps.add(record.clearDueNs, { type: "clear", id: op.id });
        }
        records.note(t, {
          type: "fault-inject",
          id: record.id,
          name: record.name,
          action: record.action,
          source: record.source,
          targets: record.targets,
          clearDueNs: record.clearDueNs,
          spec: record.spec,
        });
        return injectCommands(this.book, this.actual, op.id, op.effect);
      }
      case "clear": {
        if (records.faults.get(op.id)?.state !== "active") return [];
        records.cleared(op.id, t);
        records.note(t, { type: "fault-clear", id: op.id });
        return clearCommands(this.book, this.actual, op.id);
      }
      case "load": {
        const steps = loadSteps(
          op.request,
          op.load,
          (a) => this.factors.get(a) ?? 1,
          (a) => this.baseRate(a),
        );
        const last = steps[steps.length - 1]!.offsetNs;
        const record = records.loadStarted(op.id, t)!;
        record.steps = steps.length;
        record.endsNs = last > 0 ? t + last : null;
        records.note(t, {
          type: "load-start",
          id: record.id,
          name: record.name,
          source: record.source,
          targets: record.targets,
          steps: steps.length,
          endsNs: record.endsNs,
          spec: record.spec,
        });
        const now: CommandSpec[] = [];
        for (const step of steps) {
          if (step.offsetNs === 0) now.push(...this.apply({ type: "load-step", id: op.id, step }, t));
          else this.followUps.add(t + step.offsetNs, { type: "load-step", id: op.id, step });
        }
        return now;
      }
      case "load-step": {
        records.loadStepped(op.id);
        records.note(t, { type: "load-step", id: op.id });
        return loadStepCommands(op.step, this.factors, this.rates);
      }
      case "reconcile":
        return reconcile(this.book, this.actual, op.links, op.actors);
    }
  }

  /** Mean rate of the client's curve in force (the scenario's until a curve change). */
  private baseRate(actor: number): number {
    return this.rates.get(actor) ?? scenarioRatePerS(this.scenario, actor) ?? 0;
  }

  private mirrorStep(step: PlanStep): void {
    const t = step.timeNs;
    const records = this.records;
    for (const command of step.commands) {
      this.actual.apply(command);
      followLoadCommand(command, this.factors, this.rates);
    }
    const check = { links: new Map<number, Set<LinkField>>(), actors: [] as number[] };
    for (const note of step.notes) {
      records.note(t, note);
      this.mirrorNote(note, t, check);
    }
    // Planned commands were computed without the live faults: if one of those wants a touched target otherwise,
    // set it right at the next boundary.
    if (records.hasActiveLive() && reconcile(this.book, this.actual, check.links, check.actors).length > 0)
      this.queue.push({ type: "reconcile", ...check });
    this.reportCounts(t);
  }

  private mirrorNote(note: StepNote, t: number, check: { links: Map<number, Set<LinkField>>; actors: number[] }): void {
    const records = this.records;
    switch (note.type) {
      case "fault-inject": {
        records.addPlanned(note, t);
        records.injected(note.id, t);
        const effect = this.plan.effects.get(note.id);
        if (effect !== undefined) {
          this.book.add(note.id, effect);
          mergeTouched(check, touched(effect));
        }
        break;
      }
      case "fault-clear": {
        records.cleared(note.id, t);
        const effect = this.book.remove(note.id);
        if (effect !== undefined) mergeTouched(check, touched(effect));
        break;
      }
      case "load-start":
        records.loadStarted(note.id, t);
        break;
      case "load-step":
        records.loadStepped(note.id);
        break;
    }
  }

  private reportCounts(t: number): void {
    this.onSnapshot({
      timeNs: t,
      activeFaults: this.records.count("active"),
      faultedActors: this.actual.faultedActors(),
      faultedLinks: this.actual.faultedLinks(),
    });
  }
}
