/**
 * The statistical batches of a run: its metrics intervals after the warm-up, each with its own duration (the
 * last one may be partial) and the transition counts of its ledger snapshot. Point estimates pool all batches;
 * error bars come from their spread.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord, RunAggregator } from "../counts/aggregate.ts";
import type { TransitionCount } from "../thermo/index.ts";
import type { LedgerSnapshot } from "./snapshot.ts";

export interface Batch {
  record: IntervalRecord;
  durationS: number;
  counts: readonly Readonly<TransitionCount>[];
}

/** `ledgers`: the run's snapshots, one per interval of `aggregator.intervalList` up to the run's end. */
export function statisticalBatches(
  scenario: ResolvedScenario,
  aggregator: RunAggregator,
  ledgers: readonly LedgerSnapshot[],
): Batch[] {
  const first = Math.ceil(scenario.run.warmupNs / aggregator.intervalNs);
  const runEndNs = ledgers.at(-1)?.endNs ?? 0;
  const records = aggregator.intervalList(runEndNs);
  return ledgers
    .filter((s) => s.index >= first && s.durationS > 0)
    .map((s) => ({ record: records[s.index]!, durationS: s.durationS, counts: s.transitions }));
}
