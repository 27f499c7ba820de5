/**
 * The coordinator's grants: how far hosts may run (the horizon) and the commands on the way, stamped at times no
 * host has passed. Hosts never run a window that ends past the horizon (nodes/runtime/window-plan.ts).
 *
 * Horizon. Unpaced, one to two metrics intervals past where the hosts have got to (an interval boundary), so hosts
 * practically never wait for it. Paced (`speed`), also at most the simulated time due by the wall clock, on the
 * quantum grid. Frozen while paused (the driver issues no grant). With boundary plug-ins (boundary-plugins.ts, e.g.
 * the cooling relay), never past an interval boundary whose plug-in commands cannot be computed yet (the interval a
 * plug-in reads there is complete once a window after it is reported): hosts wait at those boundaries only while a
 * plug-in exists.
 *
 * Stamps. Each grant carries, in time order, for every time T in [old horizon, new horizon): plug-in commands at
 * T (an interval boundary), then scheduled commands at T, then (at the old horizon) live commands submitted since the last grant; and an
 * empty stamp at the new horizon, so that windows end exactly there. Every horizon is a stamp or an interval
 * boundary: live commands and pauses take effect exactly at a horizon. In approximate mode (a quantum above the
 * smallest latency) horizons stay on the quantum grid or interval boundaries, so they never change results.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { BoundaryPlugin } from "./boundary-plugins.ts";
import type { RunAggregator } from "../counts/aggregate.ts";
import type { CommandSpec } from "../../spec/experiment.ts";
export type { CommandSpec };

/** A command applied at a window boundary, as recorded for the results (and for replay). */
export interface AppliedCommand {
  timeNs: number;
  seq: number;
  command: CommandSpec;
  /** "schedule" (from the scenario's experiment) or "live" (submitted while running). */
  source: "schedule" | "live";
}

/** A live command at the simulated time it takes effect (what a recovery replays: run-recovery.ts). */
export interface TimedCommand {
  timeNs: number;
  command: CommandSpec;
}

export interface GrantInputs {
  /** Where every host has got to: the start of the next window, or the horizon when they wait there. */
  reachedNs: number;
  /** Latest start of a window every host has reported (-1: none yet). */
  reportedStartNs: number;
  aggregator: RunAggregator;
  /** Simulated time due by the wall clock (paced runs only). */
  dueNs?: number;
  /** A boundary the horizon must not pass yet (a checkpoint is due there: coordinator/checkpoint/). */
  capNs?: number;
}

export class Grants {
  readonly applied: AppliedCommand[] = [];
  private readonly durationNs: number;
  private readonly intervalNs: number;
  private readonly quantumNs: number;
  private readonly schedule: { timeNs: number; command: CommandSpec }[];
  private readonly plugins: readonly BoundaryPlugin[];
  private scheduled = 0;
  /** The next interval boundary index j whose plug-in stamp is not announced yet. */
  private boundaryNext = 1;
  private live: CommandSpec[] = [];
  /**
   * Live commands of a run that was rolled back (`replay`), in the order they took effect: applied again at their
   * times, after the scheduled commands of the same time, as they were.
   */
  private replayed: TimedCommand[] = [];
  private horizon = 0;
  private seq = 0;

  constructor(
    scenario: ResolvedScenario,
    schedule: readonly { timeNs: number; command: CommandSpec }[],
    plugins: readonly BoundaryPlugin[],
  ) {
    this.durationNs = scenario.run.durationNs;
    this.intervalNs = scenario.run.metricsIntervalNs;
    this.quantumNs = scenario.run.quantumNs;
    this.schedule = [...schedule].sort((a, b) => a.timeNs - b.timeNs);
    this.plugins = plugins;
  }

  get horizonNs(): number {
    return this.horizon;
  }

  /** Queues a command for the current horizon (it rides on the next grant that moves it). */
  submit(command: CommandSpec): void {
    this.live.push(command);
  }

  /**
   * Every live command of the run in the order it takes effect, with its time: those applied, then those still
   * to replay and those submitted for the current horizon (a paused run holds there).
   */
  liveLog(): TimedCommand[] {
    const log: TimedCommand[] = this.applied
      .filter((c) => c.source === "live")
      .map(({ timeNs, command }) => ({ timeNs, command }));
    const atHorizon = this.replayed.filter((c) => c.timeNs <= this.horizon);
    const later = this.replayed.filter((c) => c.timeNs > this.horizon);
    return [...log, ...atHorizon, ...this.live.map((command) => ({ timeNs: this.horizon, command })), ...later];
  }

  /**
   * After a roll-back to a checkpoint of the same run: `log` is the live log (liveLog) of the attempt that was
   * lost. Its part after what these grants applied before the checkpoint is applied again at the same times (that
   * includes the commands submitted and not yet applied at the checkpoint, which the log has at their times).
   */
  replay(log: readonly TimedCommand[]): void {
    const appliedLive = this.applied.filter((c) => c.source === "live").length;
    this.live = [];
    this.replayed = log.slice(appliedLive).map(({ timeNs, command }) => ({ timeNs, command }));
  }

  /** Whether `next` would move the horizon now. */
  wouldMove(inputs: GrantInputs): boolean {
    return this.target(inputs) > this.horizon;
  }

  /** The next grant, or null when the horizon cannot move. */
  next(inputs: GrantInputs): dctwin.v1.Grant.$Properties | null {
    const from = this.horizon;
    const until = this.target(inputs);
    if (until <= from) return null;
    const stamps = new Map<number, dctwin.v1.Command.$Properties[]>();
    const at = (t: number) => stamps.get(t) ?? stamps.set(t, []).get(t)!;
    for (
      let t = this.boundaryNext * this.intervalNs;
      this.plugins.length > 0 && t < until;
      t = ++this.boundaryNext * this.intervalNs
    ) {
      // Derived from the twin's own reports, so not recorded (a replay derives them again); applied first. The
      // stamp exists even without commands: the window that starts there closes the interval the next one needs.
      const stamp = at(t);
      for (const plugin of this.plugins)
        for (const command of plugin.commandsAt(t, inputs.aggregator))
          stamp.push({ ...command, seq: this.applied.length });
    }
    const takeSchedule = (before: number) => {
      for (;;) {
        const s = this.schedule[this.scheduled];
        const r = this.replayed[0];
        const scheduled = s !== undefined && s.timeNs < before;
        if (!scheduled && (r === undefined || r.timeNs >= before)) return;
        // Of one time, scheduled commands first, then the replayed live ones, as they were.
        if (scheduled && (r === undefined || s.timeNs <= r.timeNs)) {
          this.scheduled++;
          at(Math.max(s.timeNs, from)).push(this.record(Math.max(s.timeNs, from), s.command, "schedule"));
        } else {
          this.replayed.shift();
          at(Math.max(r!.timeNs, from)).push(this.record(Math.max(r!.timeNs, from), r!.command, "live"));
        }
      }
    };
    takeSchedule(from + 1); // recorded in the order hosts apply them: by time, scheduled before live
    for (const command of this.live.splice(0)) at(from).push(this.record(from, command, "live"));
    takeSchedule(until);
    if (until < this.durationNs) at(until);
    this.horizon = until;
    return {
      seq: ++this.seq,
      untilNs: until,
      stamps: [...stamps].sort((a, b) => a[0] - b[0]).map(([timeNs, commands]) => ({ timeNs, commands })),
    };
  }

  /** The grant that stops the run where the hosts are (it moves nothing). */
  stop(): dctwin.v1.Grant.$Properties {
    return { seq: ++this.seq, untilNs: this.horizon, stamps: [], stop: true };
  }

  /** How far the horizon may go: past plug-in boundaries only once their commands can be computed. */
  private target(inputs: GrantInputs): number {
    const I = this.intervalNs;
    let until = Math.min(this.durationNs, (Math.floor(inputs.reachedNs / I) + 2) * I);
    if (inputs.dueNs !== undefined) until = Math.min(until, Math.floor(inputs.dueNs / this.quantumNs) * this.quantumNs);
    if (inputs.capNs !== undefined) until = Math.min(until, inputs.capNs);
    for (let j = this.boundaryNext; this.plugins.length > 0 && j * I < until; j++) {
      for (const plugin of this.plugins) {
        const k = plugin.readsInterval(j);
        if (k !== null && inputs.reportedStartNs < (k + 1) * I) return j * I; // interval k is not complete yet
      }
    }
    return until;
  }

  private record(
    timeNs: number,
    command: CommandSpec,
    source: AppliedCommand["source"],
  ): dctwin.v1.Command.$Properties {
    const seq = this.applied.length;
    this.applied.push({ timeNs, seq, command, source });
    return { ...command, seq };
  }
}
