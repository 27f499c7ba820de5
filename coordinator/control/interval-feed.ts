/**
 * The interval feed: one IntervalMetrics message per closed metrics interval (also for intervals in which nothing
 * was reported), with the fault counts in force at its end and the changes within it; kept as the run's history,
 * streamed to watchers (WatchMetrics) and, at the end, to the results' per-interval fault rows.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import type { FaultSnapshot } from "./change-effects.ts";
import { intervalMetrics, type ClosedInterval } from "./interval-metrics.ts";

export type IntervalMessage = dctwin.v1.IntervalMetrics.$Properties;

export interface IntervalFaultRow {
  startNs: number;
  endNs: number;
  activeFaults: number;
  faultedActors: number;
  faultedLinks: number;
  injected: number;
  cleared: number;
}

interface Watcher {
  onInterval: (m: IntervalMessage) => void;
  onEnd: () => void;
}

export class IntervalFeed {
  private readonly scenario: ResolvedScenario;
  private readonly history: IntervalMessage[] = [];
  private readonly watchers = new Set<Watcher>();
  /** Fault counts after the changes at each simulated time, in time order (the first: before any). */
  private readonly snapshots: FaultSnapshot[] = [{ timeNs: -1, activeFaults: 0, faultedActors: 0, faultedLinks: 0 }];
  private ended = false;

  constructor(scenario: ResolvedScenario) {
    this.scenario = scenario;
  }

  /** The published intervals and the fault counts over time, as plain data (for a checkpoint). */
  snapshot(): { history: IntervalMessage[]; snapshots: FaultSnapshot[] } {
    return { history: [...this.history], snapshots: this.snapshots.map((s) => ({ ...s })) };
  }

  /** Puts the history back as `snapshot` took it (watchers stay: they are of this process). */
  restore(state: { history: readonly IntervalMessage[]; snapshots: readonly FaultSnapshot[] }): void {
    this.history.splice(0, this.history.length, ...state.history);
    this.snapshots.splice(0, this.snapshots.length, ...state.snapshots.map((s) => ({ ...s })));
  }

  /** Intervals published so far (the next index to publish). */
  get published(): number {
    return this.history.length;
  }

  /** Fault counts now. */
  get latest(): FaultSnapshot {
    return this.snapshots[this.snapshots.length - 1]!;
  }

  /** Fault counts after the changes at `snapshot.timeNs` (a later snapshot of the same time replaces it). */
  counts(snapshot: FaultSnapshot): void {
    if (this.latest.timeNs === snapshot.timeNs) this.snapshots[this.snapshots.length - 1] = snapshot;
    else this.snapshots.push(snapshot);
  }

  /**
   * Publishes interval `index`, [start, start + I) cut at `endNs`; `closed` null when nothing was reported in it.
   * `changes`: the injections and clearings within it.
   */
  publish(
    index: number,
    closed: ClosedInterval | null,
    endNs: number,
    changes: { injected: number; cleared: number },
  ): void {
    const intervalNs = this.scenario.run.metricsIntervalNs;
    const startNs = index * intervalNs;
    const at = this.countsBefore(startNs + intervalNs);
    const message = intervalMetrics(index, closed, startNs, endNs, {
      activeFaults: at.activeFaults,
      faultedActors: at.faultedActors,
      faultedLinks: at.faultedLinks,
      injected: changes.injected,
      cleared: changes.cleared,
    });
    this.history.push(message);
    for (const w of this.watchers) w.onInterval(message);
  }

  /** Closed intervals from `fromInterval` on, then each new one until the feed ends. Returns the unsubscribe. */
  watch(fromInterval: number, onInterval: (m: IntervalMessage) => void, onEnd: () => void): () => void {
    for (const m of this.history) if (Number(m.interval) >= fromInterval) onInterval(m);
    if (this.ended) {
      onEnd();
      return () => {};
    }
    const w: Watcher = { onInterval: (m) => Number(m.interval) >= fromInterval && onInterval(m), onEnd };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** No more intervals: every stream ends. */
  end(): void {
    this.ended = true;
    for (const w of [...this.watchers]) w.onEnd();
    this.watchers.clear();
  }

  /** Per-interval fault counts for the results (one row per closed interval). */
  faultRows(): IntervalFaultRow[] {
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

  /** The counts in force just before `t`. */
  private countsBefore(t: number): FaultSnapshot {
    for (let i = this.snapshots.length - 1; i >= 0; i--) if (this.snapshots[i]!.timeNs < t) return this.snapshots[i]!;
    return this.snapshots[0]!;
  }
}
