/**
 * The host side of the run protocol (decentralised; README "How it works"). A host joins a run, builds its shard
 * from RunStart, then runs windows on its own: after each it sends every other host m one PeerWindow on
 * `report.<n>.window.<m>`: its WindowReport without the intervals it closed and the packets it sent m. With every
 * host's report of its last window in, it picks the next window by the rule all hosts share (window-plan.ts): one
 * one-way delivery per window, not a round trip through the coordinator, whose grants bound how far hosts run and
 * carry the commands. The coordinator gets the whole reports in bundles on `report.<n>.full`, at once when this
 * host will wait for a grant or closed an interval (the exchange: peer-exchange.ts). This file keeps the lifecycle:
 * join, start or resume, windows, checkpoints, stop. Messages that do not decode or fit the sequence are counted
 * and dropped; a model error aborts the run.
 */
import type { ModelLookup } from "./actor.ts";
import { scenarioFromJson } from "./scenario-json.ts";
import type { ResolvedScenario } from "./topology.ts";
import { Shard } from "./shard.ts";
import { reportHost, subjects, type RunSubjects, type Subscription, type Transport } from "./transport/transport.ts";
import { WindowPlanner, type PlanStep } from "./window-plan.ts";
import { checkpointFrames, decodeCheckpointRequest, versionMismatch } from "./checkpoint-wire.ts";
import { CoordinatorWatchdog } from "./coordinator-watchdog.ts";
import { checkpointMessages, type HostRun, restoreHostState, SnapshotInbox } from "./host-checkpoint.ts";
import { NO_COUNTS } from "./host-reports.ts";
import { HostHello } from "./host-hello.ts";
import { PeerExchange } from "./peer-exchange.ts";
import { checkGrant, earliestEvent, tryDecode, wire } from "./wire.ts";
import { WindowClock } from "./window-clock.ts";
import { finalReport, ranWindowReport } from "./window-report.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";

export interface HostAgentOptions {
  transport: Transport;
  runId: string;
  host: number;
  /**
   * The models of a run, chosen once its scenario arrives (exact models, or leap behaviours: nodes/leap/support.ts).
   * The caller supplies them so the runtime imports no model.
   */
  models: (scenario: ResolvedScenario) => ModelLookup;
  /**
   * Settles once `models` can be called: a host says hello while its models still load (nodes/host.ts) and takes
   * RunStart once they have; a failed load fails the host as a model error does.
   */
  modelsLoaded?: Promise<unknown>;
  /** How often to repeat HostHello until the coordinator starts the run. */
  helloIntervalMs?: number;
  /** Once the run started, stop when nothing comes from the coordinator (grants, its heartbeat) for this long. */
  coordinatorTimeoutMs?: number;
}

/** Longest stretch of windows run one after another without letting the event loop turn (scheduleAdvance). */
const YIELD_AFTER_MS = 20;

export class HostAgent {
  readonly host: number;
  /** Resolves with the stop reason when the coordinator ends the run (or this host aborts it). */
  readonly finished: Promise<string>;
  private readonly transport: Transport;
  private readonly subjects: RunSubjects;
  private readonly models: (scenario: ResolvedScenario) => ModelLookup;
  private readonly modelsLoaded: Promise<unknown> | undefined;
  private readonly hello: HostHello;
  private readonly subscriptions: Subscription[] = [];
  private finish!: (reason: string) => void;
  private shard: Shard | undefined;
  private planner: WindowPlanner | undefined;
  private durationNs = 0;
  /** Grants and reports that came before RunStart (kept in order, handled once the shard exists). */
  private readonly early: { grant: boolean; bytes: Uint8Array; from?: number }[] = [];
  private grantSeq = 0;
  private stopSeen = false;
  /** RunStart came (the run starts once the models are in). */
  private startSeen = false;
  /** The window reports this host sends and gets (the other hosts' with their packets). */
  private readonly exchange: PeerExchange;
  private malformed = 0;
  private closed = false;
  private stopped = false;
  /** This host's snapshot when the run goes on from a checkpoint; refusals are counted, a whole one's reported. */
  private readonly inbox: SnapshotInbox;
  /** Set from the start until a turn of the event loop has passed (begin). */
  private firstWindowHeld = false;
  /** Where this host's wall time goes over its windows (its final report carries it). */
  private readonly clock = new WindowClock();
  /** advance() is queued to run after the current message handlers and the transport's writes (scheduleAdvance). */
  private advanceQueued = false;
  /** When the event loop last turned for this host's windows (scheduleAdvance). */
  private sliceStartMs = performance.now();
  private readonly watchdog: CoordinatorWatchdog | undefined;
  /** The host stopped because the coordinator fell silent. */
  coordinatorLost = false;
  /** The coordinator stopped this run to recover it from a checkpoint: the host joins again (RunStop.rejoin). */
  rejoin = false;
  /** The interval boundary the coordinator wants a checkpoint at, and what a snapshot refers to. */
  private checkpointAt: number | undefined;
  private run: HostRun | undefined;

  constructor(options: HostAgentOptions) {
    this.transport = options.transport;
    this.host = options.host;
    this.models = options.models;
    this.modelsLoaded = options.modelsLoaded;
    this.subjects = subjects(options.runId);
    this.hello = new HostHello(
      options.transport,
      this.subjects.hello(options.host),
      options.host,
      options.helloIntervalMs ?? 200,
    );
    this.inbox = new SnapshotInbox((reason, whole) => {
      this.countMalformed();
      if (whole) this.publishError(`its snapshot was refused: ${reason}`);
    });
    this.exchange = new PeerExchange(options.transport, this.subjects, options.host, () => ({
      malformedMessages: this.malformed,
      stopSeen: this.stopSeen,
    }));
    const ms = options.coordinatorTimeoutMs;
    this.watchdog =
      ms === undefined
        ? undefined
        : new CoordinatorWatchdog(ms, () => {
            this.coordinatorLost = true;
            this.shutdown(`nothing heard from the coordinator for ${ms / 1000} s (--coordinator-timeout): it is gone`);
          });
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  /** Wire messages this host could not decode and dropped. */
  get malformedMessages(): number {
    return this.malformed;
  }

  /** `heard`: the host heard its coordinator already (it joins again): the watchdog is on from now. */
  start(heard = false): void {
    const t = this.transport;
    this.subscriptions.push(
      t.subscribe(this.subjects.start, (bytes) => this.onStart(bytes)),
      t.subscribe(this.subjects.grant, (bytes) => this.onGrant(bytes)),
      // Every other host's window report and packets, subscribed before the hello so none can be missed; the sender
      // is read from the subject (only host n may publish on report.n.*), and a report naming another is dropped.
      t.subscribe(this.subjects.windowsTo(this.host), (bytes, subject) => this.onPeer(bytes, reportHost(subject))),
      t.subscribe(this.subjects.stop, (bytes) => this.onStop(bytes)),
      t.subscribe(this.subjects.checkpoint, (bytes) => this.onCheckpointRequest(bytes)),
      t.subscribe(this.subjects.alive, () => (this.watchdog?.heard(), this.hello.heartbeat())),
      t.subscribe(this.subjects.restore(this.host), (bytes) => this.onRestore(bytes)),
    );
    this.hello.start();
    if (heard) this.watchdog?.start();
  }

  private onStart(bytes: Uint8Array): void {
    const start = tryDecode(wire.RunStart, bytes);
    if (start === undefined) return this.countMalformed();
    if (this.startSeen) return; // a repeated start: already running (or starting)
    this.startSeen = true;
    this.hello.stop();
    this.watchdog?.start();
    // Grants and reports that come meanwhile wait as before RunStart (keepEarly); a stop ends the wait.
    if (this.modelsLoaded === undefined) return this.startRun(start);
    this.modelsLoaded.then(
      () => this.stopped || this.startRun(start),
      (error: unknown) =>
        this.guard(() => {
          throw error;
        }),
    );
  }

  private startRun(start: dctwin.v1.RunStart): void {
    this.guard(() => {
      const scenario = scenarioFromJson(start.scenarioJson);
      this.exchange.begin(start.hostCount, scenario.actors.length);
      this.durationNs = scenario.run.durationNs;
      const models = this.models(scenario);
      this.run = { scenario, placement: start.placement, models };
      if (start.restoreAtNs > 0) return this.resumeWith(this.inbox.expect(start.restoreAtNs));
      this.shard = new Shard(scenario, start.placement, this.host, models);
      this.planner = new WindowPlanner(scenario, start.placement);
      this.shard.init();
      this.exchange.publish({
        window: 0,
        startNs: 0,
        endNs: 0,
        nextEventNs: this.shard.nextEventNs(),
        batchesSentTo: this.exchange.noBatches(),
        counters: NO_COUNTS,
        intervals: [],
      });
    });
    this.begin();
  }

  /** Once the shard exists: the messages kept until then, and the windows they allow. */
  private begin(): void {
    if (this.shard === undefined) return;
    // The first window waits a turn of the event loop (grants and reports meanwhile wait too): the start-up report
    // goes out first, so the coordinator sees set-up end before a one-host run's whole first window.
    this.firstWindowHeld = true;
    for (const m of this.early.splice(0)) m.grant ? this.onGrant(m.bytes) : this.onPeer(m.bytes, m.from);
    setImmediate(() => {
      this.firstWindowHeld = false;
      this.advance();
    });
  }

  private onRestore(bytes: Uint8Array): void {
    this.guard(() => this.resumeWith(this.inbox.add(bytes))); // a set after the one awaited is never taken
    this.begin();
  }

  /**
   * Continues from a checkpoint, once RunStart and this host's snapshot are both in: the host reports the checkpoint's window again (its start-up report), so every
   * host and the coordinator pick the next window from the same reports as the interrupted run did.
   */
  private resumeWith(bytes: Uint8Array | undefined): void {
    if (bytes === undefined) return;
    const state = restoreHostState(bytes, this.run!, this.host);
    this.shard = state.shard;
    this.planner = state.planner;
    this.grantSeq = state.grantSeq;
    this.malformed += state.malformed;
    const atNs = state.planner.lastEndNs;
    this.exchange.publish({
      window: state.window,
      startNs: atNs,
      endNs: atNs,
      nextEventNs: state.shard.nextEventNs(),
      batchesSentTo: this.exchange.noBatches(),
      counters: state.shard.currentCounters(),
      intervals: [],
    });
  }

  private onCheckpointRequest(bytes: Uint8Array): void {
    const request = decodeCheckpointRequest(bytes);
    if (request === undefined) return this.countMalformed();
    if (request.kind === "other-version") {
      // Refused in this host's version, whose prefix the coordinator reads whatever its own (checkpoint-wire.ts).
      const refusal = new Error(versionMismatch("the coordinator", request.version, `host ${this.host}`));
      for (const frame of checkpointFrames(0, refusal))
        this.transport.publish(this.subjects.hostCheckpoint(this.host), frame);
      return;
    }
    this.checkpointAt = request.atNs;
    this.scheduleAdvance();
  }

  /** Takes the requested checkpoint once this host waits at its boundary with everything owed to it merged. */
  private checkpointIfDue(): void {
    const atNs = this.checkpointAt;
    if (atNs === undefined || this.planner!.horizonNs !== atNs) return;
    this.checkpointAt = undefined;
    const state = {
      shard: this.shard!,
      planner: this.planner!,
      window: this.exchange.reported,
      grantSeq: this.grantSeq,
      malformed: this.malformed,
    };
    for (const frame of checkpointMessages(atNs, state, this.run!))
      this.transport.publish(this.subjects.hostCheckpoint(this.host), frame);
  }

  private onGrant(bytes: Uint8Array): void {
    if (this.planner === undefined) return this.keepEarly({ grant: true, bytes });
    const grant = tryDecode(wire.Grant, bytes);
    const checked =
      grant === undefined ? undefined : checkGrant(grant, this.grantSeq, this.planner.horizonNs, this.durationNs);
    if (checked === undefined) return this.countMalformed();
    this.grantSeq++;
    this.watchdog?.heard();
    this.planner.grant(checked.untilNs, checked.stamps);
    if (checked.stop) this.stopSeen = true;
    this.scheduleAdvance();
  }

  private onPeer(bytes: Uint8Array, from: number | undefined): void {
    if (this.planner === undefined) return this.keepEarly({ grant: false, bytes, from });
    const shard = this.shard!;
    const arrived = performance.now();
    const events = this.exchange.receive(bytes, from, (actor) => shard.runsActor(actor));
    if (events === undefined) return this.countMalformed();
    if (events.length > 0) this.guard(() => shard.mergeRemote(events));
    this.clock.exchanged(arrived);
    this.scheduleAdvance();
  }

  private keepEarly(message: { grant: boolean; bytes: Uint8Array; from?: number }): void {
    if (this.early.length < 256) this.early.push(message);
    else this.countMalformed();
  }

  private onStop(bytes: Uint8Array): void {
    const stop = tryDecode(wire.RunStop, bytes);
    this.rejoin = stop?.rejoin === true;
    this.shutdown(stop?.reason ?? "stopped");
  }

  /**
   * Runs windows once the handlers of what has just arrived are done, never inside one. A transport hands over all
   * it read in one go (nats.js a socket read, the in-process transport its queue) and writes what was published in
   * a microtask queued by the publish: a window run from a handler, or right after the one before, would go ahead
   * of that write and the PeerWindow just published would reach its peers a window late (on leaf-spine-4k NATS/2
   * ~1 ms of every 2.5 ms window). A microtask queued after the publish runs after the transport's. After a slice
   * of YIELD_AFTER_MS the next window waits for a turn of the event loop instead: a host that never waits (alone,
   * or in process, where every delivery is a microtask) would otherwise hold every timer, signal (Ctrl-C) and
   * control call of its process until its run ended.
   */
  private scheduleAdvance(): void {
    if (this.advanceQueued) return;
    this.advanceQueued = true;
    const run = () => {
      this.advanceQueued = false;
      this.advance();
    };
    const now = performance.now();
    if (now - this.sliceStartMs < YIELD_AFTER_MS) return queueMicrotask(run);
    setImmediate(() => {
      this.sliceStartMs = performance.now();
      run();
    });
  }

  /**
   * Runs the next window this host may run, if any, and queues the one after (scheduleAdvance): its PeerWindow goes
   * out first, and a host that never waits still lets the event loop turn every YIELD_AFTER_MS.
   */
  private advance(): void {
    if (this.firstWindowHeld || this.stopped || this.closed || this.shard === undefined) return;
    const reports = this.exchange.ready();
    if (reports === undefined) return; // reports still on the wire
    const step = this.nextStep(reports);
    if (step.kind === "wait") {
      this.exchange.flush(); // the coordinator has every report before it is needed for a grant or a checkpoint
      return this.checkpointIfDue();
    }
    this.guard(() => (step.kind === "run" ? this.runWindow(step) : this.close(step)));
    if (step.kind === "run") this.scheduleAdvance();
  }

  /**
   * The window rule, and the stop rule every host applies alike: the run stops after the first window whose
   * reports all saw the stop, or where the rule says wait once the stop is seen (the stop grant moves nothing).
   */
  private nextStep(reports: readonly dctwin.v1.WindowReport[]): PlanStep {
    const planner = this.planner!;
    const stopHere = { kind: "finish", window: this.exchange.reported + 1, atNs: planner.lastEndNs } as const;
    if (reports.every((r) => r.stopSeen)) return stopHere;
    const step = planner.next(earliestEvent(reports));
    return step.kind === "wait" && this.stopSeen ? stopHere : step;
  }

  private runWindow(step: Extract<PlanStep, { kind: "run" }>): void {
    this.planner!.begin(step);
    const started = this.clock.start();
    const result = this.shard!.runWindow(step.window, step.startNs, step.endNs, step.commands);
    const ran = this.clock.ranEvents(started);
    this.exchange.publish(ranWindowReport(step, result, this.exchange.noBatches()), result.outbox);
    this.clock.exchanged(ran);
  }

  private close(step: Extract<PlanStep, { kind: "finish" }>): void {
    const finished = this.shard!.finish(step.atNs);
    this.closed = true;
    const noBatches = this.exchange.noBatches();
    this.exchange.publish(finalReport(step, finished, this.shard!.nextEventNs(), noBatches, this.clock.timing()));
  }

  private countMalformed(): void {
    this.malformed++;
  }

  /** Runs a step; on an exception reports it to the coordinator and stops this host. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.publishError(message);
      this.shutdown(`host ${this.host} failed: ${message}`);
    }
  }

  private publishError(message: string): void {
    this.exchange.flush(); // the windows this host finished reach the coordinator ahead of the error that ends the run
    this.transport.publish(
      this.subjects.error(this.host),
      wire.HostError.encode({ host: this.host, message }).finish(),
    );
  }

  private shutdown(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.hello.stop();
    this.watchdog?.stop();
    this.exchange.stop(this.rejoin);
    for (const s of this.subscriptions) s.unsubscribe();
    this.finish(reason);
  }
}
