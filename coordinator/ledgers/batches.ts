/**
 * The statistical batches of a run: its metrics intervals after the warm-up, each with its own duration (the
 * last one may be partial). Point estimates pool all batches; error bars come from their spread.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord, RunAggregator } from "../counts/aggregate.ts";

export interface Batch {
  record: IntervalRecord;
  durationS: number;
}

export function statisticalBatches(scenario: ResolvedScenario, aggregator: RunAggregator, simTimeNs: number): Batch[] {
  const intervalNs = aggregator.intervalNs;
  const first = Math.ceil(scenario.run.warmupNs / intervalNs);
  return aggregator
    .intervalList(simTimeNs)
    .filter((r) => r.index >= first)
    .map((record) => ({
      record,
      durationS: (Math.min((record.index + 1) * intervalNs, simTimeNs) - record.index * intervalNs) / 1e9,
    }))
    .filter((b) => b.durationS > 0);
}
