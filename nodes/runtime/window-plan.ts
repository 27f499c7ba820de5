/**
 * The window rule, run identically by every host and by the coordinator: from the same reports and grants they
 * all pick the same next window, so no one has to announce it.
 *
 * Next start S = the earliest pending event of any host or the next stamp (a time at which commands apply),
 * whichever comes first: empty stretches are skipped. The window ends at the first of
 *   - S + lookahead (exact delivery: `quantum` at most the smallest link latency, i.e. "auto"), or the next
 *     multiple of the quantum (a larger quantum: a fixed grid, deliveries wait for the window's end);
 *   - the next metrics interval boundary, the next stamp, the end of the run.
 * A window runs only if it ends at or before the grant horizon; every horizon is a stamp or an interval boundary
 * (coordinator/driver/grants.ts), so hosts stop exactly there. Stamps are only ever added at or after the previous
 * horizon, so a host that has not seen the latest grant yet either waits or picks the same window as one that has.
 */
import type { Command } from "../../spec/commands.ts";
import { cutLookaheadNs } from "./lookahead.ts";
import { LinkTable } from "./link-table.ts";
import { minLatencyNs, networkNodes, type ResolvedScenario } from "./topology.ts";

export type { Command } from "../../spec/commands.ts";

export interface Stamp {
  timeNs: number;
  commands: Command[];
}

export type PlanStep =
  | { kind: "run"; window: number; startNs: number; endNs: number; commands: readonly Command[] }
  /** Nothing may run until a grant moves the horizon (or the run is stopped there). */
  | { kind: "wait" }
  /** The run is over at `atNs`: close the intervals up to it. */
  | { kind: "finish"; window: number; atNs: number };

export class WindowPlanner {
  /** Deliveries are exact (windows bounded by the lookahead) rather than on a fixed quantum grid. */
  readonly exact: boolean;
  private readonly durationNs: number;
  private readonly intervalNs: number;
  private readonly quantumNs: number;
  private readonly links: LinkTable;
  private readonly nodeOf: Int32Array;
  private readonly hostOf: readonly number[];
  private lookahead: number;
  private horizon = 0;
  /** Pending stamps in time order; all at or after `prevEnd`. */
  private readonly stamps: Stamp[] = [];
  private prevEnd = 0;
  private window = 0;

  constructor(scenario: ResolvedScenario, hostOf: readonly number[]) {
    const run = scenario.run;
    this.durationNs = run.durationNs;
    this.intervalNs = run.metricsIntervalNs;
    this.quantumNs = run.quantumNs;
    this.exact = run.quantumNs <= minLatencyNs(scenario);
    this.links = new LinkTable(scenario.links);
    this.nodeOf = networkNodes(scenario.actors);
    this.hostOf = hostOf;
    this.lookahead = this.currentLookahead();
  }

  get horizonNs(): number {
    return this.horizon;
  }

  /** End of the last window begun (0 before the first). */
  get lastEndNs(): number {
    return this.prevEnd;
  }

  /** Index of the last window begun (0: none yet; window 0 is the start-up report). */
  get lastWindow(): number {
    return this.window;
  }

  get lookaheadNs(): number {
    return this.lookahead;
  }

  /** Takes a grant (already checked: stamps at or after the current horizon, horizon not moving back). */
  grant(untilNs: number, stamps: readonly Stamp[]): void {
    for (const stamp of stamps) {
      const at = this.stamps.findIndex((s) => s.timeNs >= stamp.timeNs);
      if (at >= 0 && this.stamps[at]!.timeNs === stamp.timeNs) this.stamps[at]!.commands.push(...stamp.commands);
      else if (at >= 0) this.stamps.splice(at, 0, { timeNs: stamp.timeNs, commands: [...stamp.commands] });
      else this.stamps.push({ timeNs: stamp.timeNs, commands: [...stamp.commands] });
    }
    this.horizon = Math.max(this.horizon, untilNs);
  }

  /** The next step given the earliest pending event over all hosts (-1: none). Does not change the planner. */
  next(earliestEventNs: number): PlanStep {
    const stamp = this.stamps[0];
    let start = earliestEventNs < 0 ? Number.POSITIVE_INFINITY : earliestEventNs;
    if (stamp !== undefined && stamp.timeNs <= start) start = stamp.timeNs;
    if (start >= this.horizon)
      return this.horizon >= this.durationNs
        ? { kind: "finish", window: this.window + 1, atNs: this.durationNs }
        : { kind: "wait" };
    const commands = stamp !== undefined && stamp.timeNs === start ? stamp.commands : [];
    let end = Math.min((Math.floor(start / this.intervalNs) + 1) * this.intervalNs, this.durationNs);
    const nextStamp = stamp === undefined ? undefined : stamp.timeNs > start ? stamp : this.stamps[1];
    if (nextStamp !== undefined) end = Math.min(end, nextStamp.timeNs);
    if (this.exact) end = Math.min(end, start + this.lookaheadAfter(commands));
    else end = Math.min(end, (Math.floor(start / this.quantumNs) + 1) * this.quantumNs);
    if (end > this.horizon) return { kind: "wait" };
    return { kind: "run", window: this.window + 1, startNs: start, endNs: end, commands };
  }

  /** Commits a step returned by `next` (the window is being run). */
  begin(step: Extract<PlanStep, { kind: "run" }>): void {
    if (this.stamps[0]?.timeNs === step.startNs) this.stamps.shift();
    if (step.commands.some((c) => c.link != null)) {
      for (const c of step.commands) if (c.link != null) this.links.apply(c.link);
      this.lookahead = this.currentLookahead();
    }
    this.window = step.window;
    this.prevEnd = step.endNs;
  }

  private lookaheadAfter(commands: readonly Command[]): number {
    if (!commands.some((c) => c.link != null)) return this.lookahead;
    const links = this.links.copy();
    for (const c of commands) if (c.link != null) links.apply(c.link);
    return Math.max(1, cutLookaheadNs(links.links, this.nodeOf, this.hostOf));
  }

  private currentLookahead(): number {
    // At least 1 ns: a zero-latency cut link would stall the run; the runtime check then names the packet instead.
    return Math.max(1, cutLookaheadNs(this.links.links, this.nodeOf, this.hostOf));
  }
}
