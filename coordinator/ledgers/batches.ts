/**
 * The statistical batches of a run: its metrics intervals after the warm-up, each with its own duration (the
 * last one may be partial) and the transition counts of its ledger snapshot. Point estimates pool all batches;
 * error bars come from their spread (the delete-one jackknife needs every batch's counts, so the ledger book keeps
 * every snapshot). What the irreversibility ledger sums over the batches from their interval records (exchanges
 * per actor, queue moves, link bytes) is added up as each interval closes (`BatchTotals`): no record is kept.
 */
import { CompactNested } from "../counts/compact-nested.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { transitionTotals } from "../counts/transitions.ts";
import type { TransitionCount } from "../thermo/index.ts";
import { exchangeOf, type HopColumns } from "./mechanisms.ts";
import { storedSnapshot, type LedgerSnapshot } from "./snapshot.ts";

export interface Batch {
  index: number;
  durationS: number;
  counts: readonly Readonly<TransitionCount>[];
  /** The interval's species hops (the TUR's per-batch currents). */
  hops: HopColumns;
}

/** Is this interval a batch: after the warm-up's first interval (`first`), and not empty of time. */
const isBatch = (s: LedgerSnapshot, first: number): boolean => s.index >= first && s.durationS > 0;

/** `ledgers`: the run's snapshots, one per interval up to the run's end. */
export function statisticalBatches(warmupNs: number, intervalNs: number, ledgers: readonly LedgerSnapshot[]): Batch[] {
  const first = Math.ceil(warmupNs / intervalNs);
  return ledgers
    .filter((s) => isBatch(s, first))
    .map((s) => ({ index: s.index, durationS: s.durationS, counts: s.transitions, hops: storedSnapshot(s).hops }));
}

export type ExchangeField = "created" | "consumed" | "dropped";
const EXCHANGE_FIELD = { create: "created", consume: "consumed", loss: "dropped" } as const;

/** Packets one actor created, consumed and dropped of one species over the batches. */
export interface ExchangeTotals {
  actor: number;
  species: string;
  created: number;
  consumed: number;
  dropped: number;
}

/** Queue-length moves of one actor by one mechanism over the batches: up (n → n+1) and down. */
export interface QueueMoves {
  actor: number;
  mechanism: string;
  up: number;
  down: number;
}

/**
 * The irreversibility ledger's sums over the batches' interval records, added interval by interval in index order
 * (the order, and so the floating-point sums, of adding them up at the end). Plain data: a checkpoint keeps it.
 */
export class BatchTotals {
  /** The first interval that is a batch (the warm-up's end). */
  readonly first: number;
  /** Key: `${actor}|${species}`. */
  readonly exchanges = new Map<string, ExchangeTotals>();
  /** Key: `${actor}|${mechanism}`. */
  readonly queueMoves = new Map<string, QueueMoves>();
  /** Bytes by link direction (link index * 2 + reverse). */
  readonly linkBytes: Float64Array;

  constructor(warmupNs: number, intervalNs: number, links: number) {
    this.first = Math.ceil(warmupNs / intervalNs);
    this.linkBytes = new Float64Array(links * 2);
  }

  /** An interval as it closes, with its ledger snapshot (which says whether it is a batch). */
  take(record: IntervalRecord, snapshot: LedgerSnapshot): void {
    if (!isBatch(snapshot, this.first)) return;
    this.addExchanges(record);
    for (const t of transitionTotals(record.transitions)) {
      const key = `${t.actor}|${t.mechanism}`;
      let entry = this.queueMoves.get(key);
      if (entry === undefined) {
        entry = { actor: t.actor, mechanism: t.mechanism, up: 0, down: 0 };
        this.queueMoves.set(key, entry);
      }
      if (t.toState > t.fromState) entry.up += t.count;
      else entry.down += t.count;
    }
    for (const [direction, t] of record.links)
      if (direction < this.linkBytes.length) this.linkBytes[direction]! += t.bytes;
  }

  /** Read from the counter columns: each of the record's few names classified once, no Map per actor. */
  private addExchanges(record: IntervalRecord): void {
    const counters = CompactNested.of(record.counters);
    const exchanges = counters.nameList().map(exchangeOf);
    for (let group = 0; group < counters.size; group++) {
      const actor = counters.actorOf(group);
      for (let e = counters.firstEntry(group); e < counters.endEntry(group); e++) {
        const exchange = exchanges[counters.nameNumber(e)];
        if (exchange === null || exchange === undefined || exchange.kind === "hop") continue;
        const key = `${actor}|${exchange.species}`;
        let row = this.exchanges.get(key);
        if (row === undefined) {
          row = { actor, species: exchange.species, created: 0, consumed: 0, dropped: 0 };
          this.exchanges.set(key, row);
        }
        row[EXCHANGE_FIELD[exchange.kind] as ExchangeField] += counters.amount(e);
      }
    }
  }
}
