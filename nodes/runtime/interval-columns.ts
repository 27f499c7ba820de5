/**
 * An interval's transitions and per-actor counters as columns, built in the order the report carries them (the
 * IntervalReport's transition_*, counter_* and energy_* fields): no object per entry between the ledger and the
 * wire. Link crossings too.
 */
import type { LinkCount } from "./interval-data.ts";
import { NameTable } from "./names.ts";

/** Transition counts; `mechanism[i]` indexes `mechanisms` (each name once, in order of first use). */
export interface TransitionColumns {
  mechanisms: string[];
  actor: number[];
  mechanism: number[];
  fromState: number[];
  toState: number[];
  count: number[];
}

/** Per-actor counters; `name[i]` indexes `names` (each name once, in order of first use). */
export interface CounterColumns {
  names: string[];
  actor: Int32Array;
  name: Int32Array;
  value: Float64Array;
}

/**
 * A host's drained transition counts: TransitionColumns with the numbers in typed arrays of the exact length,
 * filled without growth (tens of thousands of entries per interval on a large shard; pushing them onto arrays
 * was about half the drain). They go on the wire as they are (packed fields).
 */
export interface DrainedTransitions {
  mechanisms: string[];
  actor: Int32Array;
  mechanism: Int32Array;
  fromState: Float64Array;
  toState: Float64Array;
  count: Float64Array;
}

export function newTransitionColumns(): TransitionColumns {
  return { mechanisms: [], actor: [], mechanism: [], fromState: [], toState: [], count: [] };
}

/** Typed columns of one row per entry, written in step (a writer's state until `finish`). */
type Columns = Record<string, Int32Array | Float64Array>;

/** Twice the room (at least `need`), the first `n` values kept. */
function grow<T extends Int32Array | Float64Array>(a: T, n: number, need: number): T {
  const b = new (a.constructor as new (length: number) => T)(Math.max(need, a.length * 2, 16));
  b.set(a.subarray(0, n));
  return b;
}

/** Every column grown together (`grow`). */
function growColumns<C extends Columns>(columns: C, n: number, need: number): C {
  const out: Columns = {};
  for (const key of Object.keys(columns)) out[key] = grow(columns[key]!, n, need);
  return out as C;
}

/** Every column cut to its first `n` rows (views, no copy). */
function usedRows<C extends Columns>(columns: C, n: number): C {
  const out: Columns = {};
  for (const key of Object.keys(columns)) out[key] = columns[key]!.subarray(0, n);
  return out as C;
}

/** Builds DrainedTransitions in report order; `capacity` is the expected number (more grows the columns). */
export class TransitionWriter {
  readonly mechanisms: string[] = [];
  private n = 0;
  private c: Omit<DrainedTransitions, "mechanisms">;

  constructor(capacity: number) {
    this.c = {
      actor: new Int32Array(capacity),
      mechanism: new Int32Array(capacity),
      fromState: new Float64Array(capacity),
      toState: new Float64Array(capacity),
      count: new Float64Array(capacity),
    };
  }

  /** A count of (actor, mechanism index in `mechanisms`, from, to). */
  push(actor: number, mechanism: number, fromState: number, toState: number, count: number): void {
    const n = this.n;
    if (n === this.c.actor.length) this.c = growColumns(this.c, n, n + 1);
    const c = this.c;
    c.actor[n] = actor;
    c.mechanism[n] = mechanism;
    c.fromState[n] = fromState;
    c.toState[n] = toState;
    c.count[n] = count;
    this.n = n + 1;
  }

  finish(): DrainedTransitions {
    return { mechanisms: this.mechanisms, ...usedRows(this.c, this.n) };
  }
}

/** A state pair's count kept apart from the dense runs (state-pairs.ts). */
export interface PairCount {
  fromState: number;
  toState: number;
  count: number;
}

/**
 * Appends the counts of one (actor, mechanism) in (from, to) order: the dense run `counts[at, at + end)` (NaN where
 * none) is in that order already, `other` (sorted) is merged in. `mechanism` is its index in `out.mechanisms`.
 */
export function appendInStateOrder(
  out: TransitionWriter,
  counts: Float64Array,
  at: number,
  end: number,
  other: readonly PairCount[],
  actor: number,
  mechanism: number,
): void {
  let j = 0;
  for (let i = 0; i < end; i++) {
    const count = counts[at + i]!;
    if (Number.isNaN(count)) continue;
    const fromState = Math.floor(i / 3);
    const toState = fromState + (i % 3) - 1;
    for (; j < other.length; j++) {
      const o = other[j]!;
      if ((o.fromState - fromState || o.toState - toState) >= 0) break;
      out.push(actor, mechanism, o.fromState, o.toState, o.count);
    }
    out.push(actor, mechanism, fromState, toState, count);
  }
  for (; j < other.length; j++) {
    const o = other[j]!;
    out.push(actor, mechanism, o.fromState, o.toState, o.count);
  }
}

/** Builds CounterColumns in report order, names numbered on first use; `capacity`: at most this many (else grows). */
export class CounterWriter {
  /** A handful of names per report, mostly the same string objects: found by a short scan before a map. */
  private readonly table = new NameTable();
  private n = 0;
  private c: Omit<CounterColumns, "names">;

  constructor(capacity: number) {
    this.c = { actor: new Int32Array(capacity), name: new Int32Array(capacity), value: new Float64Array(capacity) };
  }

  get names(): string[] {
    return this.table.names;
  }

  push(actor: number, name: string, value: number): void {
    this.pushIndex(actor, this.index(name), value);
  }

  /** The column index of `name`, assigned on first use (a caller may keep it for `pushIndex`). */
  index(name: string): number {
    return this.table.id(name);
  }

  /** As `push`, by the name's column index from `index`. */
  pushIndex(actor: number, k: number, value: number): void {
    const n = this.n;
    if (n === this.c.actor.length) this.c = growColumns(this.c, n, n + 1);
    const c = this.c;
    c.actor[n] = actor;
    c.name[n] = k;
    c.value[n] = value;
    this.n = n + 1;
  }

  finish(): CounterColumns {
    return { names: this.names, ...usedRows(this.c, this.n) };
  }
}

/** The columns as entries (tests, and readers that want one object per entry). */
export function transitionEntries(t: TransitionColumns | DrainedTransitions) {
  return Array.from(t.actor, (actor, i) => ({
    actor,
    mechanism: t.mechanisms[t.mechanism[i]!]!,
    fromState: t.fromState[i]!,
    toState: t.toState[i]!,
    count: t.count[i]!,
  }));
}

export function counterEntries(c: CounterColumns) {
  return Array.from(c.actor, (actor, i) => ({ actor, name: c.names[c.name[i]!]!, value: c.value[i]! }));
}

/** Energies per actor and component; `component[i]` indexes `components` (each name once, in order of first use). */
export interface EnergyColumns {
  components: string[];
  actor: number[];
  component: number[];
  joules: number[];
}

export function newEnergyColumns(): EnergyColumns {
  return { components: [], actor: [], component: [], joules: [] };
}

/** Appends one energy, its component name numbered on first use (a handful per report: a short scan). */
export function pushEnergy(out: EnergyColumns, actor: number, component: string, joules: number): void {
  const components = out.components;
  let k = 0;
  while (k < components.length && components[k] !== component) k++;
  if (k === components.length) components.push(component);
  out.actor.push(actor);
  out.component.push(k);
  out.joules.push(joules);
}

/** The columns as entries (tests, and readers that want one object per entry). */
export function energyEntries(e: EnergyColumns) {
  return e.actor.map((actor, i) => ({ actor, component: e.components[e.component[i]!]!, joules: e.joules[i]! }));
}

/**
 * Link crossings as the IntervalReport's link_* columns: direction = link * 2, + 1 for b -> a; packets and bytes
 * that arrived, and packets dropped on the way.
 */
export interface LinkColumns {
  direction: Int32Array;
  species: Int32Array;
  packets: Float64Array;
  bytes: Float64Array;
  dropped: Float64Array;
}

/** The columns as entries (tests, and readers that want one object per entry). */
export function linkEntries(l: LinkColumns): LinkCount[] {
  return Array.from(l.direction, (direction, i) => ({
    link: direction >> 1,
    reverse: (direction & 1) === 1,
    packets: l.packets[i]!,
    bytes: l.bytes[i]!,
    dropped: l.dropped[i]!,
    species: l.species[i]!,
  }));
}
