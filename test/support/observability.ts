/** Builders for observability tests. */
import type { IntervalRecord } from "../../coordinator/results/aggregate.ts";

export function emptyRecordForTest(index: number): IntervalRecord {
  return { index, events: 0, metrics: new Map(), links: new Map(), drops: new Map(), energy: new Map(), transitions: new Map(), counters: new Map(), traceEvents: [] };
}
