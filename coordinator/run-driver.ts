/**
 * The coordinator side of the run protocol: waits for every host, starts the run, then drives windows.
 * Each window is one Advance broadcast and one WindowDone per host (one NATS round trip); empty stretches are
 * skipped by starting the next window at the earliest pending event of any host. Windows never cross a metrics
 * interval boundary or the end of the run, so every window belongs to exactly one interval.
 */
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { subjects, type RunSubjects, type Subscription, type Transport } from "../nodes/runtime/transport/transport.ts";
import { tryDecode, wire } from "../nodes/runtime/wire.ts";
import type { dctwin } from "../proto/gen/dctwin.js";
import { checkConservation, conservationTotals, type ConservationTotals } from "./conservation.ts";
import { CoolingRelay } from "./cooling.ts";
import { RunAggregator, type IntervalRecord } from "./results/aggregate.ts";
import type { RunStatus } from "./results/summary.ts";

export class HostFailedError extends Error {
  override name = "HostFailedError";
}

export interface HostInfo {
  host: number;
  hostname: string;
  pid: number;
  runtime: string;
}

export interface WindowProgress {
  window: number;
  endNs: number;
  events: number;
  /** Packets created so far (from the per-window conservation counters, so always current). */
  packets: number;
  /** The conservation totals over all hosts after this window (its check passed). */
  totals: ConservationTotals;
}

/** A command without its sequence number (the driver numbers commands in the order it applies them). */
export type CommandSpec = Omit<dctwin.v1.Command.$Properties, "seq">;

/** A command applied at a window boundary, as recorded for the results (and for replay). */
export interface AppliedCommand {
  timeNs: number;
  seq: number;
  command: CommandSpec;
  /** "schedule" (from the scenario's experiment) or "live" (submitted while running). */
  source: "schedule" | "live";
}

export interface RunDriverOptions {
  transport: Transport;
  runId: string;
  scenario: ResolvedScenario;
  placement: number[];
  hostCount: number;
  /** Simulated seconds per wall second; undefined runs as fast as possible. */
  speed?: number;
  /** Stops the run after the current window (Ctrl-C). */
  signal?: AbortSignal;
  /** Commands to apply at given simulated times (a declarative experiment); a window starts at each time. */
  schedule?: readonly { timeNs: number; command: CommandSpec }[];
  onWindow?: (progress: WindowProgress) => void;
  /** Called with each metrics interval once every host has reported it. */
  onIntervalClosed?: (record: IntervalRecord) => void;
  /** Called once every host has said hello (e.g. to log that the run starts). */
  onHostsJoined?: (hosts: HostInfo[]) => void;
}

export interface RunOutcome {
  status: RunStatus;
  appliedCommands: AppliedCommand[];
  simTimeNs: number;
  aggregator: RunAggregator;
  totals: ConservationTotals;
  hosts: HostInfo[];
  malformedMessages: number;
}

export class RunDriver {
  private readonly o: RunDriverOptions;
  private readonly subjects: RunSubjects;
  private readonly subs: Subscription[] = [];
  private readonly hellos = new Map<number, HostInfo>();
  private readonly ready = new Map<number, dctwin.v1.HostReady>();
  private doneForWindow = new Map<number, dctwin.v1.WindowDone>();
  private currentWindow = -1;
  private wake: (() => void) | undefined;
  private readonly liveCommands: CommandSpec[] = [];
  private readonly applied: AppliedCommand[] = [];
  private paused: { resume: () => void; resumed: Promise<void> } | undefined;
  private simTimeNs = 0;
  private windowsRun = 0;
  private failure: Error | undefined;
  /** Malformed messages dropped by the coordinator itself and (last reported, cumulative) by the hosts. */
  private malformed = 0;
  private hostsMalformed = 0;

  constructor(options: RunDriverOptions) {
    this.o = options;
    this.subjects = subjects(options.runId);
  }

  /** Queues a command for the start of the next window (a live fault or load change). */
  submit(command: CommandSpec): void {
    this.liveCommands.push(command);
  }

  /** Holds the run at the next window boundary until `resume()`. */
  pause(): void {
    if (this.paused !== undefined) return;
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    this.paused = { resume, resumed };
  }

  resume(): void {
    const p = this.paused;
    this.paused = undefined;
    p?.resume();
  }

  /** Where the run is, for status calls. */
  progress(): { simTimeNs: number; windows: number; paused: boolean; hostsJoined: number; appliedCommands: number } {
    return { simTimeNs: this.simTimeNs, windows: this.windowsRun, paused: this.paused !== undefined, hostsJoined: this.hellos.size, appliedCommands: this.applied.length };
  }

  /** Subscribes to the coordination subjects; call before any host can say hello. */
  listen(): void {
    const t = this.o.transport;
    // One subject per host and report kind: a report that names another host than its subject is not trusted.
    for (let host = 0; host < this.o.hostCount; host++) {
      this.subs.push(
        t.subscribe(this.subjects.hello(host), (b) => this.onHello(b, host)),
        t.subscribe(this.subjects.ready(host), (b) => this.onReady(b, host)),
        t.subscribe(this.subjects.done(host), (b) => this.onDone(b, host)),
        t.subscribe(this.subjects.error(host), (b) => this.onError(b, host)),
      );
    }
  }

  async run(): Promise<RunOutcome> {
    const { transport, scenario, hostCount } = this.o;
    try {
      await this.until(() => this.hellos.size === hostCount);
      const hosts = [...this.hellos.values()].sort((a, b) => a.host - b.host);
      this.o.onHostsJoined?.(hosts);
      transport.publish(this.subjects.start, wire.RunStart.encode({ scenarioJson: JSON.stringify(scenario), hostCount, placement: this.o.placement }).finish());
      await this.until(() => this.ready.size === hostCount);

      const run = scenario.run;
      const aggregator = new RunAggregator(run.metricsIntervalNs);
      aggregator.onIntervalClosed = this.o.onIntervalClosed;
      const expectedBatches = new Array<number>(hostCount).fill(0);
      let next = earliest([...this.ready.values()].map((r) => Number(r.nextEventNs)));
      let simTimeNs = 0;
      let totals: ConservationTotals = { injected: 0, consumed: 0, dropped: 0, queued: 0, inFlight: 0 };
      let status: RunStatus = "completed";
      let windowIndex = 0;
      // Pacing origin; moved forward by the time spent paused, so a resumed run keeps its pace instead of racing.
      let wallStart = performance.now();

      // Cooling (coordinator/cooling.ts): a window at every interval boundary carries zone heat and inlet readings.
      const cooling = CoolingRelay.forScenario(scenario);
      const schedule = [...(this.o.schedule ?? [])].sort((a, b) => a.timeNs - b.timeNs);
      let scheduled = 0;
      const nextScheduledNs = () => (scheduled < schedule.length ? schedule[scheduled]!.timeNs : -1);
      for (let window = 0; ; window++) {
        if (this.paused !== undefined && !this.o.signal?.aborted) {
          const heldSince = performance.now();
          await Promise.race([this.paused.resumed, aborted(this.o.signal)]);
          wallStart += performance.now() - heldSince;
        }
        // Live commands need a window to ride on: without pending events, they start one right away.
        const liveNs = this.liveCommands.length > 0 ? simTimeNs : -1;
        next = earliest([next, nextScheduledNs(), liveNs, cooling?.nextNs(simTimeNs) ?? -1]);
        if (next < 0 || next >= run.durationNs) break;
        if (this.o.signal?.aborted) {
          status = "interrupted";
          break;
        }
        const startNs = next;
        const boundary = (Math.floor(startNs / run.metricsIntervalNs) + 1) * run.metricsIntervalNs;
        const pendingScheduleNs = schedule.find((c, i) => i >= scheduled && c.timeNs > startNs)?.timeNs ?? Number.POSITIVE_INFINITY;
        // A window ends where a metrics interval, the run, or a scheduled command begins.
        const endNs = Math.min(startNs + run.quantumNs, boundary, run.durationNs, pendingScheduleNs);
        if (this.o.speed !== undefined) await pace(wallStart, startNs, this.o.speed, this.o.signal);

        const commands: dctwin.v1.Command.$Properties[] = [];
        const stamp = (command: CommandSpec, source: AppliedCommand["source"]) => {
          const seq = this.applied.length;
          this.applied.push({ timeNs: startNs, seq, command, source });
          commands.push({ ...command, seq });
        };
        // Derived from the twin's own reports, so not recorded (a replay derives them again); applied first.
        for (const command of cooling?.commandsAt(startNs, aggregator) ?? []) commands.push({ ...command, seq: this.applied.length });
        while (scheduled < schedule.length && schedule[scheduled]!.timeNs <= startNs) stamp(schedule[scheduled++]!.command, "schedule");
        for (const command of this.liveCommands.splice(0)) stamp(command, "live");

        this.currentWindow = window;
        this.doneForWindow = new Map();
        transport.publish(this.subjects.advance, wire.Advance.encode({ window, startNs, endNs, expectedBatches, commands }).finish());
        await this.until(() => this.doneForWindow.size === hostCount);

        const done = [...this.doneForWindow.values()];
        for (const d of done) d.batchesSentTo.forEach((n, h) => (expectedBatches[h]! += n));
        aggregator.addWindow(done);
        totals = conservationTotals(done.map((d) => d.counters ?? {}));
        checkConservation(window, endNs, totals);
        this.hostsMalformed = done.reduce((s, d) => s + Number(d.malformedMessages), 0);
        simTimeNs = endNs;
        this.simTimeNs = endNs;
        this.windowsRun = window + 1;
        windowIndex = window + 1;
        next = earliest(done.map((d) => Number(d.nextEventNs)));
        this.o.onWindow?.({ window, endNs, events: aggregator.events, packets: totals.injected, totals });
      }
      if (status === "completed") simTimeNs = run.durationNs;

      // The final call: hosts close the remaining metrics intervals (the last one up to the end of the run).
      this.currentWindow = windowIndex;
      this.doneForWindow = new Map();
      transport.publish(this.subjects.advance, wire.Advance.encode({ window: windowIndex, startNs: simTimeNs, endNs: simTimeNs, expectedBatches, final: true }).finish());
      await this.until(() => this.doneForWindow.size === hostCount);
      const final = [...this.doneForWindow.values()];
      aggregator.addWindow(final, false);
      totals = conservationTotals(final.map((d) => d.counters ?? {}));
      checkConservation(windowIndex, simTimeNs, totals);
      return { status, appliedCommands: this.applied, simTimeNs, aggregator, totals, hosts, malformedMessages: this.malformed + this.hostsMalformed };
    } finally {
      this.stopHosts("run ended");
    }
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
      return this.abort(new HostFailedError(`two processes claim host ${hello.host}: pid ${known.pid} on ${known.hostname} and pid ${hello.pid} on ${hello.hostname}`));
    }
    this.hellos.set(hello.host, { host: hello.host, hostname: hello.hostname, pid: hello.pid, runtime: hello.runtime });
    this.poke();
  }

  private onReady(bytes: Uint8Array, from: number): void {
    const ready = tryDecode(wire.HostReady, bytes);
    if (ready === undefined || ready.host !== from) return this.countMalformed();
    this.ready.set(ready.host, ready);
    this.poke();
  }

  private onDone(bytes: Uint8Array, from: number): void {
    const done = tryDecode(wire.WindowDone, bytes);
    // Protobuf decodes many byte strings (even an empty one); a report must fit the window being run.
    const plausible =
      done !== undefined &&
      done.counters != null &&
      Number(done.window) === this.currentWindow &&
      done.host === from &&
      done.batchesSentTo.length === this.o.hostCount &&
      !this.doneForWindow.has(done.host);
    if (!plausible) return this.countMalformed();
    this.doneForWindow.set(done.host, done);
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

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
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

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
}

function earliest(times: number[]): number {
  const pending = times.filter((t) => t >= 0);
  return pending.length === 0 ? -1 : Math.min(...pending);
}

async function pace(wallStartMs: number, simNs: number, speed: number, signal?: AbortSignal): Promise<void> {
  const dueMs = wallStartMs + simNs / 1e6 / speed;
  const waitMs = dueMs - performance.now();
  if (waitMs <= 1 || signal?.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}
