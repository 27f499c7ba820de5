/**
 * The control side of one run: follows the experiment plan as the driver applies it, takes live faults and load
 * changes, and keeps the records the API, the metrics stream and experiment.json report.
 *
 * When a live change takes effect. The driver stamps a submitted command with its current grant horizon H, a
 * simulated time no host has passed, and hosts apply it at H; the controller submits live commands only
 *   - before the run starts (from `attach`): applied at t = 0;
 *   - from `onBoundary(H)` (the driver calls it right before it moves the horizon past H): applied at H;
 *   - while the driver holds for a pause (every host waits at the horizon H; `onBoundary(H)` says so): applied
 *     at H when it resumes.
 * So every live change is stamped with the simulated time the driver applies it at (commands.json agrees), and
 * a replay of the recorded steps reproduces the run. Timed follow-ups of live changes (a fault's duration, ramp
 * steps) are released at the first such boundary at or after they are due: within a window while packets flow.
 * (The driver's schedule is fixed when the run starts; a driver call that adds a scheduled command during the run
 * would make them exact, and would keep a run without pending events alive until they are due.)
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";
import type { CommandSpec, RunDriver, RunOutcome, WindowProgress } from "../driver/run-driver.ts";
import { intervalMetrics } from "./interval-metrics.ts";
import { actionName, clearCommands, injectCommands, type ExperimentPlan, type PlanStep } from "./plan.ts";
import type { StepNote } from "../../spec/experiment.ts";
import {
  followLoadCommand,
  loadStepCommands,
  loadSteps,
  scenarioRatePerS,
  resolveFault,
  resolveLoadTargets,
  checkLoadRequest,
  type LoadStep,
  type ResolvedLoad,
} from "./resolve.ts";
import {
  ActualState,
  FaultBook,
  mergeTouched,
  reconcile,
  touched,
  type FaultEffect,
  type LinkField,
} from "./twin-state.ts";
import {
  PreconditionError,
  RequestError,
  type FaultRequest,
  type LoadRequest,
  type RequestIssue,
} from "../../spec/requests.ts";

export type RunState = "waiting" | "starting" | "running" | "paused" | "completed" | "interrupted" | "failed";

export interface FaultRecord {
  id: string;
  name: string;
  action: string;
  source: string;
  targets: string[];
  /** The request as given (internal form), or the recorded one in a replay. */
  spec: unknown;
  state: "pending" | "active" | "cleared";
  injectedNs: number | null;
  clearedNs: number | null;
  clearDueNs: number | null;
  durationNs: number | null;
  /** A planned (or replayed) fault: the simulated time it is due. */
  plannedNs: number | null;
}

export interface LoadRecord {
  id: string;
  name: string;
  source: string;
  targets: string[];
  spec: unknown;
  startedNs: number | null;
  endsNs: number | null;
  steps: number;
  stepsApplied: number;
}

type Op =
  | { type: "inject"; id: string; effect: FaultEffect }
  | { type: "clear"; id: string }
  | { type: "load"; id: string; request: LoadRequest; load: ResolvedLoad }
  | { type: "load-step"; id: string; step: LoadStep }
  | { type: "reconcile"; links: Map<number, Set<LinkField>>; actors: number[] };

interface Snapshot {
  timeNs: number;
  activeFaults: number;
  faultedActors: number;
  faultedLinks: number;
}

export interface ControllerOptions {
  scenario: ResolvedScenario;
  plan: ExperimentPlan;
  runId: string;
  hostCount: number;
  speed?: number;
  /** The run waits for start() (StartRun) before it begins. */
  waitForStart?: boolean;
  log?: (message: string) => void;
}

export class RunController {
  readonly scenario: ResolvedScenario;
  readonly plan: ExperimentPlan;
  readonly runId: string;
  /** Aborted by stop(): pass it (with Ctrl-C's) to the driver. */
  readonly stopSignal: AbortSignal;
  readonly faults = new Map<string, FaultRecord>();
  readonly loads = new Map<string, LoadRecord>();
  private readonly o: ControllerOptions;
  private readonly book: FaultBook;
  private readonly actual: ActualState;
  private readonly factors = new Map<number, number>();
  /** Mean rates of the curves in force where a curve change replaced the scenario's. */
  private readonly rates = new Map<number, number>();
  private readonly stopper = new AbortController();
  private driver: RunDriver | undefined;
  private state: RunState;
  private error = "";
  private stepCursor = 0;
  private queue: Op[] = [];
  private timed: { dueNs: number; seq: number; op: Op }[] = [];
  private timedSeq = 0;
  private holding = false;
  private pauseRequested = false;
  private lastBoundaryNs = 0;
  private windows = 0;
  private liveCount = 0;
  private readonly snapshots: Snapshot[] = [{ timeNs: -1, activeFaults: 0, faultedActors: 0, faultedLinks: 0 }];
  private readonly changes: { timeNs: number; kind: "inject" | "clear" }[] = [];
  private readonly history: dctwin.v1.IntervalMetrics.$Properties[] = [];
  /** What each change meant, by the simulated time it took effect (for the replay file). */
  private readonly appliedNotes = new Map<number, StepNote[]>();
  private readonly watchers = new Set<{
    onInterval: (m: dctwin.v1.IntervalMetrics.$Properties) => void;
    onEnd: () => void;
  }>();
  private readonly holdWaiters: (() => void)[] = [];
  private startGate: { promise: Promise<void>; open: () => void };

  constructor(options: ControllerOptions) {
    this.o = options;
    this.scenario = options.scenario;
    this.plan = options.plan;
    this.runId = options.runId;
    this.stopSignal = this.stopper.signal;
    this.book = new FaultBook(options.scenario);
    this.actual = new ActualState(options.scenario);
    this.state = options.waitForStart ? "waiting" : "starting";
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.startGate = { promise, open };
    if (!options.waitForStart) open();
    // Planned faults and load changes are known from the start (pending until their time).
    for (const step of options.plan.steps) for (const note of step.notes) this.recordPlanned(note, step.timeNs);
  }

  /** Resolves when the run may begin (at once unless it waits for StartRun). */
  get started(): Promise<void> {
    return this.startGate.promise;
  }

  get runState(): RunState {
    return this.state;
  }

  get ended(): boolean {
    return this.state === "completed" || this.state === "interrupted" || this.state === "failed";
  }

  // ---- hooks called by the run ---------------------------------------------------------------------------

  /** runTwin's onDriver: the driver exists and has not started its first window. */
  attach(driver: RunDriver): void {
    this.driver = driver;
    if (this.state === "waiting") this.state = "starting";
    if (this.pauseRequested) {
      driver.pause();
      this.beginHold(0);
    }
    this.flush(0);
  }

  onWindow(progress: WindowProgress): void {
    this.windows = progress.window + 1;
    if (this.state === "starting") this.state = "running";
  }

  /** The driver's horizon: commands submitted now take effect at `timeNs`. */
  onBoundary(timeNs: number): void {
    this.lastBoundaryNs = timeNs;
    this.flush(timeNs);
    if (this.pauseRequested && !this.holding && this.driver?.progress().paused) this.beginHold(timeNs);
  }

  onIntervalClosed(record: IntervalRecord, ledger: LedgerSnapshot): void {
    // Hosts report no interval in which nothing happened: the stream still sends one message per interval.
    while (this.history.length < record.index) this.publishInterval(this.history.length, null);
    this.publishInterval(record.index, { record, ledger });
  }

  private publishInterval(index: number, closed: { record: IntervalRecord; ledger: LedgerSnapshot } | null): void {
    const intervalNs = this.scenario.run.metricsIntervalNs;
    const startNs = index * intervalNs;
    const boundary = startNs + intervalNs;
    this.mirrorUntil(boundary, false);
    const endLimit = this.stopSignal.aborted ? Math.max(this.lastBoundaryNs, startNs) : this.scenario.run.durationNs;
    const endNs = Math.min(boundary, endLimit);
    const at = this.snapshotBefore(boundary);
    const inInterval = this.changes.filter((c) => c.timeNs >= startNs && c.timeNs < boundary);
    const message = intervalMetrics(index, closed, startNs, endNs, {
      activeFaults: at.activeFaults,
      faultedActors: at.faultedActors,
      faultedLinks: at.faultedLinks,
      injected: inInterval.filter((c) => c.kind === "inject").length,
      cleared: inInterval.filter((c) => c.kind === "clear").length,
    });
    this.history.push(message);
    for (const w of this.watchers) w.onInterval(message);
  }

  /** The run is over: later calls that change it are refused; streams end. */
  finish(outcome: RunOutcome | undefined, error?: unknown): void {
    if (outcome !== undefined) {
      const intervals = Math.ceil(outcome.simTimeNs / this.scenario.run.metricsIntervalNs);
      while (this.history.length < intervals) this.publishInterval(this.history.length, null);
      this.mirrorUntil(outcome.simTimeNs, false);
      this.state = outcome.status === "completed" ? "completed" : "interrupted";
    } else {
      this.state = "failed";
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.holding = false;
    for (const w of [...this.holdWaiters.splice(0)]) w();
    for (const w of [...this.watchers]) w.onEnd();
    this.watchers.clear();
    this.startGate.open();
  }

  // ---- the API -------------------------------------------------------------------------------------------

  start(): void {
    if (this.state !== "waiting") throw new PreconditionError(`the run is ${this.state}, not waiting for a start`);
    this.state = "starting";
    this.startGate.open();
  }

  /** Holds the run at the next window boundary; resolves once it holds (or after `waitMs`). */
  async pause(waitMs = 5000): Promise<void> {
    this.assertNotEnded();
    if (this.pauseRequested) return;
    this.pauseRequested = true;
    if (this.driver === undefined) return; // takes effect when the run starts
    this.driver.pause();
    if (this.holding) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.holdWaiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  resume(): void {
    this.assertNotEnded();
    this.pauseRequested = false;
    if (this.holding) {
      this.holding = false;
      this.state = "running";
    }
    this.driver?.resume();
  }

  stop(reason: string): void {
    if (this.ended) return;
    this.o.log?.(`stop requested: ${reason || "no reason given"}`);
    this.stopper.abort(new Error(reason));
    if (this.state === "waiting") this.start();
  }

  injectFault(request: FaultRequest, path = "fault"): FaultRecord {
    this.assertNotEnded();
    const id = `live-${++this.liveCount}`;
    const named = { ...request, name: request.name || id };
    const issues: RequestIssue[] = [];
    // Without a seed of its own, the choice draws from the stream of its id: the same requests choose alike.
    const resolved = resolveFault(this.scenario, { ...named, name: id }, this.scenario.run.seed, path, issues);
    if (resolved === undefined) throw new RequestError(issues);
    const record: FaultRecord = {
      id,
      name: named.name,
      action: actionName(named),
      source: "live",
      targets: resolved.targets,
      spec: named,
      state: "pending",
      injectedNs: null,
      clearedNs: null,
      clearDueNs: null,
      durationNs: named.durationNs,
      plannedNs: null,
    };
    this.faults.set(id, record);
    this.enqueue({ type: "inject", id, effect: resolved.effect });
    return record;
  }

  clearFault(id: string): FaultRecord {
    const record = this.faults.get(id);
    if (record === undefined)
      throw new RequestError([{ path: "id", message: `no fault with id "${id}"`, notFound: true }]);
    if (record.state === "cleared") return record;
    this.assertNotEnded();
    if (record.state === "pending") {
      const queued = this.queue.findIndex((op) => op.type === "inject" && op.id === id);
      if (queued < 0)
        throw new PreconditionError(
          `fault ${id} is planned for t = ${(record.plannedNs ?? 0) / 1e9} s and not injected yet`,
        );
      this.queue.splice(queued, 1);
      record.state = "cleared";
      return record;
    }
    if (!this.queue.some((op) => op.type === "clear" && op.id === id)) {
      this.timed = this.timed.filter((t) => !(t.op.type === "clear" && t.op.id === id));
      this.enqueue({ type: "clear", id });
    }
    return record;
  }

  changeLoad(request: LoadRequest, path = "change"): LoadRecord {
    this.assertNotEnded();
    const issues: RequestIssue[] = [];
    checkLoadRequest(request, path, issues);
    const load = issues.length === 0 ? resolveLoadTargets(this.scenario, request, path, issues) : undefined;
    if (load === undefined || issues.length > 0) throw new RequestError(issues);
    const id = `load-${++this.liveCount}`;
    const record: LoadRecord = {
      id,
      name: request.name || id,
      source: "live",
      targets: load.targets.map((i) => this.scenario.actors[i]!.id),
      spec: { ...request, name: request.name || id },
      startedNs: null,
      endsNs: null,
      steps: 0,
      stepsApplied: 0,
    };
    this.loads.set(id, record);
    this.enqueue({ type: "load", id, request, load });
    return record;
  }

  /** For the metrics exporter: the faults injected so far (in force or cleared), and the counts. */
  faultsNow() {
    const faults = [...this.faults.values()];
    return {
      faults: faults
        .filter((f) => f.injectedNs !== null)
        .map((f) => ({ id: f.id, action: f.action, active: f.state === "active" })),
      injected: faults.filter((f) => f.injectedNs !== null).length,
      cleared: faults.filter((f) => f.state === "cleared").length,
    };
  }

  listFaults(includeCleared: boolean): FaultRecord[] {
    return [...this.faults.values()].filter((f) => includeCleared || f.state !== "cleared");
  }

  status() {
    const progress = this.driver?.progress();
    const last = this.snapshots[this.snapshots.length - 1]!;
    return {
      runId: this.runId,
      scenario: this.scenario.run.name,
      state: this.state,
      simTimeNs: progress?.simTimeNs ?? 0,
      durationNs: this.scenario.run.durationNs,
      windows: progress?.windows ?? this.windows,
      hosts: progress?.hostsJoined ?? 0,
      hostCount: this.o.hostCount,
      speed: this.o.speed ?? 0,
      activeFaults: last.activeFaults,
      pendingFaults: [...this.faults.values()].filter((f) => f.state === "pending").length,
      faultedActors: last.faultedActors,
      faultedLinks: last.faultedLinks,
      appliedCommands: progress?.appliedCommands ?? 0,
      load: [...new Set([...this.factors.keys(), ...this.rates.keys()])]
        .sort((a, b) => a - b)
        .map((actor) => {
          const factor = this.factors.get(actor) ?? 1;
          return { actor: this.scenario.actors[actor]!.id, factor, ratePerS: factor * this.baseRate(actor) };
        }),
      error: this.error,
    };
  }

  /** Closed intervals from `fromInterval` on, then each new one until the run ends. Returns the unsubscribe. */
  watch(
    fromInterval: number,
    onInterval: (m: dctwin.v1.IntervalMetrics.$Properties) => void,
    onEnd: () => void,
  ): () => void {
    for (const m of this.history) if (Number(m.interval) >= fromInterval) onInterval(m);
    if (this.ended) {
      onEnd();
      return () => {};
    }
    const w = {
      onInterval: (m: dctwin.v1.IntervalMetrics.$Properties) => Number(m.interval) >= fromInterval && onInterval(m),
      onEnd,
    };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** Per-interval fault counts for the results (one row per closed interval). */
  intervalFaultRows(): {
    startNs: number;
    endNs: number;
    activeFaults: number;
    faultedActors: number;
    faultedLinks: number;
    injected: number;
    cleared: number;
  }[] {
    return this.history.map((m) => ({
      startNs: Number(m.startNs),
      endNs: Number(m.endNs),
      activeFaults: m.activeFaults ?? 0,
      faultedActors: m.faultedActors ?? 0,
      faultedLinks: m.faultedLinks ?? 0,
      injected: m.faultsInjected ?? 0,
      cleared: m.faultsCleared ?? 0,
    }));
  }

  /** Notes of every change at each simulated time (for the replay file). */
  notesByTime(): Map<number, StepNote[]> {
    return this.appliedNotes;
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private assertNotEnded(): void {
    if (this.ended) throw new PreconditionError(`the run has ended (${this.state})`);
  }

  private enqueue(op: Op): void {
    this.queue.push(op);
    // Held: applied where the run holds. Otherwise at the next window's end, or at t = 0 if the run has not begun.
    if (this.holding) this.flush(this.lastBoundaryNs);
  }

  private beginHold(atNs: number): void {
    this.holding = true;
    this.lastBoundaryNs = atNs;
    this.state = "paused";
    for (const w of this.holdWaiters.splice(0)) w();
  }

  /** Applies what is due at boundary `t`: planned steps up to t, due follow-ups, then the queue. */
  private flush(t: number): void {
    const driver = this.driver;
    if (driver === undefined || this.ended) return;
    this.mirrorUntil(t, true);
    const due = this.timed.filter((x) => x.dueNs <= t).sort((a, b) => a.dueNs - b.dueNs || a.seq - b.seq);
    if (due.length === 0 && this.queue.length === 0) return;
    this.timed = this.timed.filter((x) => x.dueNs > t);
    const ops = [...due.map((d) => d.op), ...this.queue.splice(0)];
    const commands: CommandSpec[] = [];
    for (const op of ops) commands.push(...this.applyOp(op, t));
    for (const command of commands) {
      this.actual.apply(command);
      driver.submit(command);
    }
    this.snapshot(t);
  }

  private applyOp(op: Op, t: number): CommandSpec[] {
    switch (op.type) {
      case "inject": {
        const record = this.faults.get(op.id)!;
        record.state = "active";
        record.injectedNs = t;
        if (record.durationNs !== null) {
          record.clearDueNs = t + record.durationNs;
          this.addTimed(record.clearDueNs, { type: "clear", id: op.id });
        }
        this.note(t, {
          type: "fault-inject",
          id: record.id,
          name: record.name,
          action: record.action,
          source: record.source,
          targets: record.targets,
          clearDueNs: record.clearDueNs,
          spec: record.spec,
        });
        this.changes.push({ timeNs: t, kind: "inject" });
        return injectCommands(this.book, this.actual, op.id, op.effect);
      }
      case "clear": {
        const record = this.faults.get(op.id)!;
        if (record.state !== "active") return [];
        record.state = "cleared";
        record.clearedNs = t;
        this.note(t, { type: "fault-clear", id: op.id });
        this.changes.push({ timeNs: t, kind: "clear" });
        return clearCommands(this.book, this.actual, op.id);
      }
      case "load": {
        const record = this.loads.get(op.id)!;
        const steps = loadSteps(
          op.request,
          op.load,
          (a) => this.factors.get(a) ?? 1,
          (a) => this.baseRate(a),
        );
        const last = steps[steps.length - 1]!.offsetNs;
        record.startedNs = t;
        record.steps = steps.length;
        record.endsNs = last > 0 ? t + last : null;
        this.note(t, {
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
          if (step.offsetNs === 0) now.push(...this.applyOp({ type: "load-step", id: op.id, step }, t));
          else this.addTimed(t + step.offsetNs, { type: "load-step", id: op.id, step });
        }
        return now;
      }
      case "load-step": {
        const record = this.loads.get(op.id);
        if (record !== undefined) record.stepsApplied++;
        this.note(t, { type: "load-step", id: op.id });
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

  private addTimed(dueNs: number, op: Op): void {
    this.timed.push({ dueNs, seq: this.timedSeq++, op });
  }

  private note(t: number, note: StepNote): void {
    const list = this.appliedNotes.get(t) ?? [];
    list.push(note);
    this.appliedNotes.set(t, list);
  }

  /** Follows the planned steps the driver has applied (time < t, or <= t when `inclusive`). */
  private mirrorUntil(t: number, inclusive: boolean): void {
    const steps = this.plan.steps;
    while (
      this.stepCursor < steps.length &&
      (inclusive ? steps[this.stepCursor]!.timeNs <= t : steps[this.stepCursor]!.timeNs < t)
    ) {
      this.mirrorStep(steps[this.stepCursor++]!);
    }
  }

  private mirrorStep(step: PlanStep): void {
    const t = step.timeNs;
    for (const command of step.commands) {
      this.actual.apply(command);
      followLoadCommand(command, this.factors, this.rates);
    }
    const check = { links: new Map<number, Set<LinkField>>(), actors: [] as number[] };
    for (const note of step.notes) {
      this.note(t, note);
      switch (note.type) {
        case "fault-inject": {
          this.recordPlanned(note, t);
          const record = this.faults.get(note.id)!;
          record.state = "active";
          record.injectedNs = t;
          this.changes.push({ timeNs: t, kind: "inject" });
          const effect = this.plan.effects.get(note.id);
          if (effect !== undefined) {
            this.book.add(note.id, effect);
            mergeTouched(check, touched(effect));
          }
          break;
        }
        case "fault-clear": {
          const record = this.faults.get(note.id);
          if (record !== undefined && record.state === "active") {
            record.state = "cleared";
            record.clearedNs = t;
            this.changes.push({ timeNs: t, kind: "clear" });
          }
          const effect = this.book.remove(note.id);
          if (effect !== undefined) mergeTouched(check, touched(effect));
          break;
        }
        case "load-start": {
          const record = this.loads.get(note.id);
          if (record !== undefined) record.startedNs = t;
          break;
        }
        case "load-step": {
          const record = this.loads.get(note.id);
          if (record !== undefined) record.stepsApplied++;
          break;
        }
      }
    }
    // Planned commands were computed without the live faults: if one of those wants a touched target otherwise,
    // set it right at the next boundary.
    if (this.hasLiveFaults() && reconcile(this.book, this.actual, check.links, check.actors).length > 0)
      this.queue.push({ type: "reconcile", ...check });
    this.snapshot(t);
  }

  private hasLiveFaults(): boolean {
    for (const f of this.faults.values()) if (f.source === "live" && f.state === "active") return true;
    return false;
  }

  /** The record of a planned (or replayed) fault or load change, created pending when first seen. */
  private recordPlanned(note: StepNote, t: number): void {
    if (note.type === "load-start" && !this.loads.has(note.id)) {
      this.loads.set(note.id, {
        id: note.id,
        name: note.name,
        source: note.source,
        targets: note.targets,
        spec: note.spec,
        startedNs: null,
        endsNs: note.endsNs,
        steps: note.steps,
        stepsApplied: 0,
      });
    }
    if (note.type === "fault-inject" && !this.faults.has(note.id)) {
      const durationNs = note.clearDueNs === null ? null : note.clearDueNs - t;
      this.faults.set(note.id, {
        id: note.id,
        name: note.name,
        action: note.action,
        source: note.source,
        targets: note.targets,
        spec: note.spec,
        state: "pending",
        injectedNs: null,
        clearedNs: null,
        clearDueNs: note.clearDueNs,
        durationNs,
        plannedNs: t,
      });
    }
  }

  private snapshot(t: number): void {
    let active = 0;
    for (const f of this.faults.values()) if (f.state === "active") active++;
    const s: Snapshot = {
      timeNs: t,
      activeFaults: active,
      faultedActors: this.actual.faultedActors(),
      faultedLinks: this.actual.faultedLinks(),
    };
    const last = this.snapshots[this.snapshots.length - 1]!;
    if (last.timeNs === t) this.snapshots[this.snapshots.length - 1] = s;
    else this.snapshots.push(s);
  }

  private snapshotBefore(t: number): Snapshot {
    for (let i = this.snapshots.length - 1; i >= 0; i--) if (this.snapshots[i]!.timeNs < t) return this.snapshots[i]!;
    return this.snapshots[0]!;
  }
}
