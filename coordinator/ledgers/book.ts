/**
 * A run's ledger snapshots, one per metrics interval: made when the interval closes (`close`), or handed in by
 * whoever made it (`keep`), and read back as the run's series (`series`) by thermo.csv, summary.json and the checks.
 * An interval that no host reported (nothing happened in it) gets its snapshot when the series is first read.
 */
import type { IntervalRecord, RunAggregator } from "../counts/aggregate.ts";
import { intervalEndNs, ledgerSnapshot, type LedgerScope, type LedgerSnapshot } from "./snapshot.ts";

export class LedgerBook {
  readonly scope: LedgerScope;
  /**
   * By interval index, with the aggregator's record it was made from (undefined: no host reported the interval), so
   * that a record replaced since (a roll-back to a checkpoint) is not read stale.
   */
  private readonly snapshots = new Map<number, { record: IntervalRecord | undefined; snapshot: LedgerSnapshot }>();

  constructor(scope: LedgerScope) {
    this.scope = scope;
  }

  /** The snapshot of an interval that has just closed at `endNs`. */
  close(record: IntervalRecord, endNs: number): LedgerSnapshot {
    const snapshot = ledgerSnapshot(this.scope, record, endNs);
    this.keep(record, snapshot);
    return snapshot;
  }

  keep(record: IntervalRecord, snapshot: LedgerSnapshot): void {
    this.snapshots.set(record.index, { record, snapshot });
  }

  /** Every interval from the start to `runEndNs` (empty ones included), in order. */
  series(aggregator: RunAggregator, runEndNs: number): LedgerSnapshot[] {
    return aggregator.intervalList(runEndNs).map((record) => {
      const endNs = intervalEndNs(this.scope, record.index, runEndNs);
      const reported = aggregator.intervals.get(record.index);
      const kept = this.snapshots.get(record.index);
      if (kept !== undefined && kept.record === reported && kept.snapshot.endNs === endNs) return kept.snapshot;
      const snapshot = ledgerSnapshot(this.scope, record, endNs);
      this.snapshots.set(record.index, { record: reported, snapshot });
      return snapshot;
    });
  }
}
