/**
 * An interval's transitions and per-actor counters as columns, built in the order the report carries them (the
 * IntervalReport's transition_*, counter_* and energy_* fields): no object per entry between the ledger and the
 * wire. Link crossings are drained as entries and go on the wire as columns too (linkColumns).
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
  actor: number[];
  name: number[];
  value: number[];
}

export function newTransitionColumns(): TransitionColumns {
  return { mechanisms: [], actor: [], mechanism: [], fromState: [], toState: [], count: [] };
}

export function newCounterColumns(): CounterColumns {
  return { names: [], actor: [], name: [], value: [] };
}

function pushTransition(
  out: TransitionColumns,
  actor: number,
  mechanism: number,
  fromState: number,
  toState: number,
  count: number,
): void {
  out.actor.push(actor);
  out.mechanism.push(mechanism);
  out.fromState.push(fromState);
  out.toState.push(toState);
  out.count.push(count);
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
  out: TransitionColumns,
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
      pushTransition(out, actor, mechanism, o.fromState, o.toState, o.count);
    }
    pushTransition(out, actor, mechanism, fromState, toState, count);
  }
  for (; j < other.length; j++) {
    const o = other[j]!;
    pushTransition(out, actor, mechanism, o.fromState, o.toState, o.count);
  }
}

/** Counter names by their column index, assigned on first use. */
export class CounterNames {
  private readonly indices = new Map<string, number>();
  private readonly out: CounterColumns;

  constructor(out: CounterColumns) {
    this.out = out;
  }

  push(actor: number, name: string, value: number): void {
    this.pushIndex(actor, this.index(name), value);
  }

  /** The column index of `name`, assigned on first use (a caller may keep it for `pushIndex`). */
  index(name: string): number {
    // A handful of names per report, mostly the same string objects: a short scan beats hashing on every entry.
    const names = this.out.names;
    const scan = Math.min(names.length, 8);
    for (let i = 0; i < scan; i++) if (names[i] === name) return i;
    let k = this.indices.get(name);
    if (k === undefined) {
      k = this.out.names.push(name) - 1;
      this.indices.set(name, k);
    }
    return k;
  }

  /** As `push`, by the name's column index from `index`. */
  pushIndex(actor: number, k: number, value: number): void {
    this.out.actor.push(actor);
    this.out.name.push(k);
    this.out.value.push(value);
  }
}

/** The columns as entries (tests, and readers that want one object per entry). */
export function transitionEntries(t: TransitionColumns) {
  return t.actor.map((actor, i) => ({
    actor,
    mechanism: t.mechanisms[t.mechanism[i]!]!,
    fromState: t.fromState[i]!,
    toState: t.toState[i]!,
    count: t.count[i]!,
  }));
}

export function counterEntries(c: CounterColumns) {
  return c.actor.map((actor, i) => ({ actor, name: c.names[c.name[i]!]!, value: c.value[i]! }));
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

/** Link crossings as the IntervalReport's link_* columns (direction: link * 2, + 1 for b -> a), in the order given. */
export function linkColumns(links: readonly LinkCount[]) {
  const n = links.length;
  const direction = new Array<number>(n);
  const species = new Array<number>(n);
  const packets = new Array<number>(n);
  const bytes = new Array<number>(n);
  const dropped = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const l = links[i]!;
    direction[i] = l.link * 2 + (l.reverse ? 1 : 0);
    species[i] = l.species;
    packets[i] = l.packets;
    bytes[i] = l.bytes;
    dropped[i] = l.dropped;
  }
  return {
    linkDirection: direction,
    linkSpecies: species,
    linkPackets: packets,
    linkBytes: bytes,
    linkDropped: dropped,
  };
}
