/**
 * A run's ledger snapshots, one per metrics interval: made when the interval closes (`close`), or handed in by
 * whoever made it (`keep`), and read back as the run's series (`series`) by thermo.csv, summary.json and the checks.
 * An interval that no host reported (nothing happened in it) gets its snapshot when the series is first read.
 * The book holds the snapshots, not the records they were made from: the aggregator lets a closed record go once
 * the results have taken it (results/interval-stream.ts), while the σ̂ batches need every snapshot to the end.
 */
import { emptyInterval, type IntervalRecord, type RunAggregator } from "../counts/aggregate.ts";
import { intervalEndNs, ledgerSnapshot, type LedgerScope, type LedgerSnapshot } from "./snapshot.ts";

export class LedgerBook {
  readonly scope: LedgerScope;
  /**
   * By interval index, with the aggregator's record it was made from (held weakly; undefined: no host reported the
   * interval), so that a record replaced since (a roll-back to a checkpoint) is not read stale.
   */
  private readonly snapshots = new Map<
    number,
    { record: WeakRef<IntervalRecord> | undefined; snapshot: LedgerSnapshot }
  >();

  constructor(scope: LedgerScope, restored?: ReadonlyMap<number, LedgerSnapshot>) {
    this.scope = scope;
    for (const [index, snapshot] of restored ?? []) this.snapshots.set(index, { record: undefined, snapshot });
  }

  /** The snapshot of an interval that has just closed at `endNs`. */
  close(record: IntervalRecord, endNs: number): LedgerSnapshot {
    const snapshot = ledgerSnapshot(this.scope, record, endNs);
    this.keep(record, snapshot);
    return snapshot;
  }

  keep(record: IntervalRecord, snapshot: LedgerSnapshot): void {
    this.snapshots.set(record.index, { record: new WeakRef(record), snapshot });
  }

  /** Every snapshot made so far, by interval index (what a checkpoint keeps of the book). */
  saved(): Map<number, LedgerSnapshot> {
    return new Map([...this.snapshots].map(([index, kept]) => [index, kept.snapshot]));
  }

  /**
   * Every interval from the start to `runEndNs` (empty ones included), in order. A snapshot whose record the
   * aggregator no longer holds stands (the record was let go once taken), as does one a checkpoint restored; one
   * whose record was replaced (a roll-back) is made again.
   */
  series(aggregator: RunAggregator, runEndNs: number): LedgerSnapshot[] {
    const out: LedgerSnapshot[] = [];
    const last = Math.ceil(runEndNs / this.scope.intervalNs);
    for (let index = 0; index < last; index++) {
      const endNs = intervalEndNs(this.scope, index, runEndNs);
      const reported = aggregator.intervals.get(index);
      const kept = this.snapshots.get(index);
      const current = reported === undefined || kept?.record === undefined || kept.record.deref() === reported;
      if (kept !== undefined && current && kept.snapshot.endNs === endNs) {
        out.push(kept.snapshot);
        continue;
      }
      const record = reported ?? emptyInterval(index);
      const snapshot = ledgerSnapshot(this.scope, record, endNs);
      this.snapshots.set(index, { record: reported === undefined ? undefined : new WeakRef(reported), snapshot });
      out.push(snapshot);
    }
    return out;
  }
}
