/**
 * An interval's per-actor values (counters, energies) as columns, filled straight from the report columns hosts
 * send (`add`) and kept for the whole run (the results and intervals.jsonl read every interval at the end): an
 * entry is an actor group, a name number and a double, with no Map per actor. Readers see the Map interface and
 * its iteration order (actors in the order they were first added, each actor's names likewise); an actor or name
 * added again adds up. A host reports each actor's entries together, and the hosts' actors are disjoint, so
 * adding appends; only an actor that comes back after others (a second report for an interval) rebuilds.
 */

/** actor -> name -> value, as the aggregator's readers see it. */
export type NestedValues = ReadonlyMap<number, ReadonlyMap<string, number>>;

export class CompactNested implements NestedValues {
  /** Actors in iteration order (a group each); group g's entries are [start[g], start[g + 1]) (the last's end at `filled`). */
  private actors = new Float64Array(8);
  private start = new Uint32Array(8);
  private groups = 0;
  /** Entry names as numbers into `names` (the run's small vocabulary), and their values. */
  private nameOf = new Uint16Array(16);
  private amounts = new Float64Array(16);
  private filled = 0;
  private readonly names: string[] = [];
  /** The number of each name in `names` (looking a name up compares small numbers, not strings). */
  private readonly numbers = new Map<string, number>();
  /** Group positions sorted by actor, for `get` and ordered reads; made when first needed after an add. */
  private byActor: Uint32Array | undefined;
  /** The actors added so far, while the values are being added to (dropped by `seal`). */
  private present: Set<number> | undefined;

  /** A copy of nested Maps (records built by hand or read back from a file). */
  static of(from: NestedValues): CompactNested {
    if (from instanceof CompactNested) return from;
    const out = new CompactNested();
    for (const [actor, inner] of from) {
      out.openGroup(actor); // an actor with no values is kept too
      for (const [name, value] of inner) out.addOne(actor, out.number(name), value);
    }
    out.seal();
    return out;
  }

  /**
   * Adds report columns: entry i is `values[i]` of actor `actors[i]` under name `names[nameOf[i]]`. Values of an
   * actor and name already present add up.
   */
  add(actors: ArrayLike<number>, names: readonly string[], nameOf: ArrayLike<number>, values: ArrayLike<number>): void {
    const n = actors.length;
    if (n === 0) return;
    const local = names.map((name) => this.number(name));
    this.byActor = undefined;
    this.reserve(n); // room for n more entries and groups: the loop below writes the columns directly
    const present = (this.present ??= new Set(this.actors.subarray(0, this.groups)));
    const { actors: groupActor, start, nameOf: entryName, amounts } = this;
    let groups = this.groups;
    let filled = this.filled;
    let first = groups > 0 ? start[groups - 1]! : 0; // the last group's first entry
    for (let i = 0; i < n; i++) {
      const actor = actors[i]!;
      if (groups === 0 || groupActor[groups - 1] !== actor) {
        if (present.has(actor)) {
          this.groups = groups;
          this.filled = filled;
          this.rebuildWith(actors, names, nameOf, values, i);
          return;
        }
        present.add(actor);
        groupActor[groups] = actor;
        start[groups++] = first = filled;
      }
      const name = local[nameOf[i] ?? 0] ?? this.number(""); // a number past the name table: no name
      const value = Number(values[i] ?? 0);
      let e = first;
      while (e < filled && entryName[e] !== name) e++;
      if (e < filled) amounts[e]! += value;
      else {
        entryName[filled] = name;
        amounts[filled++] = 0 + value; // as a Map's (get ?? 0) + value: -0 becomes 0
      }
    }
    this.groups = groups;
    this.filled = filled;
  }

  /** Done adding (the interval closed): the columns shrink to their size and the actor index is made. */
  seal(): void {
    this.present = undefined;
    this.actors = this.actors.slice(0, this.groups);
    this.start = this.start.slice(0, this.groups);
    this.nameOf = this.nameOf.slice(0, this.filled);
    this.amounts = this.amounts.slice(0, this.filled);
    this.sortedGroups();
  }

  get size(): number {
    return this.groups;
  }

  get(actor: number): ReadonlyMap<string, number> | undefined {
    const group = this.find(actor);
    return group < 0 ? undefined : this.view(group);
  }

  has(actor: number): boolean {
    return this.find(actor) >= 0;
  }

  *entries(): MapIterator<[number, ReadonlyMap<string, number>]> {
    for (let g = 0; g < this.groups; g++) yield [this.actors[g]!, this.view(g)];
  }

  *keys(): MapIterator<number> {
    for (let g = 0; g < this.groups; g++) yield this.actors[g]!;
  }

  *values(): MapIterator<ReadonlyMap<string, number>> {
    for (let g = 0; g < this.groups; g++) yield this.view(g);
  }

  [Symbol.iterator](): MapIterator<[number, ReadonlyMap<string, number>]> {
    return this.entries();
  }

  forEach(callback: (value: ReadonlyMap<string, number>, key: number, map: NestedValues) => void): void {
    for (let g = 0; g < this.groups; g++) callback(this.view(g), this.actors[g]!, this);
  }

  /** A mutable copy. */
  toMap(): Map<number, Map<string, number>> {
    const out = new Map<number, Map<string, number>>();
    for (let g = 0; g < this.groups; g++) {
      const inner = new Map<string, number>();
      for (let e = this.start[g]!; e < this.endEntry(g); e++) inner.set(this.names[this.nameOf[e]!]!, this.amounts[e]!);
      out.set(this.actors[g]!, inner);
    }
    return out;
  }

  // Column reads for the ledgers (a snapshot visits every entry of every interval: no view or iterator per actor).

  /** Group positions in ascending actor order. */
  sortedGroups(): Uint32Array {
    if (this.byActor === undefined) {
      const actors = this.actors;
      const order = new Uint32Array(this.groups);
      for (let g = 0; g < order.length; g++) order[g] = g;
      // Hosts report their actors in index order: one host's need no sorting.
      let sorted = true;
      for (let g = 1; g < order.length && sorted; g++) sorted = actors[g - 1]! < actors[g]!;
      if (!sorted) order.sort((x, y) => actors[x]! - actors[y]!);
      this.byActor = order;
    }
    return this.byActor;
  }

  actorOf(group: number): number {
    return this.actors[group]!;
  }

  firstEntry(group: number): number {
    return this.start[group]!;
  }

  /** One past the group's last entry. */
  endEntry(group: number): number {
    return group + 1 < this.groups ? this.start[group + 1]! : this.filled;
  }

  /** The entry's name number (into `nameList()`). */
  nameNumber(entry: number): number {
    return this.nameOf[entry]!;
  }

  amount(entry: number): number {
    return this.amounts[entry]!;
  }

  /** Names by number (each once). */
  nameList(): readonly string[] {
    return this.names;
  }

  /** The number of a name (-1: no entry has it). */
  numberOf(name: string): number {
    return this.numbers.get(name) ?? -1;
  }

  /** Adds to the last group when it is `actor`'s (summing a name it has), else starts a group. */
  private addOne(actor: number, name: number, value: number): void {
    const g = this.openGroup(actor);
    const nameOf = this.nameOf;
    for (let e = this.start[g]!; e < this.filled; e++)
      if (nameOf[e] === name) {
        this.amounts[e]! += value;
        return;
      }
    this.nameOf[this.filled] = name;
    this.amounts[this.filled++] = 0 + value; // as a Map's (get ?? 0) + value: -0 becomes 0
  }

  /** The last group if it is `actor`'s, else a new one for it (with room for one more entry). */
  private openGroup(actor: number): number {
    if (this.filled === this.amounts.length || this.groups === this.actors.length) this.reserve(1);
    const last = this.groups - 1;
    if (last >= 0 && this.actors[last] === actor) return last;
    this.actors[this.groups] = actor;
    this.start[this.groups] = this.filled;
    return this.groups++;
  }

  /** An actor came back after others: adds the rest through Maps and lays the columns out again. */
  private rebuildWith(
    actors: ArrayLike<number>,
    names: readonly string[],
    nameOf: ArrayLike<number>,
    values: ArrayLike<number>,
    from: number,
  ): void {
    const map = this.toMap();
    for (let i = from; i < actors.length; i++) {
      let inner = map.get(actors[i]!);
      if (inner === undefined) map.set(actors[i]!, (inner = new Map()));
      const name = names[nameOf[i] ?? 0] ?? "";
      inner.set(name, (inner.get(name) ?? 0) + Number(values[i] ?? 0));
    }
    this.groups = 0;
    this.filled = 0;
    this.present = new Set(map.keys());
    for (const [actor, inner] of map) {
      this.openGroup(actor);
      for (const [name, value] of inner) this.addOne(actor, this.number(name), value);
    }
  }

  /** Room for `entries` more entries and as many more groups. */
  private reserve(entries: number): void {
    if (this.filled + entries > this.amounts.length) {
      const size = Math.max(2 * this.amounts.length, this.filled + entries);
      this.nameOf = grown(this.nameOf, new Uint16Array(size));
      this.amounts = grown(this.amounts, new Float64Array(size));
    }
    if (this.groups + entries > this.actors.length) {
      const size = Math.max(2 * this.actors.length, this.groups + entries);
      this.actors = grown(this.actors, new Float64Array(size));
      this.start = grown(this.start, new Uint32Array(size));
    }
  }

  private number(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      if (this.names.length === 0xffff) throw new RangeError("more than 65535 distinct names in one interval");
      n = this.names.push(name) - 1;
      this.numbers.set(name, n);
    }
    return n;
  }

  /** The actor's values, read in place (a reader looks up a few names of thousands of actors per interval). */
  private view(group: number): ActorValues {
    return new ActorValues(
      this.names,
      this.numbers,
      this.nameOf,
      this.amounts,
      this.start[group]!,
      this.endEntry(group),
    );
  }

  private find(actor: number): number {
    const order = this.sortedGroups();
    let lo = 0;
    let hi = order.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const group = order[mid]!;
      const at = this.actors[group]!;
      if (at === actor) return group;
      if (at < actor) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

function grown<T extends Float64Array | Uint32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
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
