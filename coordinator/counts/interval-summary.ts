/**
 * What a run's end reads of each closed interval beyond the results files: its metric accumulators (the warm-up,
 * the batch means, the experiment's checks), its events and its drops by reason (the checks). A few entries per
 * actor group and drop reason, never per actor or link: a long run keeps one for every interval, where a full
 * record (aggregate.ts), with its links, energy, counters and transitions, is megabytes on a large scenario.
 */
import type { MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import type { IntervalRecord } from "./aggregate.ts";

export interface IntervalSummary {
  readonly index: number;
  readonly events: number;
  /** Accumulators by metricKey. */
  readonly metrics: ReadonlyMap<string, MetricAccumulator>;
  readonly drops: ReadonlyMap<string, number>;
}

/** The summary of a closed record (its Maps, not copies: the rest of the record can go). */
export function intervalSummary(record: IntervalRecord): IntervalSummary {
  return { index: record.index, events: record.events, metrics: record.metrics, drops: record.drops };
}

/** Summaries of intervals 0 to `count` − 1 from those `at` gives (an interval it has not: nothing reported in it). */
export function summariesUpTo(count: number, at: (index: number) => IntervalSummary | undefined): IntervalSummary[] {
  const out: IntervalSummary[] = [];
  for (let k = 0; k < count; k++) out.push(at(k) ?? { index: k, events: 0, metrics: new Map(), drops: new Map() });
  return out;
}
