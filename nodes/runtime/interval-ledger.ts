/**
 * What a shard's actors did during the current metrics interval: metric observations, link traffic, drops,
 * state transitions and per-actor counters. Drained once per interval into an IntervalReport (wire.ts), so
 * the per-window messages carry only what synchronisation needs.
 */
import { WindowMetrics } from "./metrics.ts";
import { mechanismNames, NAMES_TOKEN, numberName } from "./names.ts";
import { StatePairTable } from "./state-pairs.ts";
import {
  type DrainedTransitions,
  type LinkColumns,
  newEnergyColumns,
  pushEnergy,
  TransitionWriter,
} from "./interval-columns.ts";
import {
  type ActorCounter,
  drainCounters,
  type Exchange,
  ExchangeColumn,
  newInOrderCounters,
  ROW,
  SPECIES_MASK,
  SPECIES_SLOTS,
  Tally,
  type TallyName,
} from "./interval-counters.ts";
import type { IntervalData, TraceEventData } from "./interval-data.ts";

export type { IntervalData, LinkCount, TraceEventData, TransitionCount } from "./interval-data.ts";
export { type Exchange, ExchangeColumn, SPECIES_MASK, Tally, type TallyName } from "./interval-counters.ts";

/** Doubles per link key: packets, bytes, dropped. */
const LINK_FIELDS = 3;

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
  /**
   * Link counts by key = direction * SPECIES_SLOTS + species (dense: indexed on every hop): packets, bytes and
   * dropped at key * LINK_FIELDS, the species as counted, whether the key is in use, and the keys in use.
   */
  private linkCounts = new Float64Array(0);
  private linkSpecies = new Int32Array(0);
  private linkInUse = new Uint8Array(0);
  private linkKeys: number[] = [];
  private readonly drops = new Map<string, number>();
  /** Mechanism names by id, and ids by name: transitions are kept per (actor, mechanism id). */
  private readonly mechanismIds = new Map<string, number>();
  private readonly mechanisms: string[] = [];
  /** This ledger's mechanism ids by names.ts id: a cache of ids of NAMES_TOKEN's tables. */
  private localMechanism: (number | undefined)[] = [];
  private namesToken = NAMES_TOKEN;
  /** The state-pair counts of every (actor, mechanism id) this interval. */
  private readonly transitions = new StatePairTable();
  private readonly counters = new Map<string, ActorCounter>();
  /** Counters handed in already in (actor, name) order (`countInOrder`: the level integrals at a close). */
  private countersInOrder = newInOrderCounters();
  /** Energies handed in by the power meters at a close (`energyInOrder`). */
  private energy = newEnergyColumns();
  /** Steps of sampled journeys, in the order they happened on this host. */
  traceEvents: TraceEventData[] = [];

  /**
   * A packet of `species` put on link direction `direction` (= link * 2 + reverse); `lost` when it never arrives;
   * `multiplicity` real packets of `bytes` each.
   */
  countLink(direction: number, bytes: number, lost: boolean, species = 0, multiplicity = 1): void {
    const key = direction * SPECIES_SLOTS + (species & (SPECIES_SLOTS - 1));
    if (key >= this.linkInUse.length) this.growLinks(key);
    if (this.linkInUse[key] === 0) {
      this.linkInUse[key] = 1;
      this.linkSpecies[key] = species;
      this.linkKeys.push(key);
    }
    const at = key * LINK_FIELDS;
    if (lost) this.linkCounts[at + 2]! += multiplicity;
    else {
      this.linkCounts[at]! += multiplicity;
      this.linkCounts[at + 1]! += bytes * multiplicity;
    }
  }

  /** Room for link key `key`. */
  private growLinks(key: number): void {
    const capacity = Math.max(key + 1, this.linkInUse.length * 2, 64);
    const counts = new Float64Array(capacity * LINK_FIELDS);
    counts.set(this.linkCounts);
    const species = new Int32Array(capacity);
    species.set(this.linkSpecies);
    const inUse = new Uint8Array(capacity);
    inUse.set(this.linkInUse);
    this.linkCounts = counts;
    this.linkSpecies = species;
    this.linkInUse = inUse;
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
    this.transitions.add(actor, this.mechanismId(mechanism), fromState, toState, count);
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
    this.transitions.add(actor, id, fromState, toState, count);
  }

  /** The id of a mechanism name, numbered as names.ts numbers (in order of first use). */
  private mechanismId(mechanism: string): number {
    return numberName(this.mechanisms, this.mechanismIds, mechanism);
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
    const c = this.countersInOrder;
    c.actor.push(actor);
    c.name.push(name);
    c.value.push(value);
  }

  /** An energy of `actor`'s component, reported in the order handed in (PowerMeter.drainTo). */
  energyInOrder(actor: number, component: string, joules: number): void {
    pushEnergy(this.energy, actor, component, joules);
  }

  /** Everything recorded since the last drain, in a fixed order. */
  drain(interval: number): IntervalData {
    const data: IntervalData = {
      interval,
      events: this.events,
      metrics: this.metrics.drain(),
      links: this.drainLinks(),
      drops: [...this.drops].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, packets]) => ({ reason, packets })),
      energy: this.energy,
      transitions: this.drainTransitions(),
      counters: drainCounters({
        rows: this.rows,
        rowsInUse: this.rowsInUse,
        model: [...this.counters.values()],
        inOrder: this.countersInOrder,
      }),
      traceEvents: this.traceEvents,
    };
    this.traceEvents = [];
    this.energy = newEnergyColumns();
    this.events = 0;
    this.drops.clear();
    this.counters.clear();
    this.countersInOrder = newInOrderCounters();
    for (const actor of this.rowsInUse) this.rowInUse[actor] = 0;
    this.rowsInUse.length = 0; // emptied in place, not replaced: a field written again after V8 compiled code that reads it throws that code away (the hot path's, at every first interval close)
    return data;
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
   * The links in use as columns sorted by (link, reverse, species), which is the order of their dense keys, and
   * clears them. The keys sort as numbers in a typed array (no comparator calls: thousands of links per interval).
   */
  private drainLinks(): LinkColumns {
    const keys = Int32Array.from(this.linkKeys).sort();
    const n = keys.length;
    const out: LinkColumns = {
      direction: new Int32Array(n),
      species: new Int32Array(n),
      packets: new Float64Array(n),
      bytes: new Float64Array(n),
      dropped: new Float64Array(n),
    };
    const counts = this.linkCounts;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const at = key * LINK_FIELDS;
      out.direction[i] = Math.floor(key / SPECIES_SLOTS);
      out.species[i] = this.linkSpecies[key]!;
      out.packets[i] = counts[at]!;
      out.bytes[i] = counts[at + 1]!;
      out.dropped[i] = counts[at + 2]!;
      counts[at] = 0;
      counts[at + 1] = 0;
      counts[at + 2] = 0;
      this.linkInUse[key] = 0;
    }
    this.linkKeys.length = 0; // emptied in place, as rowsInUse
    return out;
  }

  /**
   * Every transition count, sorted by actor, mechanism name, from and to state, built in that order instead of
   * sorted afterwards (tens of thousands of entries per interval on a large shard, compared by name): see
   * StatePairTable.drainTo.
   */
  private drainTransitions(): DrainedTransitions {
    const out = new TransitionWriter(this.transitions.pairCount);
    const names = this.mechanisms;
    const mechanismOrder = names.map((_, id) => id).sort((a, b) => cmp(names[a]!, names[b]!));
    this.transitions.drainTo(out, mechanismOrder, names);
    return out.finish();
  }

  isEmpty(): boolean {
    return (
      this.events === 0 &&
      this.energy.actor.length === 0 &&
      this.traceEvents.length === 0 &&
      this.linkKeys.length === 0 &&
      this.drops.size === 0 &&
      this.transitions.isEmpty &&
      this.counters.size === 0 &&
      this.countersInOrder.actor.length === 0 &&
      this.rowsInUse.length === 0
    );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
