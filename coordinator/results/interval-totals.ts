/**
 * What summary.json and the experiment's checks need of the run's intervals, taken from each as it closes so that
 * no record is kept for it: each interval's summary (metric accumulators, events, drops: a few per actor group, not
 * per actor; the batch means, the warm-up and the checks read them), the heat ledger's energy and bit totals, and
 * the irreversibility ledger's sums over the batches. With `run.warmup: auto` the batches are known only once the
 * run's series is: `batches` is then made at the end (auto-warmup.ts). Plain data: a checkpoint keeps it.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { intervalSummary, type IntervalSummary } from "../counts/interval-summary.ts";
import { addLinkBytes, BatchTotals, isBatch } from "../ledgers/batches.ts";
import { EnergyTotals } from "../ledgers/energy-totals.ts";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";

export class IntervalTotals {
  /** Every interval taken, in index order from 0 (empty ones included). */
  readonly metrics: IntervalSummary[] = [];
  readonly energy: EnergyTotals;
  /** undefined until the warm-up is known (`run.warmup: auto`). */
  batches: BatchTotals | undefined;
  /** `run.warmup: auto`: every interval's bytes by link direction so far (the batches' are these less the warm-up's). */
  readonly linkBytes: Float64Array | undefined;

  constructor(scenario: ResolvedScenario) {
    this.energy = new EnergyTotals(scenario.actors.length);
    const auto = scenario.run.warmupAuto === true;
    this.batches = auto ? undefined : batchTotals(scenario, scenario.run.warmupNs);
    this.linkBytes = auto ? new Float64Array(scenario.links.length * 2) : undefined;
  }

  /** The totals of a finished run's records, all kept, with their snapshots (`series`, in the same order). */
  static ofRecords(
    scenario: ResolvedScenario,
    records: readonly IntervalRecord[],
    series: readonly LedgerSnapshot[],
  ): IntervalTotals {
    const totals = new IntervalTotals(scenario);
    totals.batches ??= batchTotals(scenario, scenario.run.warmupNs);
    records.forEach((record, k) => totals.take(record, series[k]!));
    return totals;
  }

  take(record: IntervalRecord, snapshot: LedgerSnapshot): void {
    this.metrics.push(intervalSummary(record));
    this.energy.take(record);
    this.batches?.take(record, snapshot);
    if (this.linkBytes !== undefined && isBatch(snapshot, 0)) addLinkBytes(this.linkBytes, record.links, 1);
  }
}

export function batchTotals(scenario: ResolvedScenario, warmupNs: number): BatchTotals {
  return new BatchTotals(warmupNs, scenario.run.metricsIntervalNs, scenario.links.length);
}
