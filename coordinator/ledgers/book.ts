/**
 * A run's ledger snapshots, one per metrics interval: made when the interval closes (`close`), or handed in by
 * whoever made it (`keep`), and read back as the run's series (`series`) by thermo.csv, summary.json and the checks.
 * An interval that no host reported (nothing happened in it) gets its snapshot when the series is first read.
 * The book holds the snapshots, not the records they were made from: the aggregator lets a closed record go once
 * the results have taken it (results/interval-stream.ts), while the σ̂ batches need every snapshot to the end.
 */
import { emptyInterval, type IntervalRecord, type RunAggregator } from "../counts/aggregate.ts";
import {
  intervalEndNs,
  ledgerSnapshot,
  restoreSnapshot,
  storedSnapshot,
  type LedgerScope,
  type LedgerSnapshot,
  type StoredSnapshot,
} from "./snapshot.ts";

export class LedgerBook {
  readonly scope: LedgerScope;
  /** By interval index: the latest snapshot made (or restored) of each interval. */
  private readonly snapshots = new Map<number, LedgerSnapshot>();
  /**
   * The snapshot made from each record the aggregator may still hold, so that a record replaced since (a roll-back
   * to a checkpoint) is not read stale. Weak: the book must not keep a record the aggregator let go (a WeakRef
   * would, while a run's windows follow one another without the event loop turning).
   */
  private readonly madeFrom = new WeakMap<IntervalRecord, LedgerSnapshot>();

  constructor(scope: LedgerScope, restored?: ReadonlyMap<number, StoredSnapshot>) {
    this.scope = scope;
    for (const [index, stored] of restored ?? []) this.snapshots.set(index, restoreSnapshot(scope, stored));
  }

  /** The snapshot of an interval that has just closed at `endNs`. */
  close(record: IntervalRecord, endNs: number): LedgerSnapshot {
    const snapshot = ledgerSnapshot(this.scope, record, endNs);
    this.keep(record, snapshot);
    return snapshot;
  }

  keep(record: IntervalRecord, snapshot: LedgerSnapshot): void {
    this.snapshots.set(record.index, snapshot);
    this.madeFrom.set(record, snapshot);
  }

  /** Every snapshot made so far, by interval index, as a checkpoint keeps them (the constructor's `restored`). */
  saved(): Map<number, StoredSnapshot> {
    return new Map([...this.snapshots].map(([index, snapshot]) => [index, storedSnapshot(snapshot)]));
  }

  /**
   * Every interval from the start to `runEndNs` (empty ones included), in order: for a record the aggregator holds,
   * the snapshot made from that very record; for one it let go (or never had), the snapshot kept by index.
   */
  series(aggregator: Pick<RunAggregator, "intervals"> | undefined, runEndNs: number): LedgerSnapshot[] {
    const out: LedgerSnapshot[] = [];
    const last = Math.ceil(runEndNs / this.scope.intervalNs);
    for (let index = 0; index < last; index++) {
      const endNs = intervalEndNs(this.scope, index, runEndNs);
      const reported = aggregator?.intervals.get(index);
      const kept = reported === undefined ? this.snapshots.get(index) : this.madeFrom.get(reported);
      if (kept !== undefined && kept.endNs === endNs) {
        out.push(kept);
        continue;
      }
      const snapshot = ledgerSnapshot(this.scope, reported ?? emptyInterval(index), endNs);
      this.snapshots.set(index, snapshot);
      if (reported !== undefined) this.madeFrom.set(reported, snapshot);
      out.push(snapshot);
    }
    return out;
  }
}
