/**
 * The coordinator side of the run protocol. It waits for every host, starts the run, and then stays off the
 * critical path: hosts pick and run windows on their own (nodes/runtime/host-agent.ts) while the coordinator
 * listens to the same window reports, checks packet conservation for every window, aggregates intervals, and
 * keeps the grant horizon ahead of the hosts (grants.ts) — which is how it paces, pauses, stops, and brings
 * scheduled, live and cooling commands in. It runs the hosts' window rule itself, so it knows where they are.
 */
import { lookaheadNs } from "../../nodes/runtime/lookahead.ts";
import { scenarioToJson } from "../../nodes/runtime/scenario-json.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import {
  subjects,
  type RunSubjects,
  type Subscription,
  type Transport,
} from "../../nodes/runtime/transport/transport.ts";
import { WindowPlanner, type PlanStep } from "../../nodes/runtime/window-plan.ts";
import { checkGrant, earliestEvent, tryDecode, wire } from "../../nodes/runtime/wire.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { checkConservation, conservationTotals, type ConservationTotals } from "../counts/conservation.ts";
import { CoolingRelay } from "./cooling.ts";
import { Grants, type AppliedCommand, type CommandSpec } from "./grants.ts";
import { RunAggregator, type IntervalRecord } from "../counts/aggregate.ts";
import { ReportCollector } from "./window-reports.ts";
import { ReportDeadline } from "./report-deadline.ts";
import { PACE_TICK_MS, pacedDueNs } from "./pacing.ts";
import { Checkpointer, type CheckpointPolicy, type CheckpointSet } from "./checkpointer.ts";
import { snapshotCoordinator, type CoordinatorState } from "./coordinator-state.ts";

export type { AppliedCommand, CommandSpec };

export class HostFailedError extends Error {
  override name = "HostFailedError";
}

/** How a run ended. */
export type RunStatus = "completed" | "interrupted" | "failed";

export interface HostInfo {
  host: number;
  hostname: string;
  pid: number;
  runtime: string;
}

export interface WindowProgress {
  window: number;
  startNs: number;
  endNs: number;
  events: number;
  /** Packets created so far (from the per-window conservation counters, so always current). */
  packets: number;
  /** The conservation totals over all hosts after this window (its check passed). */
  totals: ConservationTotals;
}

export interface RunDriverOptions {
  transport: Transport;
  runId: string;
  scenario: ResolvedScenario;
  placement: number[];
  hostCount: number;
  /** Simulated seconds per wall second; undefined runs as fast as possible. */
  speed?: number;
  /** Stops the run where the hosts have got to (Ctrl-C). */
  signal?: AbortSignal;
  /** Commands to apply at given simulated times (a declarative experiment); a window starts at each time. */
  schedule?: readonly { timeNs: number; command: CommandSpec }[];
  onWindow?: (progress: WindowProgress) => void;
  /**
   * Called with the simulated time at which commands submitted now take effect (a horizon no host has passed):
   * before every grant that moves the horizon, and once when a paused run holds there.
   */
  onBoundary?: (timeNs: number) => void;
  /** Called with each metrics interval once every host has reported it, and where it ends (RunAggregator). */
  onIntervalClosed?: (record: IntervalRecord, endNs: number) => void;
  /** Called once every host has said hello (e.g. to log that the run starts). */
  onHostsJoined?: (hosts: HostInfo[]) => void;
  /** Take checkpoints at interval boundaries (coordinator/checkpoint/) and hand each complete set to `save`. */
  checkpoint?: CheckpointPolicy & { save(set: CheckpointSet): void; log(message: string): void };
  /** Continue from this coordinator checkpoint (the hosts restore theirs of the same boundary). */
  restore?: CoordinatorState;
  /** Fail the run (HostFailedError) when the hosts owe a report and none is heard for this long (ms). */
  reportTimeoutMs?: number;
}

export interface RunOutcome {
  status: RunStatus;
  appliedCommands: AppliedCommand[];
  simTimeNs: number;
  aggregator: RunAggregator;
  totals: ConservationTotals;
  hosts: HostInfo[];
  malformedMessages: number;
  /** Execution figures (run-info.json), not results: they depend on placement and transport. */
  windows: number;
  events: number;
  /** Lookahead of the placement at the start (+Infinity: no link crosses hosts). */
  lookaheadNs: number;
}

/** How often the coordinator tells the hosts it is there (HostAgentOptions.coordinatorTimeoutMs). */
export const HEARTBEAT_MS = 1_000;

export class RunDriver {
  private readonly o: RunDriverOptions;
  private readonly subjects: RunSubjects;
  private readonly subs: Subscription[] = [];
  private readonly hellos = new Map<number, HostInfo>();
  private readonly reports: ReportCollector;
  private readonly grants: Grants;
  private readonly checkpointer: Checkpointer | undefined;
  private readonly deadline: ReportDeadline | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private simTimeNs = 0;
  private windowsRun = 0;
  private failure: Error | undefined;
  /** Malformed messages dropped by the coordinator itself and (last reported, cumulative) by the hosts. */
  private malformed = 0;
  private hostsMalformed = 0;
  /** What the run has measured so far, kept for `partialOutcome()` when the run cannot finish. */
  private measured: { aggregator: RunAggregator; totals: ConservationTotals; hosts: HostInfo[] } | undefined;

  constructor(options: RunDriverOptions) {
    this.o = options;
    this.subjects = subjects(options.runId);
    this.reports = new ReportCollector(options.hostCount, options.restore?.window ?? 0);
    this.grants =
      options.restore?.grants ??
      new Grants(options.scenario, options.schedule ?? [], CoolingRelay.forScenario(options.scenario));
    const run = options.scenario.run;
    this.deadline = options.reportTimeoutMs === undefined ? undefined : new ReportDeadline(options.reportTimeoutMs);
    const policy = options.checkpoint;
    this.checkpointer =
      policy === undefined
        ? undefined
        : new Checkpointer({
            ...policy,
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
    this.poke();
  }

  /** Holds the run at the current horizon until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.poke();
  }

  /** Where the run is, for status calls. */
  progress(): { simTimeNs: number; windows: number; paused: boolean; hostsJoined: number; appliedCommands: number } {
    return {
      simTimeNs: this.simTimeNs,
      windows: this.windowsRun,
      paused: this.paused,
      hostsJoined: this.hellos.size,
      appliedCommands: this.grants.applied.length,
    };
  }

  /** Subscribes to the coordination subjects; call before any host can say hello. */
  listen(): void {
    const t = this.o.transport;
    // One subject per host and report kind: a report that names another host than its subject is not trusted.
    for (let host = 0; host < this.o.hostCount; host++) {
      this.subs.push(
        t.subscribe(this.subjects.hello(host), (b) => this.onHello(b, host)),
        t.subscribe(this.subjects.window(host), (b) => this.reports.add(b, host) && this.heard()),
        t.subscribe(this.subjects.error(host), (b) => this.onError(b, host)),
        t.subscribe(this.subjects.hostCheckpoint(host), (b) => this.checkpointer?.add(b, host) && this.heard()),
      );
    }
  }

  async run(): Promise<RunOutcome> {
    const { transport, scenario, hostCount, placement } = this.o;
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      await this.until(() => this.hellos.size === hostCount);
      const hosts = [...this.hellos.values()].sort((a, b) => a.host - b.host);
      this.o.onHostsJoined?.(hosts);
      this.deadline?.reset(); // the hosts owe their start-up reports from now on
      heartbeat = setInterval(() => transport.publish(this.subjects.alive, new Uint8Array(0)), HEARTBEAT_MS);
      transport.publish(
        this.subjects.start,
        wire.RunStart.encode({ scenarioJson: scenarioToJson(scenario), hostCount, placement }).finish(),
      );

      const run = scenario.run;
      // A resumed run goes on from its checkpoint: the hosts' first reports are of its window (their start-up).
      const restored = this.o.restore;
      const first = restored?.window ?? 0;
      const aggregator = restored?.aggregator ?? new RunAggregator(run.metricsIntervalNs);
      aggregator.onIntervalClosed = this.o.onIntervalClosed;
      this.measured = { aggregator, totals: conservationTotals([]), hosts };
      const planner = restored?.planner ?? new WindowPlanner(scenario, placement);
      let totals: ConservationTotals = restored?.totals ?? {
        injected: 0,
        consumed: 0,
        dropped: 0,
        queued: 0,
        inFlight: 0,
      };
      let earliest: number | undefined; // over the last complete report set; undefined before the start-up reports
      let expected: Extract<PlanStep, { kind: "run" }> | undefined;
      let waiting = true;
      let reportedStartNs = restored?.reportedStartNs ?? -1;
      this.windowsRun = restored?.windowsRun ?? 0;
      this.malformed += restored?.malformed ?? 0;
      this.simTimeNs = planner.lastEndNs;
      let stopSent = false;
      let holding = false;
      // Pacing origin; moved forward by the time spent paused, so a resumed run keeps its pace instead of racing.
      let wallStart = performance.now();
      let pausedSince: number | undefined;
      const plan = () => {
        if (earliest === undefined) return;
        const step = planner.next(earliest);
        waiting = step.kind !== "run";
        if (step.kind === "run") {
          planner.begin(step);
          expected = step;
        }
        this.simTimeNs = waiting
          ? Math.max(planner.lastEndNs, Math.min(planner.horizonNs, run.durationNs))
          : (expected?.startNs ?? 0);
      };
      const publishGrant = (grant: dctwin.v1.Grant.$Properties) => {
        // The coordinator follows its own grants through the same check the hosts apply.
        const checked = checkGrant(wire.Grant.create(grant), Number(grant.seq) - 1, planner.horizonNs, run.durationNs);
        if (checked === undefined)
          throw new Error(
            `grant ${grant.seq} breaks the grant rules (until ${grant.untilNs} ns, horizon ${planner.horizonNs} ns)`,
          );
        planner.grant(checked.untilNs, checked.stamps);
        transport.publish(this.subjects.grant, wire.Grant.encode(grant).finish());
      };

      for (;;) {
        for (let set = this.reports.take(); set !== undefined; set = this.reports.take()) {
          const window = this.reports.next - 1;
          if (
            window > first &&
            set.some((r) => Number(r.startNs) !== expected?.startNs || Number(r.endNs) !== expected?.endNs)
          ) {
            throw new HostFailedError(
              `window ${window}: hosts ran [${set.map((r) => `${r.startNs}, ${r.endNs}`).join("), [")}), the window rule gives [${expected?.startNs}, ${expected?.endNs})`,
            );
          }
          aggregator.addWindow(set, window > first);
          totals = conservationTotals(set.map((d) => d.counters ?? {}));
          this.measured.totals = totals;
          checkConservation(window, Number(set[0]!.endNs), totals);
          this.hostsMalformed = set.reduce((s, d) => s + Number(d.malformedMessages), 0);
          if (window > first) {
            this.windowsRun = window;
            reportedStartNs = Number(set[0]!.startNs);
          }
          earliest = earliestEvent(set);
          plan();
          if (window > first)
            this.o.onWindow?.({
              window: window - 1,
              startNs: Number(set[0]!.startNs),
              endNs: Number(set[0]!.endNs),
              events: aggregator.events,
              packets: totals.injected,
              totals,
            });
        }
        this.checkpointer?.complete(waiting ? planner.horizonNs : undefined, () =>
          snapshotCoordinator(
            {
              aggregator,
              grants: this.grants,
              planner,
              totals,
              window: this.reports.next - 1,
              windowsRun: this.windowsRun,
              reportedStartNs,
              malformed: this.malformed,
            },
            scenario,
            placement,
          ),
        );
        const finals = this.reports.takeFinals();
        if (finals !== undefined) {
          aggregator.addWindow(finals, false);
          totals = conservationTotals(finals.map((d) => d.counters ?? {}));
          const endNs = Number(finals[0]!.endNs);
          checkConservation(this.reports.next, endNs, totals);
          this.hostsMalformed = finals.reduce((s, d) => s + Number(d.malformedMessages), 0);
          this.simTimeNs = endNs;
          const status: RunStatus = endNs >= run.durationNs ? "completed" : "interrupted";
          const applied =
            status === "completed" ? this.grants.applied : this.grants.applied.filter((c) => c.timeNs < endNs);
          const malformed = this.malformed + this.reports.malformed + this.reports.leftover() + this.hostsMalformed;
          return {
            status,
            appliedCommands: applied,
            simTimeNs: endNs,
            aggregator,
            totals,
            hosts,
            malformedMessages: malformed,
            windows: this.windowsRun,
            events: aggregator.events,
            lookaheadNs: lookaheadNs(scenario, placement),
          };
        }

        if (this.o.signal?.aborted) {
          if (!stopSent) publishGrant(this.grants.stop());
          stopSent = true;
        } else if (this.paused) {
          pausedSince ??= performance.now();
          // Held once every host waits at the horizon: commands submitted now apply there, when the run resumes.
          if (waiting && !holding) {
            holding = true;
            this.simTimeNs = planner.horizonNs;
            this.o.onBoundary?.(planner.horizonNs);
          }
        } else {
          if (pausedSince !== undefined) wallStart += performance.now() - pausedSince;
          pausedSince = undefined;
          holding = false;
          const inputs = {
            reachedNs: waiting ? Math.max(planner.horizonNs, planner.lastEndNs) : planner.lastEndNs,
            reportedStartNs,
            aggregator,
            dueNs: this.o.speed === undefined ? undefined : pacedDueNs(performance.now() - wallStart, this.o.speed),
            capNs: this.checkpointer?.capNs(this.grants.horizonNs),
          };
          if (this.grants.wouldMove(inputs)) {
            this.o.onBoundary?.(this.grants.horizonNs);
            const grant = this.grants.next(inputs);
            if (grant !== null) {
              publishGrant(grant);
              if (waiting) plan();
              continue; // the new horizon may let the planner (and the hosts) go on at once
            }
          }
        }
        const deadline = this.deadline;
        if (
          deadline !== undefined &&
          (this.paused ||
            (waiting && earliest !== undefined && this.checkpointer?.pendingNs === undefined && !stopSent))
        )
          deadline.reset();
        else if (deadline?.overdue())
          throw new HostFailedError(
            `no report for ${deadline.ms / 1000} s (--report-timeout): waiting for host(s) ${this.reports.missing().join(", ")}`,
          );
        await this.news(this.o.speed !== undefined && !this.paused ? PACE_TICK_MS : deadline?.tickMs);
      }
    } finally {
      clearInterval(heartbeat);
      this.stopHosts("run ended");
    }
  }

  /**
   * The outcome of the windows completed so far, for a run that failed or was cut short before its final call
   * (intervals the hosts had not closed yet are missing from it); null before the run started.
   */
  partialOutcome(status: RunStatus): RunOutcome | null {
    if (this.measured === undefined) return null;
    const { aggregator, totals, hosts } = this.measured;
    const applied = this.grants.applied.filter((c) => c.timeNs < this.simTimeNs);
    return {
      status,
      appliedCommands: applied,
      simTimeNs: this.simTimeNs,
      aggregator,
      totals,
      hosts,
      malformedMessages: this.malformed + this.hostsMalformed,
      windows: this.windowsRun,
      events: aggregator.events,
      lookaheadNs: lookaheadNs(this.o.scenario, this.o.placement),
    };
  }

  /** Tells hosts the run is over; safe to call more than once. */
  stopHosts(reason: string): void {
    if (this.subs.length === 0) return;
    this.o.transport.publish(this.subjects.stop, wire.RunStop.encode({ reason }).finish());
    for (const s of this.subs.splice(0)) s.unsubscribe();
  }

  private onHello(bytes: Uint8Array, from: number): void {
    const hello = tryDecode(wire.HostHello, bytes);
    if (hello === undefined || hello.host !== from) return this.countMalformed();
    const known = this.hellos.get(hello.host);
    if (known !== undefined && (known.pid !== hello.pid || known.hostname !== hello.hostname)) {
      return this.abort(
        new HostFailedError(
          `two processes claim host ${hello.host}: pid ${known.pid} on ${known.hostname} and pid ${hello.pid} on ${hello.hostname}`,
        ),
      );
    }
    this.hellos.set(hello.host, { host: hello.host, hostname: hello.hostname, pid: hello.pid, runtime: hello.runtime });
    this.poke();
  }

  private onError(bytes: Uint8Array, from: number): void {
    const error = tryDecode(wire.HostError, bytes);
    if (error === undefined || error.host !== from) return this.countMalformed();
    this.abort(new HostFailedError(`host ${error.host}: ${error.message}`));
  }

  private countMalformed(): void {
    this.malformed++;
  }

  /** Ends the run with this error (e.g. a host process died). */
  abort(error: Error): void {
    this.failure ??= error;
    this.poke();
  }

  private heard(): void {
    this.deadline?.reset();
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits for a message, a submitted command, a resume or an abort (or `timeoutMs`); rejects if a host failed. */
  private async news(timeoutMs?: number): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const signal = this.o.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      if (timeoutMs !== undefined) timer = setTimeout(resolve, timeoutMs);
      if (signal !== undefined && !signal.aborted)
        signal.addEventListener("abort", (onAbort = () => resolve()), { once: true });
    });
    clearTimeout(timer);
    if (onAbort !== undefined) signal!.removeEventListener("abort", onAbort);
    this.wake = undefined;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits until `condition` holds, re-checking whenever a message arrives; rejects if a host failed. */
  private async until(condition: () => boolean): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (condition()) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
