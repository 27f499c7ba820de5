/**
 * The coordinator's copy of where the hosts are. It runs the hosts' window rule itself (nodes/runtime/
 * window-plan.ts) on the reports every host sent, checks that each window is the one the rule gives, checks
 * packet conservation, aggregates the intervals, and follows the grants through the same check the hosts apply.
 */
import { lookaheadNs } from "../../nodes/runtime/lookahead.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { WindowPlanner, type PlanStep } from "../../nodes/runtime/window-plan.ts";
import { checkGrant, earliestEvent, wire } from "../../nodes/runtime/wire.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { RunAggregator, type IntervalRecord } from "../counts/aggregate.ts";
import { checkConservation, conservationTotals, type ConservationTotals } from "../counts/conservation.ts";
import type { CoordinatorState } from "./coordinator-state.ts";
import { HostFailedError, type HostInfo, type HostWindowTime, type WindowProgress } from "./run-types.ts";

type Report = dctwin.v1.WindowReport;

export class WindowFollower {
  readonly aggregator: RunAggregator;
  readonly planner: WindowPlanner;
  /** The window of the first reports (the start-up reports: 0, or a checkpoint's window when a run resumes). */
  readonly first: number;
  totals: ConservationTotals;
  /** Every host waits at the horizon (the window rule gives no window below it). */
  waiting = true;
  /** Latest start of a window every host has reported (-1: none yet). */
  reportedStartNs: number;
  windowsRun: number;
  /** Malformed messages the hosts counted (cumulative, as last reported). */
  hostsMalformed = 0;
  hostFragmentsDropped = 0;
  /** From the hosts' final reports. */
  windowTime: HostWindowTime[] | undefined;
  simTimeNs: number;
  private readonly scenario: ResolvedScenario;
  private readonly placement: readonly number[];
  /** Over the last complete report set; undefined before the start-up reports. */
  private earliest: number | undefined;
  private expected: Extract<PlanStep, { kind: "run" }> | undefined;

  constructor(
    scenario: ResolvedScenario,
    placement: readonly number[],
    restored: CoordinatorState | undefined,
    onIntervalClosed: ((record: IntervalRecord, endNs: number) => void) | undefined,
    keepClosed?: number,
  ) {
    this.scenario = scenario;
    this.placement = placement;
    this.first = restored?.window ?? 0;
    this.aggregator = restored?.aggregator ?? new RunAggregator(scenario.run.metricsIntervalNs);
    this.aggregator.onIntervalClosed = onIntervalClosed;
    this.aggregator.keepClosed = keepClosed;
    this.planner = restored?.planner ?? new WindowPlanner(scenario, placement);
    this.totals = restored?.totals ?? { injected: 0, consumed: 0, dropped: 0, queued: 0, inFlight: 0 };
    this.reportedStartNs = restored?.reportedStartNs ?? -1;
    this.windowsRun = restored?.windowsRun ?? 0;
    this.simTimeNs = this.planner.lastEndNs;
  }

  /** Every host's report of `window`; the progress to announce (none for the start-up reports). */
  take(set: Report[], window: number): WindowProgress | undefined {
    const expected = this.expected;
    const counted = window > this.first;
    if (counted && set.some((r) => Number(r.startNs) !== expected?.startNs || Number(r.endNs) !== expected?.endNs)) {
      throw new HostFailedError(
        `window ${window}: hosts ran [${set.map((r) => `${r.startNs}, ${r.endNs}`).join("), [")}), the window rule gives [${expected?.startNs}, ${expected?.endNs})`,
      );
    }
    this.aggregator.addWindow(set, counted);
    this.totals = conservationTotals(set.map((d) => d.counters ?? {}));
    checkConservation(window, Number(set[0]!.endNs), this.totals);
    this.hostsMalformed = set.reduce((s, d) => s + Number(d.malformedMessages), 0);
    this.hostFragmentsDropped = set.reduce((s, d) => s + Number(d.fragmentsDropped), 0);
    if (counted) {
      this.windowsRun = window;
      this.reportedStartNs = Number(set[0]!.startNs);
    }
    this.earliest = earliestEvent(set);
    this.plan();
    if (!counted) return undefined;
    return {
      window: window - 1,
      startNs: Number(set[0]!.startNs),
      endNs: Number(set[0]!.endNs),
      events: this.aggregator.events,
      packets: this.totals.injected,
      totals: this.totals,
    };
  }

  /** The hosts' final reports (after `window`): the simulated time the run ended at. */
  takeFinals(finals: Report[], window: number): number {
    this.aggregator.addWindow(finals, false);
    this.totals = conservationTotals(finals.map((d) => d.counters ?? {}));
    const endNs = Number(finals[0]!.endNs);
    checkConservation(window, endNs, this.totals);
    this.hostsMalformed = finals.reduce((s, d) => s + Number(d.malformedMessages), 0);
    this.hostFragmentsDropped = finals.reduce((s, d) => s + Number(d.fragmentsDropped), 0);
    this.windowTime = finals.map(windowTimeOf);
    this.simTimeNs = endNs;
    return endNs;
  }

  /** What a whole and a partial outcome both take from the windows followed (`hosts`: the roster). */
  outcomeFigures(hosts: HostInfo[]) {
    return {
      aggregator: this.aggregator,
      totals: this.totals,
      hosts,
      hostFragmentsDropped: this.hostFragmentsDropped,
      windows: this.windowsRun,
      events: this.aggregator.events,
      lookaheadNs: this.lookaheadNs(),
      windowTime: this.windowTime,
    };
  }

  /** Follows a grant the coordinator is about to publish, through the check the hosts apply. */
  follow(grant: dctwin.v1.Grant.$Properties): void {
    const planner = this.planner;
    const run = this.scenario.run;
    const checked = checkGrant(wire.Grant.create(grant), Number(grant.seq) - 1, planner.horizonNs, run.durationNs);
    if (checked === undefined)
      throw new Error(
        `grant ${grant.seq} breaks the grant rules (until ${grant.untilNs} ns, horizon ${planner.horizonNs} ns)`,
      );
    planner.grant(checked.untilNs, checked.stamps);
  }

  /** A paused run holds where every host waits: at the horizon. */
  hold(): void {
    this.simTimeNs = this.planner.horizonNs;
  }

  /** Where every host has got to: the start of the next window, or the horizon when they wait there. */
  get reachedNs(): number {
    const planner = this.planner;
    return this.waiting ? Math.max(planner.horizonNs, planner.lastEndNs) : planner.lastEndNs;
  }

  /** Hosts owe no report: they wait at the horizon after the start-up reports. */
  get owesNothing(): boolean {
    return this.waiting && this.earliest !== undefined;
  }

  lookaheadNs(): number {
    return lookaheadNs(this.scenario, this.placement);
  }

  /** The next window by the window rule, once the hosts' earliest events are known. */
  plan(): void {
    if (this.earliest === undefined) return;
    const planner = this.planner;
    const step = planner.next(this.earliest);
    this.waiting = step.kind !== "run";
    if (step.kind === "run") {
      planner.begin(step);
      this.expected = step;
    }
    const run = this.scenario.run;
    this.simTimeNs = this.waiting
      ? Math.max(planner.lastEndNs, Math.min(planner.horizonNs, run.durationNs))
      : (this.expected?.startNs ?? 0);
  }
}

function windowTimeOf(final: Report): HostWindowTime {
  const t = final.timing;
  const [windowsS, eventsS, exchangeS] = [t?.windowsS ?? 0, t?.eventsS ?? 0, t?.exchangeS ?? 0];
  return {
    host: final.host,
    windows: Number(t?.windows ?? 0),
    windows_s: windowsS,
    events_s: eventsS,
    exchange_s: exchangeS,
    waiting_s: Math.max(0, windowsS - eventsS - exchangeS),
  };
}
