/**
 * The state of a run as the metrics exporters see it: the live progress of the window loop (simulated clock,
 * windows, packet totals, hosts) and the cumulative sums of every closed metrics interval, aggregated at the
 * run's aggregation level. It knows nothing about Prometheus: collectors read it at scrape time.
 *
 * Live, it is fed by the run driver's `onWindow` and `onIntervalClosed` callbacks; replayed (export of a finished
 * run), by the intervals of intervals.jsonl one by one, the simulated clock following the intervals.
 */
import { Histogram } from "../../nodes/runtime/histogram.ts";
import type { ConservationTotals } from "../counts/conservation.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import type { WindowProgress } from "../driver/run-driver.ts";
import { ledgerSnapshot, type LedgerSnapshot } from "../ledgers/snapshot.ts";
import {
  actorSeries,
  componentSeries,
  groupSeries,
  linkSeries,
  type AggregationLevel,
  type Labels,
  type LinkScope,
  type Scope,
  type SeriesKey,
} from "./levels.ts";
import { LedgerTotals } from "./ledger-totals.ts";
import { LinkSigma } from "./link-sigma.ts";
import { ServerGauges } from "./server-gauges.ts";
import { intervalBoundsNs, type RunView } from "./run-view.ts";

export interface CounterSeries {
  scope: Scope;
  labels: Labels;
  value: number;
}

export interface LinkSeries {
  scope: LinkScope;
  labels: Labels;
  packets: number;
  bytes: number;
  lost: number;
}

/** A model metric (e.g. response_time_ns) summed over the actors of one series since the start. */
export interface MetricSeries {
  scope: Scope;
  labels: Labels;
  count: number;
  sum: number;
  histogram: Histogram;
  /** Observations in the last closed interval, per simulated second. */
  lastRatePerS: number;
  /** Mean of the observations of the last interval that had any (what a gauge shows), in the recorded unit. */
  lastMean: number;
}

/** What the run driver tells about itself (hosts joined, paused). */
export interface DriverProbe {
  progress(): { hostsJoined: number; paused: boolean };
}

/** A check's verdict once its window has closed (undecided: no data to decide on, which counts as failed). */
export type CheckVerdictName = "passed" | "failed" | "undecided";

/**
 * What the control layer tells about the experiment: every fault injected so far (in force or not) and the
 * counts; the load changes started so far (active while in progress); the verdicts of the checks whose window
 * has closed by `closedUpToNs` (simulated time up to which the intervals are complete).
 */
export interface FaultProbe {
  faultsNow(): { faults: { id: string; action: string; active: boolean }[]; injected: number; cleared: number };
  loadsNow?(closedUpToNs: number): { id: string; name: string; active: boolean }[];
  /** `finished`: the run is over, so every check is decided on what the run reached. */
  checksNow?(closedUpToNs: number, finished: boolean): { name: string; verdict: CheckVerdictName }[];
}

export class RunState {
  readonly view: RunView;
  readonly level: AggregationLevel;
  /** Target pace (simulated s per wall s) when paced. */
  readonly speed: number | undefined;

  // Live progress (from the window loop).
  live = false;
  simTimeNs = 0;
  windows = 0;
  events = 0;
  totals: ConservationTotals | undefined;
  finished = false;
  private wallStartMs: number | undefined;
  private wallNowMs: number | undefined;
  private driver: DriverProbe | undefined;

  // Closed intervals (cumulative).
  intervalsClosed = 0;
  /** Simulated time up to which the interval-based series are complete. */
  closedUpToNs = 0;
  intervalEvents = 0;
  bitsErased = 0;
  readonly drops = new Map<string, number>();
  readonly links = new Map<string, LinkSeries>();
  readonly energy = new Map<string, CounterSeries>();
  /** Mean power over the last closed interval, per series (0 once a series stops drawing). */
  readonly power = new Map<string, CounterSeries>();
  /** Model metric name -> series key -> sums. */
  readonly metrics = new Map<string, Map<string, MetricSeries>>();
  /** Both ledgers' totals (σ, heat entropy, IT / cooling / loss energy, PUE). */
  readonly ledgers: LedgerTotals;
  /** σ per link and per pair of joined groups, with errors. */
  readonly linkSigma: LinkSigma;
  /** Servers' utilisation, requests held and states, CRACs' inlet readings (last closed interval). */
  readonly servers: ServerGauges;
  /** Called once per model metric name, when it is first seen (exporters register its family then). */
  onNewMetric: ((name: string) => void) | undefined;

  private readonly actorKeys: SeriesKey[][];
  private readonly linkKeys: SeriesKey<LinkScope>[][];

  constructor(view: RunView, level: AggregationLevel, speed?: number) {
    this.view = view;
    this.level = level;
    this.speed = speed;
    this.ledgers = new LedgerTotals(view.distributionLoss);
    this.linkSigma = new LinkSigma(view, level);
    this.servers = new ServerGauges(view, level);
    this.actorKeys = view.actors.map((_, i) => actorSeries(view, i, level));
    this.linkKeys = view.links.flatMap((_, i) => [linkSeries(view, i * 2, level), linkSeries(view, i * 2 + 1, level)]);
  }

  attachDriver(driver: DriverProbe): void {
    this.driver = driver;
  }

  /** The run's OpenTelemetry exporter, when tracing is on: spans it failed to export. */
  tracing: { spansExportFailed(): number } | undefined;

  /** Faults of a run with a control layer (experiment or API); without one there are none. */
  faultProbe: FaultProbe | undefined;

  faults(): ReturnType<FaultProbe["faultsNow"]> {
    return this.faultProbe?.faultsNow() ?? { faults: [], injected: 0, cleared: 0 };
  }

  loads(): { id: string; name: string; active: boolean }[] {
    return this.faultProbe?.loadsNow?.(this.closedUpToNs) ?? [];
  }

  checks(): { name: string; verdict: CheckVerdictName }[] {
    return this.faultProbe?.checksNow?.(this.closedUpToNs, this.finished) ?? [];
  }

  onWindow(p: WindowProgress): void {
    const now = performance.now();
    this.live = true;
    this.wallStartMs ??= now;
    this.wallNowMs = now;
    this.simTimeNs = p.endNs;
    this.windows = p.window + 1;
    this.events = p.events;
    this.totals = p.totals;
  }

  /** The run is over: its final simulated time and conservation totals (after the closing call). */
  onRunEnd(simTimeNs: number, totals: ConservationTotals): void {
    this.simTimeNs = simTimeNs;
    this.totals = totals;
    this.finished = true;
  }

  hostsConnected(): number | undefined {
    return this.driver?.progress().hostsJoined;
  }

  paused(): boolean | undefined {
    return this.driver?.progress().paused;
  }

  /** Simulated seconds per wall second since the first window. */
  speedRatio(): number | undefined {
    if (this.wallStartMs === undefined || this.wallNowMs === undefined || this.wallNowMs <= this.wallStartMs)
      return undefined;
    return this.simTimeNs / 1e9 / ((this.wallNowMs - this.wallStartMs) / 1000);
  }

  /**
   * A closed interval and its ledger snapshot: the run's, live; made here from the run view in a replay (where
   * the view's duration is the simulated time reached, so a run cut short has its last interval as long as it ran).
   */
  onIntervalClosed(
    record: IntervalRecord,
    snapshot: LedgerSnapshot = ledgerSnapshot(this.view, record, intervalBoundsNs(this.view, record.index)[1]),
  ): void {
    const { startNs, endNs } = snapshot;
    const seconds = Math.max(endNs - startNs, 1) / 1e9;
    this.intervalsClosed++;
    this.closedUpToNs = Math.max(this.closedUpToNs, endNs);
    this.intervalEvents += record.events;
    if (!this.live) {
      this.simTimeNs = this.closedUpToNs;
      this.events = this.intervalEvents;
    }
    for (const [reason, n] of record.drops) this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);

    for (const [key, t] of record.links) {
      for (const s of this.linkKeys[key] ?? []) {
        let l = this.links.get(s.key);
        if (l === undefined)
          this.links.set(s.key, (l = { scope: s.scope, labels: s.labels, packets: 0, bytes: 0, lost: 0 }));
        l.packets += t.packets;
        l.bytes += t.bytes;
        l.lost += t.lost;
      }
    }

    for (const p of this.power.values()) p.value = 0;
    const intervalJ = new Map<string, CounterSeries>();
    const add = (s: SeriesKey, joules: number) => {
      const e = intervalJ.get(s.key);
      if (e === undefined) intervalJ.set(s.key, { scope: s.scope, labels: s.labels, value: joules });
      else e.value += joules;
    };
    // Actor order, then component order: the same sums whatever the sharding.
    for (const actor of [...record.energy.keys()].sort((a, b) => a - b)) {
      const components = record.energy.get(actor)!;
      for (const component of [...components.keys()].sort()) {
        const joules = components.get(component)!;
        for (const s of this.actorKeys[actor] ?? []) add(s, joules);
        for (const s of componentSeries(component, this.level)) add(s, joules);
      }
    }
    for (const [key, e] of intervalJ) {
      const total = this.energy.get(key);
      if (total === undefined) this.energy.set(key, { scope: e.scope, labels: e.labels, value: e.value });
      else total.value += e.value;
      this.power.set(key, { scope: e.scope, labels: e.labels, value: e.value / seconds });
    }

    this.bitsErased += snapshot.bitsErased;
    const transitions = snapshot.transitions; // made on each read: once for both
    this.ledgers.add(snapshot, transitions);
    this.linkSigma.add(snapshot, seconds, transitions);
    this.servers.add(record, seconds);

    for (const series of this.metrics.values()) for (const m of series.values()) m.lastRatePerS = 0;
    const intervalCounts = new Map<MetricSeries, { count: number; sum: number }>();
    for (const acc of record.metrics.values()) {
      if (acc.count === 0) continue;
      let byKey = this.metrics.get(acc.name);
      if (byKey === undefined) {
        this.metrics.set(acc.name, (byKey = new Map()));
        this.onNewMetric?.(acc.name);
      }
      for (const s of groupSeries(acc.group, this.level)) {
        let m = byKey.get(s.key);
        if (m === undefined)
          byKey.set(
            s.key,
            (m = {
              scope: s.scope,
              labels: s.labels,
              count: 0,
              sum: 0,
              histogram: new Histogram(),
              lastRatePerS: 0,
              lastMean: 0,
            }),
          );
        m.count += acc.count;
        m.sum += acc.sum;
        m.histogram.merge(acc.histogram);
        const n = intervalCounts.get(m) ?? { count: 0, sum: 0 };
        intervalCounts.set(m, { count: n.count + acc.count, sum: n.sum + acc.sum });
      }
    }
    for (const [m, n] of intervalCounts) {
      m.lastRatePerS = n.count / seconds;
      m.lastMean = n.sum / n.count;
    }
  }
}
