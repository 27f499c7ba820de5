/**
 * The statistical batches of a run: its metrics intervals after the warm-up, each with its own duration (the
 * last one may be partial) and the transition counts of its ledger snapshot. Point estimates pool all batches;
 * error bars come from their spread (the delete-one jackknife needs every batch's counts, so the ledger book keeps
 * every snapshot). What the irreversibility ledger sums over the batches from their interval records (exchanges
 * per actor, queue moves, link bytes) is added up as each interval closes (`BatchTotals`): no record is kept.
 */
import { CompactNested, type NestedValues } from "../counts/compact-nested.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import type { TransitionColumns } from "../counts/transitions.ts";
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
export const isBatch = (s: LedgerSnapshot, first: number): boolean => s.index >= first && s.durationS > 0;

/** `ledgers`: the run's snapshots, one per interval up to the run's end. */
export function statisticalBatches(warmupNs: number, intervalNs: number, ledgers: readonly LedgerSnapshot[]): Batch[] {
  const first = Math.ceil(warmupNs / intervalNs);
  return ledgers
    .filter((s) => isBatch(s, first))
    .map((s) => ({
      index: s.index,
      durationS: s.durationS,
      // Made when read (the σ̂ estimate reads each batch's once), not all held at once as objects.
      get counts() {
        return s.transitions;
      },
      hops: storedSnapshot(s).hops,
    }));
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

  /** One interval's queue moves by actor and mechanism, as `take` adds them up (integers: any order sums the same). */
  static queueMovesOf(t: TransitionColumns): QueueMoves[] {
    const one = new BatchTotals(0, 1, 0);
    one.addTransitions(t);
    return [...one.queueMoves.values()];
  }

  /** An interval as it closes, with its ledger snapshot (which says whether it is a batch). */
  take(record: IntervalRecord, snapshot: LedgerSnapshot): void {
    if (!isBatch(snapshot, this.first)) return;
    this.addExchanges(record.counters);
    this.addTransitions(record.transitions);
    addLinkBytes(this.linkBytes, record.links, 1);
  }

  /**
   * An interval taken apart from its record, at the end of a `run.warmup: auto` run (results/auto-warmup.ts): its
   * counters (its snapshot's: ledgers/snapshot.ts StoredSnapshot) and its queue moves (`queueMovesOf`). Its link
   * bytes are added there as the run's total less the warm-up's (`addLinkBytes`).
   */
  takeApart(snapshot: LedgerSnapshot, counters: NestedValues, moves: readonly QueueMoves[]): void {
    if (!isBatch(snapshot, this.first)) return;
    this.addExchanges(counters);
    this.addQueueMoves(moves);
  }

  /** Read from the counter columns: each of the record's few names classified once, no Map per actor. */
  private addExchanges(values: NestedValues): void {
    const counters = CompactNested.of(values);
    const rows = rowIndex(this).exchanges;
    // By name number: the exchange's field and its rows by actor (null: not an exchange counter).
    const targets = counters.nameList().map((name) => {
      const exchange = exchangeOf(name);
      if (exchange === null || exchange.kind === "hop") return null;
      let byActor = rows.get(exchange.species);
      if (byActor === undefined) rows.set(exchange.species, (byActor = new Map()));
      return { field: EXCHANGE_FIELD[exchange.kind] as ExchangeField, species: exchange.species, byActor };
    });
    for (let group = 0; group < counters.size; group++) {
      const actor = counters.actorOf(group);
      for (let e = counters.firstEntry(group); e < counters.endEntry(group); e++) {
        const target = targets[counters.nameNumber(e)];
        if (target === null || target === undefined) continue;
        let row = target.byActor.get(actor);
        if (row === undefined) {
          row = { actor, species: target.species, created: 0, consumed: 0, dropped: 0 };
          this.exchanges.set(`${actor}|${target.species}`, row);
          target.byActor.set(actor, row);
        }
        row[target.field] += counters.amount(e);
      }
    }
  }

  /**
   * Each reported transition's count, straight from the columns: up or down by its states. A transition reported
   * twice adds its counts twice, as the totals of `transitionTotals` would (counts are integers: the sums are exact).
   */
  private addTransitions(t: TransitionColumns): void {
    const byMechanism = t.mechanisms.map((mechanism) => this.movesOf(mechanism));
    for (let i = 0; i < t.actor.length; i++) {
      const actor = t.actor[i]!;
      const mechanism = t.mechanism[i]!;
      const byActor = byMechanism[mechanism] ?? this.movesOf("");
      let entry = byActor.get(actor);
      if (entry === undefined) {
        const name = t.mechanisms[mechanism] ?? "";
        entry = { actor, mechanism: name, up: 0, down: 0 };
        this.queueMoves.set(`${actor}|${name}`, entry);
        byActor.set(actor, entry);
      }
      if (t.toState[i]! > t.fromState[i]!) entry.up += t.count[i]!;
      else entry.down += t.count[i]!;
    }
  }

  private addQueueMoves(moves: readonly QueueMoves[]): void {
    for (const { actor, mechanism, up, down } of moves) {
      const byActor = this.movesOf(mechanism);
      let entry = byActor.get(actor);
      if (entry === undefined) {
        entry = { actor, mechanism, up: 0, down: 0 };
        this.queueMoves.set(`${actor}|${mechanism}`, entry);
        byActor.set(actor, entry);
      }
      entry.up += up;
      entry.down += down;
    }
  }

  /** The queue-move rows of one mechanism, by actor. */
  private movesOf(mechanism: string): Map<number, QueueMoves> {
    const rows = rowIndex(this).queueMoves;
    let byActor = rows.get(mechanism);
    if (byActor === undefined) rows.set(mechanism, (byActor = new Map()));
    return byActor;
  }
}

/**
 * Adds (`sign` 1) or takes away (−1) an interval's bytes by link direction (`into`: link index * 2 + reverse).
 * Whole numbers: sums and differences are exact, so the run's total less some intervals is the sum of the rest.
 */
export function addLinkBytes(
  into: Float64Array,
  links: ReadonlyMap<number, { readonly bytes: number }>,
  sign: 1 | -1,
): void {
  for (const [direction, t] of links) if (direction < into.length) into[direction]! += sign * t.bytes;
}

/**
 * The rows of `exchanges` and `queueMoves` by species (mechanism) and actor, so that adding an interval builds no
 * key text per entry. Not a field: a checkpoint keeps the Maps alone, and a restored BatchTotals makes its index
 * again from them when it next takes an interval.
 */
interface RowIndex {
  exchanges: Map<string, Map<number, ExchangeTotals>>;
  queueMoves: Map<string, Map<number, QueueMoves>>;
}
const rowIndexes = new WeakMap<BatchTotals, RowIndex>();

function rowIndex(totals: BatchTotals): RowIndex {
  let index = rowIndexes.get(totals);
  if (index === undefined) {
    index = { exchanges: new Map(), queueMoves: new Map() };
    for (const row of totals.exchanges.values()) indexRow(index.exchanges, row.species, row);
    for (const row of totals.queueMoves.values()) indexRow(index.queueMoves, row.mechanism, row);
    rowIndexes.set(totals, index);
  }
  return index;
}

function indexRow<T extends { actor: number }>(index: Map<string, Map<number, T>>, key: string, row: T): void {
  let byActor = index.get(key);
  if (byActor === undefined) index.set(key, (byActor = new Map()));
  byActor.set(row.actor, row);
}
