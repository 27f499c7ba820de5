/**
 * A closed interval's per-actor values (counters, energies) as columns: a record keeps them for the whole run (the
 * results and intervals.jsonl read every interval at the end), and a Map per actor per interval cost about 1.5 KiB
 * per actor; here an entry is a name number and a double. Read-only, with the Map's reading interface and its
 * iteration order (the order values were first added), so readers see the same values in the same order.
 */

/** actor -> name -> value, as the aggregator's readers see it (a Map while the interval is open). */
export type NestedValues = ReadonlyMap<number, ReadonlyMap<string, number>>;

export class CompactNested implements NestedValues {
  /** Actors in iteration order; actor i's entries are [start[i], start[i + 1]). */
  private readonly actors: Float64Array;
  private readonly start: Uint32Array;
  /** Entry names as numbers into `names` (the run's small vocabulary), and their values. */
  private readonly nameOf: Uint16Array;
  private readonly amounts: Float64Array;
  private readonly names: string[];
  /** The number of each name in `names` (looking a name up compares small numbers, not strings). */
  private readonly numbers = new Map<string, number>();
  /** Actor positions sorted by actor, for `get` (binary search). */
  private readonly byActor: Uint32Array;

  constructor(from: NestedValues) {
    let entries = 0;
    for (const inner of from.values()) entries += inner.size;
    this.actors = new Float64Array(from.size);
    this.start = new Uint32Array(from.size + 1);
    this.nameOf = new Uint16Array(entries);
    this.amounts = new Float64Array(entries);
    this.names = [];
    const numbers = this.numbers;
    let a = 0;
    let e = 0;
    for (const [actor, inner] of from) {
      this.actors[a] = actor;
      this.start[a++] = e;
      for (const [name, value] of inner) {
        let n = numbers.get(name);
        if (n === undefined) {
          n = this.names.push(name) - 1;
          numbers.set(name, n);
        }
        this.nameOf[e] = n;
        this.amounts[e++] = value;
      }
    }
    this.start[a] = e;
    if (this.names.length > 0xffff) throw new RangeError("more than 65535 distinct names in one interval");
    const actors = this.actors;
    this.byActor = Uint32Array.from(actors.keys());
    // Hosts report their actors in index order: usually nothing to sort.
    let sorted = true;
    for (let i = 1; i < actors.length && sorted; i++) sorted = actors[i - 1]! < actors[i]!;
    if (!sorted) this.byActor.sort((x, y) => actors[x]! - actors[y]!);
  }

  get size(): number {
    return this.actors.length;
  }

  get(actor: number): ReadonlyMap<string, number> | undefined {
    const position = this.find(actor);
    return position < 0 ? undefined : this.view(position);
  }

  has(actor: number): boolean {
    return this.find(actor) >= 0;
  }

  *entries(): MapIterator<[number, ReadonlyMap<string, number>]> {
    for (let i = 0; i < this.actors.length; i++) yield [this.actors[i]!, this.view(i)];
  }

  *keys(): MapIterator<number> {
    for (let i = 0; i < this.actors.length; i++) yield this.actors[i]!;
  }

  *values(): MapIterator<ReadonlyMap<string, number>> {
    for (let i = 0; i < this.actors.length; i++) yield this.view(i);
  }

  [Symbol.iterator](): MapIterator<[number, ReadonlyMap<string, number>]> {
    return this.entries();
  }

  forEach(callback: (value: ReadonlyMap<string, number>, key: number, map: NestedValues) => void): void {
    for (let i = 0; i < this.actors.length; i++) callback(this.view(i), this.actors[i]!, this);
  }

  /** A mutable copy (a report for an interval already compacted). */
  toMap(): Map<number, Map<string, number>> {
    const out = new Map<number, Map<string, number>>();
    for (let i = 0; i < this.actors.length; i++) out.set(this.actors[i]!, this.inner(i));
    return out;
  }

  /** The actor's values, read in place (a reader looks up a few names of thousands of actors per interval). */
  private view(position: number): ActorValues {
    const { names, numbers, nameOf, amounts } = this;
    return new ActorValues(names, numbers, nameOf, amounts, this.start[position]!, this.start[position + 1]!);
  }

  /** The actor's values as a new Map, in their original order. */
  private inner(position: number): Map<string, number> {
    const out = new Map<string, number>();
    for (let e = this.start[position]!; e < this.start[position + 1]!; e++)
      out.set(this.names[this.nameOf[e]!]!, this.amounts[e]!);
    return out;
  }

  private find(actor: number): number {
    let lo = 0;
    let hi = this.byActor.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const position = this.byActor[mid]!;
      const at = this.actors[position]!;
      if (at === actor) return position;
      if (at < actor) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** One actor's entries of a CompactNested, as a read-only Map of name -> value (in their original order). */
export class ActorValues implements ReadonlyMap<string, number> {
  private readonly names: readonly string[];
  private readonly numbers: ReadonlyMap<string, number>;
  private readonly nameOf: Uint16Array;
  private readonly amounts: Float64Array;
  private readonly from: number;
  private readonly to: number;

  constructor(
    names: readonly string[],
    numbers: ReadonlyMap<string, number>,
    nameOf: Uint16Array,
    amounts: Float64Array,
    from: number,
    to: number,
  ) {
    this.names = names;
    this.numbers = numbers;
    this.nameOf = nameOf;
    this.amounts = amounts;
    this.from = from;
    this.to = to;
  }

  get size(): number {
    return this.to - this.from;
  }

  get(name: string): number | undefined {
    const e = this.find(name);
    return e < 0 ? undefined : this.amounts[e];
  }

  has(name: string): boolean {
    return this.find(name) >= 0;
  }

  *entries(): MapIterator<[string, number]> {
    for (let e = this.from; e < this.to; e++) yield [this.names[this.nameOf[e]!]!, this.amounts[e]!];
  }

  *keys(): MapIterator<string> {
    for (let e = this.from; e < this.to; e++) yield this.names[this.nameOf[e]!]!;
  }

  *values(): MapIterator<number> {
    for (let e = this.from; e < this.to; e++) yield this.amounts[e]!;
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    for (let e = this.from; e < this.to; e++) callback(this.amounts[e]!, this.names[this.nameOf[e]!]!, this);
  }

  /** The name's number once, then a scan of the actor's handful of entries for it. */
  private find(name: string): number {
    const n = this.numbers.get(name);
    if (n === undefined) return -1;
    const nameOf = this.nameOf;
    for (let e = this.from; e < this.to; e++) if (nameOf[e] === n) return e;
    return -1;
  }
}
