/**
 * The coordinator side of the run protocol. It waits for every host, starts the run, and then stays off the
 * critical path: hosts pick and run windows on their own (nodes/runtime/host-agent.ts) while the coordinator
 * listens to the same window reports, checks packet conservation for every window, aggregates intervals
 * (window-follower.ts), and keeps the grant horizon ahead of the hosts (grants.ts) — which is how it paces,
 * pauses, stops, and brings scheduled, live and boundary plug-in commands (boundary-plugins.ts) in. Wall time
 * comes from its clock (clock.ts) only.
 */
import { scenarioToJson } from "../../nodes/runtime/scenario-json.ts";
import { subjects, type RunSubjects, type Subscription } from "../../nodes/runtime/transport/transport.ts";
import { tryDecode, wire } from "../../nodes/runtime/wire.ts";
import { restoreFrames } from "../../nodes/runtime/restore-wire.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { boundaryPlugins } from "./boundary-plugins.ts";
import { Grants } from "./grants.ts";
import { ReportCollector } from "./window-reports.ts";
import { ReportDeadline } from "./report-deadline.ts";
import { PACE_TICK_MS, Pacer } from "./pacing.ts";
import { Checkpointer } from "./checkpointer.ts";
import { snapshotCoordinator } from "./coordinator-state.ts";
import { every, wallClock, type Clock } from "./clock.ts";
import { Waker } from "./waker.ts";
import { HostRoster } from "./host-roster.ts";
import { WindowFollower } from "./window-follower.ts";
import { LastReports } from "./last-reports.ts";
import {
  HostFailedError,
  HostLostError,
  JoinDeadlineError,
  type CommandSpec,
  type DriverProgress,
  type RunDriverOptions,
  type RunOutcome,
  type RunStatus,
  type TimedCommand,
} from "./run-types.ts";

export * from "./run-types.ts";

/** How often the coordinator tells the hosts it is there (HostAgentOptions.coordinatorTimeoutMs). */
export const HEARTBEAT_MS = 1_000;

export class RunDriver {
  private readonly o: RunDriverOptions;
  private readonly clock: Clock;
  private readonly subjects: RunSubjects;
  private readonly subs: Subscription[] = [];
  private readonly roster = new HostRoster();
  private readonly reports: ReportCollector;
  /** The hosts a failed run waits for, not those known gone (HostLostError), and how that wait ended. */
  private readonly lastReports: LastReports;
  private readonly grants: Grants;
  private readonly checkpointer: Checkpointer | undefined;
  private readonly deadline: ReportDeadline | undefined;
  private readonly waker: Waker;
  private paused = false;
  /** The stop grant went out (after an abort). */
  private stopSent = false;
  /** RunStop went out. */
  private stopAnnounced = false;
  /** A paused run holds at the horizon (announced once through onBoundary). */
  private holding = false;
  /** Malformed messages dropped by the coordinator itself. */
  private malformed = 0;
  /** The hosts' windows as the coordinator follows them; undefined before the run starts. */
  private follower: WindowFollower | undefined;

  constructor(options: RunDriverOptions) {
    this.o = options;
    this.clock = options.clock ?? wallClock;
    this.waker = new Waker(this.clock, options.signal);
    this.subjects = subjects(options.runId);
    this.reports = new ReportCollector(options.hostCount, options.restore?.window ?? 0);
    this.lastReports = new LastReports(options.hostCount, (host) => this.reports.lastFrom(host));
    this.grants =
      options.restore?.grants ??
      new Grants(options.scenario, options.schedule ?? [], boundaryPlugins(options.scenario, options.boundaryPlugins));
    if (options.replayLive !== undefined) this.grants.replay(options.replayLive);
    const run = options.scenario.run;
    this.deadline =
      options.reportTimeoutMs === undefined ? undefined : new ReportDeadline(options.reportTimeoutMs, this.clock);
    const policy = options.checkpoint;
    this.checkpointer =
      policy === undefined
        ? undefined
        : new Checkpointer({
            ...policy,
            clock: this.clock,
            hostCount: options.hostCount,
            intervalNs: run.metricsIntervalNs,
            durationNs: run.durationNs,
            lastNs: options.restore?.planner.lastEndNs,
            request: (bytes) => options.transport.publish(this.subjects.checkpoint, bytes),
          });
  }

  /** Queues a command for the time `onBoundary` last announced (a live fault or load change). */
  submit(command: CommandSpec): void {
    this.grants.submit(command);
    this.waker.poke();
  }

  /** Every live command of the run with the time it takes effect (what a recovery replays: Grants.liveLog). */
  liveLog(): TimedCommand[] {
    return this.grants.liveLog();
  }

  /** Holds the run at the current horizon until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.waker.poke();
  }

  /** Where the run is, for status calls. */
  progress(): DriverProgress {
    const f = this.follower;
    return {
      simTimeNs: f?.simTimeNs ?? 0,
      windows: f?.windowsRun ?? 0,
      paused: this.paused,
      hostsJoined: this.roster.size,
      appliedCommands: this.grants.applied.length,
      idle: this.waker.sleeping && f?.waiting === true,
    };
  }

  /** Subscribes to the coordination subjects; call before any host can say hello. */
  listen(): void {
    const t = this.o.transport;
    // One subject per host and report kind: a report that names another host than its subject is not trusted.
    for (let host = 0; host < this.o.hostCount; host++) {
      this.subs.push(
        t.subscribe(this.subjects.hello(host), (b) => this.onHello(b, host)),
        t.subscribe(this.subjects.fullWindow(host), (b) => this.reports.addBundle(b, host) && this.heard()),
        t.subscribe(this.subjects.error(host), (b) => this.onError(b, host)),
        t.subscribe(this.subjects.hostCheckpoint(host), (b) => this.checkpointer?.add(b, host) && this.heard()),
      );
    }
    // Hosts that are already waiting answer a heartbeat with a hello: they need not wait for their next one.
    t.publish(this.subjects.alive, new Uint8Array(0));
  }

  async run(): Promise<RunOutcome> {
    const { transport, scenario, hostCount, placement } = this.o;
    let stopHeartbeat = () => {};
    let rejoin = false;
    let started = false;
    try {
      // From the start, so that a host that joined hears its coordinator die even before the run starts.
      stopHeartbeat = every(this.clock, HEARTBEAT_MS, () => transport.publish(this.subjects.alive, new Uint8Array(0)));
      // A resumed run goes on from its checkpoint: the hosts' first reports are of its window (their start-up).
      // Its part before the checkpoint counts from now, also if the hosts never join (partialOutcome).
      const restored = this.o.restore;
      if (restored !== undefined) this.follower = this.newFollower(restored);
      await this.waker.until(() => this.roster.size === hostCount);
      const hosts = this.roster.list();
      this.o.onHostsJoined?.(hosts);
      this.deadline?.reset(); // the hosts owe their start-up reports from now on
      const restoreAtNs = this.sendSnapshots();
      transport.publish(
        this.subjects.start,
        wire.RunStart.encode({ scenarioJson: scenarioToJson(scenario), hostCount, placement, restoreAtNs }).finish(),
      );
      started = true;
      this.malformed += restored?.malformed ?? 0;
      const f = this.follower ?? this.newFollower(undefined);
      this.follower = f;
      const pacer = this.o.speed === undefined ? undefined : new Pacer(this.clock, this.o.speed);
      for (;;) {
        this.takeReports(f);
        this.checkpointer?.complete(
          f.waiting ? f.planner.horizonNs : undefined,
          () =>
            snapshotCoordinator(
              {
                aggregator: f.aggregator,
                grants: this.grants,
                planner: f.planner,
                totals: f.totals,
                window: this.reports.next - 1,
                windowsRun: f.windowsRun,
                reportedStartNs: f.reportedStartNs,
                malformed: this.malformed,
                results: this.o.resultsState?.(),
              },
              scenario,
              placement,
            ),
          this.o.controlSnapshot,
        );
        const finals = this.reports.takeFinals();
        if (finals !== undefined) return this.outcome(f, f.takeFinals(finals, this.reports.next));
        if (this.steer(f, pacer)) continue; // the new horizon may let the planner (and the hosts) go on at once
        this.watchDeadline(f);
        await this.waker.news(pacer !== undefined && !this.paused ? PACE_TICK_MS : this.deadline?.tickMs);
      }
    } catch (error) {
      if (error instanceof HostLostError) this.lastReports.lost(error.hosts);
      const recoverable = error instanceof HostFailedError && !(error instanceof JoinDeadlineError);
      rejoin = this.o.rejoinOnHostLoss === true && recoverable;
      if (started && !rejoin) await this.takeLastReports(this.follower!).catch(() => {}); // the failure stands
      throw error;
    } finally {
      stopHeartbeat();
      this.stopHosts(rejoin ? "a host was lost: the run goes back to its last checkpoint" : "run ended", rejoin);
    }
  }

  private newFollower(restored: RunDriverOptions["restore"]): WindowFollower {
    const { scenario, placement, onIntervalClosed, keepClosedIntervals } = this.o;
    return new WindowFollower(scenario, placement, restored, onIntervalClosed, keepClosedIntervals);
  }

  /** Follows every window whose reports are all in. */
  private takeReports(f: WindowFollower): void {
    for (let set = this.reports.take(); set !== undefined; set = this.reports.take()) {
      const progress = f.take(set, this.reports.next - 1);
      if (progress !== undefined) this.o.onWindow?.(progress);
      else this.o.onHostsReady?.(); // the start-up reports
    }
  }

  /** The run failed: the hosts' last reports, so the partial outcome has every window they finished (last-reports.ts). */
  private async takeLastReports(f: WindowFollower): Promise<void> {
    this.announceStop("run ended");
    await this.lastReports.wait(this.waker, this.clock, () => this.o.transport.flush());
    try {
      this.takeReports(f);
    } catch {
      // a set that fails the checks ends the outcome before it, as it would have ended the run
    }
  }

  /**
   * Each host's snapshot on its own subject, before the RunStart that names its boundary (0: none, a fresh start).
   * Hosts subscribed before their hello, so none is missed.
   */
  private sendSnapshots(): number {
    const restore = this.o.restoreHosts;
    if (restore === undefined) return 0;
    for (const [host, snapshot] of restore.snapshots.entries())
      for (const frame of restoreFrames(restore.atNs, snapshot))
        this.o.transport.publish(this.subjects.restore(host), frame);
    return restore.atNs;
  }

  /** What run-info.json says of checkpoints: how many were saved, the last one, why none are taken any more. */
  checkpointStatus(): { saved: number; last_at_s: number | null; disabled: string | null } | null {
    const c = this.checkpointer;
    if (c === undefined) return null;
    return {
      saved: c.saved,
      last_at_s: c.lastSavedNs > 0 ? c.lastSavedNs / 1e9 : null,
      disabled: c.disabledReason ?? null,
    };
  }

  /**
   * The outcome of the windows completed so far, for a run that failed or was cut short before its final call
   * (intervals the hosts had not closed yet are missing from it); null before the run started.
   */
  partialOutcome(status: RunStatus): RunOutcome | null {
    const f = this.follower;
    if (f === undefined) return null;
    return {
      ...f.outcomeFigures(this.roster.list()),
      status,
      appliedCommands: this.grants.applied.filter((c) => c.timeNs < f.simTimeNs),
      simTimeNs: f.simTimeNs,
      malformedMessages: this.malformed + f.hostsMalformed,
      lastReports: this.lastReports.record,
    };
  }

  /** Tells hosts the run is over; safe to call more than once. */
  stopHosts(reason: string, rejoin = false): void {
    if (this.subs.length === 0) return;
    this.announceStop(reason, rejoin);
    for (const s of this.subs.splice(0)) s.unsubscribe();
  }

  private announceStop(reason: string, rejoin = false): void {
    if (this.stopAnnounced) return;
    this.stopAnnounced = true;
    this.o.transport.publish(this.subjects.stop, wire.RunStop.encode({ reason, rejoin }).finish());
  }

  /** Ends the run with this error (e.g. a host process died); a host lost while the run waits is not waited for. */
  abort(error: Error): void {
    if (error instanceof HostLostError) this.lastReports.lost(error.hosts);
    this.waker.fail(error);
  }

  /** Stops, holds or moves the horizon; true when a grant moved it. */
  private steer(f: WindowFollower, pacer: Pacer | undefined): boolean {
    if (this.o.signal?.aborted) {
      // A checkpoint asked for is completed first: the hosts snapshot before they see a stop grant, so one sent
      // meanwhile would be in the coordinator's part alone, and the checkpoint would not resume (a grant ahead).
      if (this.stopSent || this.checkpointer?.pendingNs !== undefined) return false;
      this.publishGrant(f, this.grants.stop());
      this.stopSent = true;
      return false;
    }
    if (this.paused) {
      pacer?.hold();
      // Held once every host waits at the horizon: commands submitted now apply there, when the run resumes.
      if (f.waiting && !this.holding) {
        this.holding = true;
        f.hold();
        this.o.onBoundary?.(f.planner.horizonNs);
      }
      return false;
    }
    pacer?.go();
    this.holding = false;
    const inputs = {
      reachedNs: f.reachedNs,
      reportedStartNs: f.reportedStartNs,
      aggregator: f.aggregator,
      dueNs: pacer?.dueNs(),
      capNs: this.checkpointer?.capNs(this.grants.horizonNs),
    };
    if (!this.grants.wouldMove(inputs)) return false;
    this.o.onBoundary?.(this.grants.horizonNs);
    const grant = this.grants.next(inputs);
    if (grant === null) return false;
    this.publishGrant(f, grant);
    if (f.waiting) f.plan();
    return true;
  }

  private publishGrant(f: WindowFollower, grant: dctwin.v1.Grant.$Properties): void {
    f.follow(grant); // the coordinator follows its own grants through the same check the hosts apply
    this.o.transport.publish(this.subjects.grant, wire.Grant.encode(grant).finish());
  }

  /** Fails the run when the hosts owe a report and none came in time; their silence counts only then. */
  private watchDeadline(f: WindowFollower): void {
    const deadline = this.deadline;
    if (deadline === undefined) return;
    if (this.paused || (f.owesNothing && this.checkpointer?.pendingNs === undefined && !this.stopSent))
      deadline.reset();
    else if (deadline.overdue())
      throw new HostLostError(
        `no report for ${deadline.ms / 1000} s (--report-timeout): waiting for host(s) ${this.reports.missing().join(", ")}`,
        this.reports.missing(),
      );
  }

  private outcome(f: WindowFollower, endNs: number): RunOutcome {
    const status: RunStatus = endNs >= this.o.scenario.run.durationNs ? "completed" : "interrupted";
    const applied = status === "completed" ? this.grants.applied : this.grants.applied.filter((c) => c.timeNs < endNs);
    return {
      ...f.outcomeFigures(this.roster.list()),
      status,
      appliedCommands: applied,
      simTimeNs: endNs,
      malformedMessages: this.malformed + this.reports.malformed + this.reports.leftover() + f.hostsMalformed,
    };
  }

  private onHello(bytes: Uint8Array, from: number): void {
    const result = this.roster.hello(bytes, from);
    if (result === "malformed") this.malformed++;
    else if (result instanceof HostFailedError)
      this.abort(new HostLostError(result.message, [from])); // a replacement
    else {
      // A heartbeat at once: a host that joined hears its coordinator even if it dies before the next beat.
      this.o.transport.publish(this.subjects.alive, new Uint8Array(0));
      this.waker.poke();
    }
  }

  private onError(bytes: Uint8Array, from: number): void {
    const error = tryDecode(wire.HostError, bytes);
    if (error === undefined || error.host !== from) {
      this.malformed++;
      return;
    }
    this.abort(new HostFailedError(`host ${error.host}: ${error.message}`));
  }

  private heard(): void {
    this.deadline?.reset();
    this.waker.poke();
  }
}
