/**
 * An interval's transitions and per-actor counters as columns, built in the order the report carries them (the
 * IntervalReport's transition_*, counter_* and energy_* fields): no object per entry between the ledger and the
 * wire. Link crossings too.
 */
import type { LinkCount } from "./interval-data.ts";

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

/** Twice the room (at least `need`), the first `n` values kept. */
function grow<T extends Int32Array | Float64Array>(a: T, n: number, need: number): T {
  const b = new (a.constructor as new (length: number) => T)(Math.max(need, a.length * 2, 16));
  b.set(a.subarray(0, n));
  return b;
}

/** Builds DrainedTransitions in report order; `capacity` is the expected number (more grows the columns). */
export class TransitionWriter {
  readonly mechanisms: string[] = [];
  private n = 0;
  private actor: Int32Array;
  private mechanism: Int32Array;
  private fromState: Float64Array;
  private toState: Float64Array;
  private count: Float64Array;

  constructor(capacity: number) {
    this.actor = new Int32Array(capacity);
    this.mechanism = new Int32Array(capacity);
    this.fromState = new Float64Array(capacity);
    this.toState = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
  }

  /** A count of (actor, mechanism index in `mechanisms`, from, to). */
  push(actor: number, mechanism: number, fromState: number, toState: number, count: number): void {
    const n = this.n;
    if (n === this.actor.length) this.grow(n + 1);
    this.actor[n] = actor;
    this.mechanism[n] = mechanism;
    this.fromState[n] = fromState;
    this.toState[n] = toState;
    this.count[n] = count;
    this.n = n + 1;
  }

  finish(): DrainedTransitions {
    const n = this.n;
    return {
      mechanisms: this.mechanisms,
      actor: this.actor.subarray(0, n),
      mechanism: this.mechanism.subarray(0, n),
      fromState: this.fromState.subarray(0, n),
      toState: this.toState.subarray(0, n),
      count: this.count.subarray(0, n),
    };
  }

  private grow(need: number): void {
    const n = this.n;
    this.actor = grow(this.actor, n, need);
    this.mechanism = grow(this.mechanism, n, need);
    this.fromState = grow(this.fromState, n, need);
    this.toState = grow(this.toState, n, need);
    this.count = grow(this.count, n, need);
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
  readonly names: string[] = [];
  private readonly indices = new Map<string, number>();
  private n = 0;
  private actor: Int32Array;
  private name: Int32Array;
  private value: Float64Array;

  constructor(capacity: number) {
    this.actor = new Int32Array(capacity);
    this.name = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
  }

  push(actor: number, name: string, value: number): void {
    this.pushIndex(actor, this.index(name), value);
  }

  /** The column index of `name`, assigned on first use (a caller may keep it for `pushIndex`). */
  index(name: string): number {
    // A handful of names per report, mostly the same string objects: a short scan beats hashing on every entry.
    const names = this.names;
    const scan = Math.min(names.length, 8);
    for (let i = 0; i < scan; i++) if (names[i] === name) return i;
    let k = this.indices.get(name);
    if (k === undefined) {
      k = names.push(name) - 1;
      this.indices.set(name, k);
    }
    return k;
  }

  /** As `push`, by the name's column index from `index`. */
  pushIndex(actor: number, k: number, value: number): void {
    const n = this.n;
    if (n === this.actor.length) {
      this.actor = grow(this.actor, n, n + 1);
      this.name = grow(this.name, n, n + 1);
      this.value = grow(this.value, n, n + 1);
    }
    this.actor[n] = actor;
    this.name[n] = k;
    this.value[n] = value;
    this.n = n + 1;
  }

  finish(): CounterColumns {
    const n = this.n;
    return {
      names: this.names,
      actor: this.actor.subarray(0, n),
      name: this.name.subarray(0, n),
      value: this.value.subarray(0, n),
    };
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
