/**
 * What a shard's actors did during the current metrics interval: metric observations, link traffic, drops,
 * state transitions and per-actor counters. Drained once per interval into an IntervalReport (wire.ts), so
 * the per-window messages carry only what synchronisation needs.
 */
import { WindowMetrics } from "./metrics.ts";
import { mechanismNames, NAMES_TOKEN } from "./names.ts";
import { addPair, growDense, newStatePairs, type StatePairs } from "./state-pairs.ts";
import {
  appendInStateOrder,
  CounterNames,
  newCounterColumns,
  newTransitionColumns,
  type CounterColumns,
  type TransitionColumns,
} from "./interval-columns.ts";
import type { IntervalData, LinkCount, TraceEventData } from "./interval-data.ts";

export type { IntervalData, LinkCount, TraceEventData, TransitionCount } from "./interval-data.ts";

/** How a packet enters or leaves the network at an actor (the irreversibility ledger's exchange mechanisms). */
export type Exchange = "created" | "consumed" | "dropped";
const EXCHANGES: readonly Exchange[] = ["created", "consumed", "dropped"];
/** Species numbers are small (proto enum Species); one slot per (exchange, species). */
const SPECIES_SLOTS = 8;
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
const ROW = TALLY_NAMES.length + EXCHANGES.length * SPECIES_SLOTS;

interface ActorCounter {
  actor: number;
  name: string;
  value: number;
}

/** An actor's row as counters: its columns in the order of their names, so a row drains already sorted. */
const COLUMNS_BY_NAME: readonly { column: number; name: string; tally: boolean }[] = Array.from(
  { length: ROW },
  (_, column) => {
    const slot = column - TALLY_NAMES.length;
    const tally = column < TALLY_NAMES.length;
    const name = tally
      ? TALLY_NAMES[column]!
      : `${EXCHANGES[Math.floor(slot / SPECIES_SLOTS)]}:${slot % SPECIES_SLOTS}`;
    return { column, name, tally };
  },
).sort((a, b) => cmp(a.name, b.name));

export class IntervalLedger {
  readonly metrics = new WindowMetrics();
  events = 0;
  /**
   * Tallies and exchange counts of every actor in one dense array, a row of ROW doubles per actor index (no map
   * lookup or allocation per packet); the actors with a row in use are listed for the drain.
   */
  private rows = new Float64Array(0);
  private rowInUse = new Uint8Array(0);
  private rowsInUse: number[] = [];
  /** Link counts by direction * SPECIES_SLOTS + species (dense: indexed on every hop), and those in use. */
  private linkCounts: (LinkCount | undefined)[] = [];
  private linksInUse: LinkCount[] = [];
  private readonly drops = new Map<string, number>();
  /** Mechanism names by id, and ids by name: transitions are kept per (actor, mechanism id). */
  private readonly mechanismIds = new Map<string, number>();
  private readonly mechanisms: string[] = [];
  /** This ledger's mechanism ids by names.ts id: a cache of ids of NAMES_TOKEN's tables. */
  private localMechanism: (number | undefined)[] = [];
  private namesToken = NAMES_TOKEN;
  /** actor -> mechanism id -> the counts of its state pairs. Actors with any are listed for the drain. */
  private transitions: ((StatePairs | undefined)[] | undefined)[] = [];
  private transitionActors: number[] = [];
  private readonly counters = new Map<string, ActorCounter>();
  /** Counters handed in already in (actor, name) order (`countInOrder`: the level integrals at a close). */
  private countersInOrder: ActorCounter[] = [];
  /** Steps of sampled journeys, in the order they happened on this host. */
  traceEvents: TraceEventData[] = [];

  /**
   * A packet of `species` put on link direction `direction` (= link * 2 + reverse); `lost` when it never arrives;
   * `multiplicity` real packets of `bytes` each.
   */
  countLink(direction: number, bytes: number, lost: boolean, species = 0, multiplicity = 1): void {
    const key = direction * SPECIES_SLOTS + (species & (SPECIES_SLOTS - 1));
    if (key >= this.linkCounts.length) this.linkCounts = growDense(this.linkCounts, key);
    let c = this.linkCounts[key];
    if (c === undefined) {
      c = { link: direction >> 1, reverse: (direction & 1) === 1, packets: 0, bytes: 0, dropped: 0, species };
      this.linkCounts[key] = c;
      this.linksInUse.push(c);
    }
    if (lost) c.dropped += multiplicity;
    else {
      c.packets += multiplicity;
      c.bytes += bytes * multiplicity;
    }
  }

  /** Adds `value` to column `column` (a `Tally` or an `ExchangeColumn` + species) of the actor's row. */
  add(actor: number, column: number, value: number): void {
    if (this.rowInUse[actor] !== 1) this.useRow(actor);
    this.rows[actor * ROW + column]! += value;
  }

  /**
   * A packet of `species` standing for `multiplicity` real ones created at `actor`: its injected tally and created
   * exchange count, the row found once (the two `add`s of every packet creation in one call).
   */
  created(actor: number, species: number, multiplicity: number): void {
    if (this.rowInUse[actor] !== 1) this.useRow(actor);
    const base = actor * ROW;
    const rows = this.rows;
    rows[base + Tally.packets_injected]! += multiplicity;
    rows[base + ExchangeColumn.created + (species & SPECIES_MASK)]! += multiplicity;
  }

  /**
   * A packet leaves the network at `actor` (`exchange`: consumed or dropped): removed tally, exchange count,
   * bits delivered (consumed only) and erased, the row found once.
   */
  removed(actor: number, exchange: number, species: number, multiplicity: number, bits: number): void {
    if (this.rowInUse[actor] !== 1) this.useRow(actor);
    const base = actor * ROW;
    const rows = this.rows;
    rows[base + Tally.packets_removed]! += multiplicity;
    rows[base + exchange + (species & SPECIES_MASK)]! += multiplicity;
    if (exchange === ExchangeColumn.consumed) rows[base + Tally.bits_delivered]! += bits;
    rows[base + Tally.bits_erased]! += bits;
  }

  /** `count` packets of `species` created, consumed or dropped at `actor`: reported as counters `<exchange>:<species>`. */
  exchange(actor: number, species: number, what: Exchange, count = 1): void {
    this.add(actor, ExchangeColumn[what] + (species & (SPECIES_SLOTS - 1)), count);
  }

  drop(reason: string, packets = 1): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + packets);
  }

  transition(actor: number, mechanism: string, fromState: number, toState: number, count = 1): void {
    this.countPair(actor, this.mechanismId(mechanism), fromState, toState, count);
  }

  /** As `transition`, by the mechanism's id in names.ts (`mechanismNames`). */
  transitionId(actor: number, mechanism: number, fromState: number, toState: number, count = 1): void {
    if (this.namesToken !== NAMES_TOKEN) {
      this.localMechanism = []; // restored from another process's checkpoint: its ids are not this process's
      this.namesToken = NAMES_TOKEN;
    }
    let id = this.localMechanism[mechanism];
    if (id === undefined) {
      id = this.mechanismId(mechanismNames.name(mechanism));
      while (this.localMechanism.length <= mechanism) this.localMechanism.push(undefined);
      this.localMechanism[mechanism] = id;
    }
    this.countPair(actor, id, fromState, toState, count);
  }

  /** Counts a move of (actor, mechanism by this ledger's id). */
  private countPair(actor: number, id: number, fromState: number, toState: number, count: number): void {
    const mechanism = this.mechanisms[id]!;
    if (actor >= this.transitions.length) this.transitions = growDense(this.transitions, actor);
    let byMechanism = this.transitions[actor];
    if (byMechanism === undefined) {
      byMechanism = [];
      this.transitions[actor] = byMechanism;
      this.transitionActors.push(actor);
    }
    let pairs = byMechanism[id];
    if (pairs === undefined) {
      pairs = newStatePairs();
      byMechanism[id] = pairs;
    }
    addPair(pairs, actor, mechanism, fromState, toState, count);
  }

  /**
   * The id of a mechanism name. A run has a handful of mechanisms, named by string literals (interned, so `===`
   * is a pointer comparison at best): a scan of the first few beats hashing the name on every transition.
   */
  private mechanismId(mechanism: string): number {
    const names = this.mechanisms;
    const scan = Math.min(names.length, 8);
    for (let i = 0; i < scan; i++) if (names[i] === mechanism) return i;
    let id = this.mechanismIds.get(mechanism);
    if (id === undefined) {
      id = names.push(mechanism) - 1;
      this.mechanismIds.set(mechanism, id);
    }
    return id;
  }

  /** Adds to one of the runtime's per-actor tallies. */
  tally(actor: number, name: TallyName, value: number): void {
    this.add(actor, Tally[name], value);
  }

  /** Adds to a model-defined per-actor counter. */
  count(actor: number, name: string, value: number): void {
    const key = `${actor}|${name}`;
    const c = this.counters.get(key);
    if (c === undefined) this.counters.set(key, { actor, name, value });
    else c.value += value;
  }

  /**
   * Adds a counter that comes after every other one given this way since the last drain, by actor then name (no
   * key string or map entry: a shard's level integrals, thousands per interval, are handed in this way).
   */
  countInOrder(actor: number, name: string, value: number): void {
    this.countersInOrder.push({ actor, name, value });
  }

  /** Everything recorded since the last drain, in a fixed order; `energy` comes from the power meters. */
  drain(interval: number, energy: IntervalData["energy"]): IntervalData {
    const data: IntervalData = {
      interval,
      events: this.events,
      metrics: this.metrics.drain(),
      links: this.linksInUse.sort(
        (a, b) => a.link - b.link || Number(a.reverse) - Number(b.reverse) || a.species - b.species,
      ),
      drops: [...this.drops].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, packets]) => ({ reason, packets })),
      energy,
      transitions: this.allTransitions(),
      counters: this.drainCounters(),
      traceEvents: this.traceEvents,
    };
    this.traceEvents = [];
    this.events = 0;
    for (const c of this.linksInUse)
      this.linkCounts[(c.link * 2 + (c.reverse ? 1 : 0)) * SPECIES_SLOTS + (c.species & SPECIES_MASK)] = undefined;
    this.linksInUse = [];
    this.drops.clear();
    for (const actor of this.transitionActors) this.transitions[actor] = undefined;
    this.transitionActors = [];
    this.counters.clear();
    return data;
  }

  /**
   * The rows in use and the model counters as counter columns, sorted by actor and name (nonzero tallies, positive
   * exchange counts; a model counter with a tally's name is added to it), and clears the rows: one pass over the
   * rows merged with the few model counters sorted, without an object per counter.
   */
  private drainCounters(): CounterColumns {
    const out = newCounterColumns();
    const names = new CounterNames(out);
    const model = mergeCounters([...this.counters.values()].sort(byActorThenName), this.countersInOrder);
    this.countersInOrder = [];
    const rows = this.rows;
    let j = 0;
    for (const actor of this.rowsInUse.sort((a, b) => a - b)) {
      for (; j < model.length && model[j]!.actor < actor; j++)
        names.push(model[j]!.actor, model[j]!.name, model[j]!.value);
      const base = actor * ROW;
      for (const { column, name, tally } of COLUMNS_BY_NAME) {
        const value = rows[base + column]!;
        if (!(value > 0 || (tally && value !== 0))) continue;
        let sum = value;
        for (; j < model.length && model[j]!.actor === actor && model[j]!.name <= name; j++) {
          if (model[j]!.name === name) sum += model[j]!.value;
          else names.push(actor, model[j]!.name, model[j]!.value);
        }
        names.push(actor, name, sum);
      }
      for (; j < model.length && model[j]!.actor === actor; j++) names.push(actor, model[j]!.name, model[j]!.value);
      rows.fill(0, base, base + ROW);
      this.rowInUse[actor] = 0;
    }
    for (; j < model.length; j++) names.push(model[j]!.actor, model[j]!.name, model[j]!.value);
    this.rowsInUse = [];
    return out;
  }

  /** Marks the actor's row in use, growing the arrays to hold it. */
  private useRow(actor: number): void {
    if (actor >= this.rowInUse.length) {
      const capacity = Math.max(actor + 1, this.rowInUse.length * 2, 64);
      const rows = new Float64Array(capacity * ROW);
      rows.set(this.rows);
      const inUse = new Uint8Array(capacity);
      inUse.set(this.rowInUse);
      this.rows = rows;
      this.rowInUse = inUse;
    }
    this.rowInUse[actor] = 1;
    this.rowsInUse.push(actor);
  }

  /**
   * Every transition count, sorted by actor, mechanism name, from and to state, built in that order instead of
   * sorted afterwards (tens of thousands of entries per interval on a large shard, compared by name): actors in
   * number order, each actor's mechanisms in name order, and each mechanism's dense pairs in index order, which
   * is (from, to) order, merged with the few other pairs sorted.
   */
  private allTransitions(): TransitionColumns {
    const out = newTransitionColumns();
    const names = this.mechanisms;
    const mechanismOrder = names.map((_, id) => id).sort((a, b) => cmp(names[a]!, names[b]!));
    /** Column index of each mechanism id, on first use (-1: not used yet). */
    const column = names.map(() => -1);
    for (const actor of this.transitionActors.sort((a, b) => a - b)) {
      const byMechanism = this.transitions[actor]!;
      for (const id of mechanismOrder) {
        const pairs = byMechanism[id];
        if (pairs === undefined) continue;
        if (column[id] === -1) column[id] = out.mechanisms.push(names[id]!) - 1;
        appendInStateOrder(out, pairs, actor, column[id]!);
      }
    }
    return out;
  }

  isEmpty(): boolean {
    return (
      this.events === 0 &&
      this.traceEvents.length === 0 &&
      this.linksInUse.length === 0 &&
      this.drops.size === 0 &&
      this.transitionActors.length === 0 &&
      this.counters.size === 0 &&
      this.countersInOrder.length === 0 &&
      this.rowsInUse.length === 0
    );
  }
}

function byActorThenName(a: ActorCounter, b: ActorCounter): number {
  return a.actor - b.actor || cmp(a.name, b.name);
}

/** Two lists sorted by actor and name as one, the values of a counter in both added (`a`'s first). */
function mergeCounters(a: readonly ActorCounter[], b: readonly ActorCounter[]): ActorCounter[] {
  if (b.length === 0) return a as ActorCounter[];
  if (a.length === 0) return b as ActorCounter[];
  const out: ActorCounter[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const order = byActorThenName(a[i]!, b[j]!);
    if (order < 0) out.push(a[i++]!);
    else if (order > 0) out.push(b[j++]!);
    else out.push({ actor: a[i]!.actor, name: a[i]!.name, value: a[i++]!.value + b[j++]!.value });
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
