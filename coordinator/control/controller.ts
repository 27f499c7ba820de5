/**
 * The control side of one run: follows the experiment plan as the driver applies it, takes live faults and load
 * changes, and keeps the records the API, the metrics stream and experiment.json report. It wires four parts
 * together: the lifecycle (lifecycle.ts: states, transitions, legal calls), the change book (change-book.ts:
 * records and ids), what changes do to the twin with their timed follow-ups (change-effects.ts, follow-ups.ts),
 * and the interval feed (interval-feed.ts).
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
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";
import type { ClosedInterval } from "./interval-metrics.ts";
import type { RunDriver, RunOutcome, WindowProgress } from "../driver/run-driver.ts";
import { sleep, wallClock, type Clock } from "../driver/clock.ts";
import { actionName, type ExperimentPlan } from "./plan.ts";
import type { StepNote } from "../../spec/experiment.ts";
import { resolveFault, resolveLoadTargets, checkLoadRequest } from "./resolve.ts";
import {
  PreconditionError,
  RequestError,
  type FaultRequest,
  type LoadRequest,
  type RequestIssue,
} from "../../spec/requests.ts";
import { Lifecycle, type RunState } from "./lifecycle.ts";
import { ChangeBook, type ChangeBookState, type FaultRecord, type LoadRecord } from "./change-book.ts";
import { ChangeEffects, type ChangeEffectsState, type ChangeOp } from "./change-effects.ts";
import { IntervalFeed, type IntervalFaultRow, type IntervalMessage } from "./interval-feed.ts";

export type { FaultRecord, LoadRecord, RunState };

export interface ControllerOptions {
  scenario: ResolvedScenario;
  plan: ExperimentPlan;
  runId: string;
  hostCount: number;
  speed?: number;
  /** The run waits for start() (StartRun) before it begins. */
  waitForStart?: boolean;
  log?: (message: string) => void;
  /** Wall time for how long `pause` waits for the hold (default: the machine's). */
  clock?: Clock;
}

/**
 * The controller's state at a checkpoint's boundary, as plain data: the records, what the changes did to the
 * twin (fault effects, link and actor states, load factors, timed follow-ups, changes not applied yet), the
 * published intervals. Not in it: the lifecycle and a pause (of the process: a resumed run starts running).
 */
export interface ControllerState {
  book: ChangeBookState;
  effects: ChangeEffectsState;
  feed: ReturnType<IntervalFeed["snapshot"]>;
  windows: number;
}

export class RunController {
  readonly scenario: ResolvedScenario;
  readonly plan: ExperimentPlan;
  readonly runId: string;
  /** Aborted by stop(): pass it (with Ctrl-C's) to the driver. */
  readonly stopSignal: AbortSignal;
  private readonly o: ControllerOptions;
  private readonly clock: Clock;
  private readonly lifecycle: Lifecycle;
  private readonly book = new ChangeBook();
  private readonly effects: ChangeEffects;
  private readonly feed: IntervalFeed;
  private readonly stopper = new AbortController();
  private driver: RunDriver | undefined;
  private error = "";
  private holding = false;
  private pauseRequested = false;
  private lastBoundaryNs = 0;
  /** Where the run starts: 0, or the boundary of the checkpoint it resumes from. */
  private startNs = 0;
  private windows = 0;
  private readonly holdWaiters: (() => void)[] = [];
  private readonly startGate: { promise: Promise<void>; open: () => void };

  constructor(options: ControllerOptions) {
    this.o = options;
    this.clock = options.clock ?? wallClock;
    this.scenario = options.scenario;
    this.plan = options.plan;
    this.runId = options.runId;
    this.stopSignal = this.stopper.signal;
    this.feed = new IntervalFeed(options.scenario);
    this.effects = new ChangeEffects(options.scenario, options.plan, this.book, (s) => this.feed.counts(s));
    this.lifecycle = new Lifecycle(options.waitForStart ? "waiting" : "starting");
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.startGate = { promise, open };
    if (!options.waitForStart) open();
    // Planned faults and load changes are known from the start (pending until their time).
    for (const step of options.plan.steps) for (const note of step.notes) this.book.addPlanned(note, step.timeNs);
  }

  /** Faults by id: planned, replayed and live. */
  get faults(): ReadonlyMap<string, FaultRecord> {
    return this.book.faults;
  }

  /** Load changes by id. */
  get loads(): ReadonlyMap<string, LoadRecord> {
    return this.book.loads;
  }

  /** Resolves when the run may begin (at once unless it waits for StartRun). */
  get started(): Promise<void> {
    return this.startGate.promise;
  }

  get runState(): RunState {
    return this.lifecycle.state;
  }

  get ended(): boolean {
    return this.lifecycle.ended;
  }

  // ---- checkpoints ---------------------------------------------------------------------------------------

  /** The state to store in a checkpoint (taken where the run waits at the checkpoint's boundary). */
  snapshot(): ControllerState {
    return {
      book: this.book.snapshot(),
      effects: this.effects.snapshot(),
      feed: this.feed.snapshot(),
      windows: this.windows,
    };
  }

  /**
   * Back to the state of a checkpoint at boundary `atNs` (`--resume`), before the run starts: the run goes on
   * from there, so changes made before its first window take effect at `atNs` (not at 0).
   */
  restore(state: ControllerState, atNs: number): void {
    if (this.driver !== undefined) throw new Error("the control state is restored before the run starts");
    this.book.restore(state.book);
    this.effects.restore(state.effects);
    this.feed.restore(state.feed);
    this.windows = state.windows;
    this.lastBoundaryNs = atNs;
    this.startNs = atNs;
  }

  // ---- hooks called by the run ---------------------------------------------------------------------------

  /**
   * runTwin's onDriver: the driver exists and has not started its first window. Called again with the driver of
   * each recovery (run-recovery.ts): what this controller did stays as it was (the driver replays the live
   * commands), and a pause holds the recovered run again where it is.
   */
  attach(driver: RunDriver): void {
    const again = this.driver !== undefined;
    this.driver = driver;
    if (again) {
      this.holding = false;
      if (this.pauseRequested) driver.pause();
      return;
    }
    this.lifecycle.advance("waiting", "starting");
    if (this.pauseRequested) {
      driver.pause();
      this.beginHold(this.startNs);
    }
    this.flush(this.startNs);
  }

  onWindow(progress: WindowProgress): void {
    this.windows = progress.window + 1;
    this.lifecycle.advance("starting", "running");
  }

  /** The driver's horizon: commands submitted now take effect at `timeNs`. */
  onBoundary(timeNs: number): void {
    this.lastBoundaryNs = timeNs;
    this.flush(timeNs);
    if (this.pauseRequested && !this.holding && this.driver?.progress().paused) this.beginHold(timeNs);
  }

  onIntervalClosed(record: IntervalRecord, ledger: LedgerSnapshot): void {
    // Hosts report no interval in which nothing happened: the stream still sends one message per interval.
    while (this.feed.published < record.index) this.publishInterval(this.feed.published, null);
    this.publishInterval(record.index, { record, ledger });
  }

  /** The run is over: later calls that change it are refused; streams end. */
  finish(outcome: RunOutcome | undefined, error?: unknown): void {
    if (outcome !== undefined) {
      const intervals = Math.ceil(outcome.simTimeNs / this.scenario.run.metricsIntervalNs);
      while (this.feed.published < intervals) this.publishInterval(this.feed.published, null);
      this.effects.mirrorUntil(outcome.simTimeNs, false);
      this.lifecycle.to(outcome.status === "completed" ? "completed" : "interrupted");
    } else {
      this.lifecycle.to("failed");
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.holding = false;
    for (const w of [...this.holdWaiters.splice(0)]) w();
    this.feed.end();
    this.startGate.open();
  }

  // ---- the API -------------------------------------------------------------------------------------------

  start(): void {
    this.lifecycle.check("start");
    this.lifecycle.to("starting");
    this.startGate.open();
  }

  /** Holds the run at the next window boundary; resolves once it holds (or after `waitMs` on the clock). */
  async pause(waitMs = 5000): Promise<void> {
    this.lifecycle.check("pause");
    if (this.pauseRequested) return;
    this.pauseRequested = true;
    if (this.driver === undefined) return; // takes effect when the run starts
    this.driver.pause();
    if (this.holding) return;
    const held = new AbortController();
    this.holdWaiters.push(() => held.abort());
    await sleep(this.clock, waitMs, held.signal);
  }

  resume(): void {
    this.lifecycle.check("resume");
    this.pauseRequested = false;
    if (this.holding) {
      this.holding = false;
      this.lifecycle.to("running");
    }
    this.driver?.resume();
  }

  stop(reason: string): void {
    if (!this.lifecycle.allows("stop")) return;
    this.o.log?.(`stop requested: ${reason || "no reason given"}`);
    this.stopper.abort(new Error(reason));
    if (this.runState === "waiting") this.start();
  }

  injectFault(request: FaultRequest, path = "fault"): FaultRecord {
    this.lifecycle.check("injectFault");
    const id = this.book.nextFaultId();
    const named = { ...request, name: request.name || id };
    const issues: RequestIssue[] = [];
    // Without a seed of its own, the choice draws from the stream of its id: the same requests choose alike.
    const resolved = resolveFault(this.scenario, { ...named, name: id }, this.scenario.run.seed, path, issues);
    if (resolved === undefined) throw new RequestError(issues);
    const record = this.book.addLiveFault(id, {
      name: named.name,
      action: actionName(named),
      targets: resolved.targets,
      spec: named,
      durationNs: named.durationNs,
    });
    this.enqueue({ type: "inject", id, effect: resolved.effect });
    return record;
  }

  clearFault(id: string): FaultRecord {
    const record = this.book.faults.get(id);
    if (record === undefined)
      throw new RequestError([{ path: "id", message: `no fault with id "${id}"`, notFound: true }]);
    if (record.state === "cleared") return record;
    this.lifecycle.check("clearFault");
    if (record.state === "pending") {
      if (!this.effects.withdrawInject(id))
        throw new PreconditionError(
          `fault ${id} is planned for t = ${(record.plannedNs ?? 0) / 1e9} s and not injected yet`,
        );
      this.book.withdrawn(id);
      return record;
    }
    this.effects.clearNext(id);
    this.flushIfHolding();
    return record;
  }

  changeLoad(request: LoadRequest, path = "change"): LoadRecord {
    this.lifecycle.check("changeLoad");
    const issues: RequestIssue[] = [];
    checkLoadRequest(request, path, issues);
    const load = issues.length === 0 ? resolveLoadTargets(this.scenario, request, path, issues) : undefined;
    if (load === undefined || issues.length > 0) throw new RequestError(issues);
    const id = this.book.nextLoadId();
    const record = this.book.addLiveLoad(id, {
      name: request.name || id,
      targets: load.targets.map((i) => this.scenario.actors[i]!.id),
      spec: { ...request, name: request.name || id },
    });
    this.enqueue({ type: "load", id, request, load });
    return record;
  }

  /** For the metrics exporter: the faults injected so far (in force or cleared), and the counts. */
  faultsNow() {
    return this.book.faultsNow();
  }

  listFaults(includeCleared: boolean): FaultRecord[] {
    return this.book.list(includeCleared);
  }

  status() {
    const progress = this.driver?.progress();
    const last = this.feed.latest;
    return {
      runId: this.runId,
      scenario: this.scenario.run.name,
      state: this.runState,
      simTimeNs: progress?.simTimeNs ?? 0,
      durationNs: this.scenario.run.durationNs,
      windows: progress?.windows ?? this.windows,
      hosts: progress?.hostsJoined ?? 0,
      hostCount: this.o.hostCount,
      speed: this.o.speed ?? 0,
      activeFaults: last.activeFaults,
      pendingFaults: this.book.count("pending"),
      faultedActors: last.faultedActors,
      faultedLinks: last.faultedLinks,
      appliedCommands: progress?.appliedCommands ?? 0,
      load: this.effects
        .loadInForce()
        .map(({ actor, factor, ratePerS }) => ({ actor: this.scenario.actors[actor]!.id, factor, ratePerS })),
      error: this.error,
    };
  }

  /** Closed intervals from `fromInterval` on, then each new one until the run ends. Returns the unsubscribe. */
  watch(fromInterval: number, onInterval: (m: IntervalMessage) => void, onEnd: () => void): () => void {
    return this.feed.watch(fromInterval, onInterval, onEnd);
  }

  /** Per-interval fault counts for the results (one row per closed interval). */
  intervalFaultRows(): IntervalFaultRow[] {
    return this.feed.faultRows();
  }

  /** Notes of every change at each simulated time (for the replay file). */
  notesByTime(): Map<number, StepNote[]> {
    return this.book.notesByTime();
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private enqueue(op: ChangeOp): void {
    this.effects.enqueue(op);
    this.flushIfHolding();
  }

  /** Held: applied where the run holds. Otherwise at the next window's end, or at t = 0 if the run has not begun. */
  private flushIfHolding(): void {
    if (this.holding) this.flush(this.lastBoundaryNs);
  }

  private beginHold(atNs: number): void {
    this.holding = true;
    this.lastBoundaryNs = atNs;
    this.lifecycle.to("paused");
    for (const w of this.holdWaiters.splice(0)) w();
  }

  /** Applies what is due at boundary `t`. */
  private flush(t: number): void {
    const driver = this.driver;
    if (driver === undefined || this.ended) return;
    this.effects.flush(t, (command) => driver.submit(command));
  }

  private publishInterval(index: number, closed: ClosedInterval | null): void {
    const intervalNs = this.scenario.run.metricsIntervalNs;
    const startNs = index * intervalNs;
    const boundary = startNs + intervalNs;
    this.effects.mirrorUntil(boundary, false);
    const endLimit = this.stopSignal.aborted ? Math.max(this.lastBoundaryNs, startNs) : this.scenario.run.durationNs;
    this.feed.publish(index, closed, Math.min(boundary, endLimit), this.book.changesIn(startNs, boundary));
  }
}
