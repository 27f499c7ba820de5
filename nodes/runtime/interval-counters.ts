/**
 * The per-actor counters of an interval (interval-ledger.ts): the layout of the dense row of runtime tallies and
 * exchange counts every actor has, and the drain that turns the rows in use, the model's counters and the level
 * integrals into counter columns sorted by actor and name, without an object per counter.
 */
import { type CounterColumns, CounterWriter } from "./interval-columns.ts";

/** How a packet enters or leaves the network at an actor (the irreversibility ledger's exchange mechanisms). */
export type Exchange = "created" | "consumed" | "dropped";
const EXCHANGES: readonly Exchange[] = ["created", "consumed", "dropped"];
/** Species numbers are small (proto enum Species); one slot per (exchange, species). */
export const SPECIES_SLOTS = 8;
/** A species' offset within an exchange's columns. */
export const SPECIES_MASK = SPECIES_SLOTS - 1;

/** Per-actor tallies the runtime keeps itself, reported as counters of these names. */
const TALLY_NAMES = ["packets_injected", "packets_removed", "bits_delivered", "bits_erased"] as const;
export type TallyName = (typeof TALLY_NAMES)[number];
/** A tally's column in an actor's row (`IntervalLedger.add`): the hot path passes these, not names. */
export const Tally = {
  packets_injected: 0,
  packets_removed: 1,
  bits_delivered: 2,
  bits_erased: 3,
} as const satisfies Record<TallyName, number>;
/** Column of (exchange, species) in an actor's row: after the tallies, one per exchange * SPECIES_SLOTS + species. */
export const ExchangeColumn = {
  created: TALLY_NAMES.length,
  consumed: TALLY_NAMES.length + SPECIES_SLOTS,
  dropped: TALLY_NAMES.length + 2 * SPECIES_SLOTS,
} as const satisfies Record<Exchange, number>;
/** Doubles per actor row: the tallies, then the exchange counts. */
export const ROW = TALLY_NAMES.length + EXCHANGES.length * SPECIES_SLOTS;

/** A counter a model counted (`IntervalLedger.count`). */
export interface ActorCounter {
  actor: number;
  name: string;
  value: number;
}

/** Counters handed in already in (actor, name) order, as columns (the level integrals at a close). */
export interface InOrderCounters {
  actor: number[];
  name: string[];
  value: number[];
}

export function newInOrderCounters(): InOrderCounters {
  return { actor: [], name: [], value: [] };
}

/** An actor's row as counters: its columns in the order of their names, so a row drains already sorted. */
const BY_NAME = Array.from({ length: ROW }, (_, column) => {
  const slot = column - TALLY_NAMES.length;
  const tally = column < TALLY_NAMES.length;
  const name = tally ? TALLY_NAMES[column]! : `${EXCHANGES[Math.floor(slot / SPECIES_SLOTS)]}:${slot % SPECIES_SLOTS}`;
  return { column, name, tally };
}).sort((a, b) => cmp(a.name, b.name));
const COLUMN_BY_NAME = Int32Array.from(BY_NAME, (c) => c.column);
const NAME_BY_NAME = BY_NAME.map((c) => c.name);
/** A tally is reported when nonzero, an exchange count when positive. */
const TALLY_BY_NAME = Uint8Array.from(BY_NAME, (c) => (c.tally ? 1 : 0));

/**
 * The rows of the actors in use (`rowsInUse`, any order) with what else was counted. Actor lists sort as typed
 * arrays (natively, without a comparator call per comparison: thousands of actors per interval).
 */
export interface CounterSources {
  rows: Float64Array;
  rowsInUse: number[];
  /** Any order (sorted here, in place). */
  model: ActorCounter[];
  inOrder: InOrderCounters;
}

/**
 * The counters sorted by actor and name (nonzero tallies, positive exchange counts; a model counter or level
 * integral with a row column's name is added to it), clearing the rows drained: one pass over the rows merged with
 * the model counters (sorted here) and the in-order ones.
 */
export function drainCounters({ rows, rowsInUse, model, inOrder }: CounterSources): CounterColumns {
  const names = new CounterWriter(rowsInUse.length * ROW + model.length + inOrder.actor.length);
  /** Each row column's index in `out.names`, on first use (-1: not used yet). */
  const nameIndex = new Int32Array(ROW).fill(-1);
  const extra = new MergedCounters(model.sort(byActorThenName), inOrder);
  for (const actor of Int32Array.from(rowsInUse).sort()) {
    for (; !extra.done && extra.actor < actor; extra.next()) names.push(extra.actor, extra.name, extra.value);
    const base = actor * ROW;
    for (let k = 0; k < ROW; k++) {
      const column = COLUMN_BY_NAME[k]!;
      const value = rows[base + column]!;
      if (!(value > 0 || (TALLY_BY_NAME[k] === 1 && value !== 0))) continue;
      const name = NAME_BY_NAME[k]!;
      let sum = value;
      for (; !extra.done && extra.actor === actor && extra.name <= name; extra.next()) {
        if (extra.name === name) sum += extra.value;
        else names.push(actor, extra.name, extra.value);
      }
      let index = nameIndex[k]!;
      if (index === -1) nameIndex[k] = index = names.index(name);
      names.pushIndex(actor, index, sum);
    }
    for (; !extra.done && extra.actor === actor; extra.next()) names.push(actor, extra.name, extra.value);
    for (let k = base; k < base + ROW; k++) rows[k] = 0;
  }
  for (; !extra.done; extra.next()) names.push(extra.actor, extra.name, extra.value);
  return names.finish();
}

/**
 * The model counters (sorted) and the in-order counters as one sorted sequence, read at the cursor (`actor`,
 * `name`, `value`); a counter in both has the sum of both (the model's first).
 */
class MergedCounters {
  actor = 0;
  name = "";
  value = 0;
  done = false;
  private m = 0;
  private o = 0;
  private readonly model: readonly ActorCounter[];
  private readonly inOrder: InOrderCounters;

  constructor(model: readonly ActorCounter[], inOrder: InOrderCounters) {
    this.model = model;
    this.inOrder = inOrder;
    this.next();
  }

  next(): void {
    const m = this.model[this.m];
    const o = this.o;
    const inOrder = this.inOrder;
    const hasOther = o < inOrder.actor.length;
    if (m === undefined && !hasOther) {
      this.done = true;
      return;
    }
    const order = m === undefined ? 1 : !hasOther ? -1 : m.actor - inOrder.actor[o]! || cmp(m.name, inOrder.name[o]!);
    if (order < 0) {
      this.set(m!.actor, m!.name, m!.value);
      this.m++;
    } else if (order > 0) {
      this.set(inOrder.actor[o]!, inOrder.name[o]!, inOrder.value[o]!);
      this.o++;
    } else {
      this.set(m!.actor, m!.name, m!.value + inOrder.value[o]!);
      this.m++;
      this.o++;
    }
  }

  private set(actor: number, name: string, value: number): void {
    this.actor = actor;
    this.name = name;
    this.value = value;
  }
}

function byActorThenName(a: ActorCounter, b: ActorCounter): number {
  return a.actor - b.actor || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
