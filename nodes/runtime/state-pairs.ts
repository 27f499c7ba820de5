/**
 * The state-pair counts of a metrics interval (interval-ledger.ts), per (actor, mechanism): a dense run of counts
 * for the one-step moves between small states, a map for every other pair, drained in (from, to) order.
 */
import { appendInStateOrder, type PairCount, type TransitionWriter } from "./interval-columns.ts";
import { SNAPSHOT_FIELDS } from "./snapshot-codec.ts";

const STATE_SPAN = 1 << 15;
/**
 * States below this have their one-step moves in a dense run. Higher ones (a leap server's fluid backlog of
 * thousands) go to the map: a dense run up to them would be allocated per actor and interval. Where a pair is
 * kept does not change the drained, sorted output.
 */
const NEAR_SPAN = 1 << 10;
/** Doubles before a run's counts: its capacity, and its end (past it, all NaN). */
const CAPACITY = -2;
const END = -1;
const HEADER = 2;
/** A new run has room for moves from states below 10 before it grows. */
const FIRST_CAPACITY = 32;

/**
 * The counts of every (actor, mechanism)'s state pairs. Most moves are by one step between small whole numbers
 * (queue lengths: n -> n + 1 on arrival, n + 1 -> n on service): their counts sit at from * 3 + step + 1 of the
 * (actor, mechanism)'s run (NaN where no move was counted). The runs of all of them lie one after another in one
 * typed array, found through one Int32Array by actor and mechanism: a count is three typed-array accesses, with no
 * object per actor, per (actor, mechanism) or per pair (those were a chain of cache misses on every transition).
 * The runs are cleared and the array reused at every drain; a run outgrowing its room moves to the array's end.
 */
export class StatePairTable {
  /** Offset of each (actor, mechanism)'s run in `counts`, at actor * mechanismSlots + mechanism; 0: none yet. */
  private runAt = new Int32Array(0);
  private mechanismSlots = 4;
  private counts = new Float64Array(4096);
  private countsEnd = 0;
  /** Every other pair, by (actor, mechanism) key (`otherKey`) then by `stateKey`. */
  private readonly other = new Map<number, Map<number | string, PairCount>>();
  /** Actors with any count this interval (flagged, and listed for the drain). */
  private listed = new Uint8Array(0);
  private actors: number[] = [];
  /** Pairs counted this interval (the drain's length). */
  pairCount = 0;

  get isEmpty(): boolean {
    return this.actors.length === 0;
  }

  /** Counts `count` moves from `fromState` to `toState` of (actor, mechanism id). */
  add(actor: number, mechanism: number, fromState: number, toState: number, count: number): void {
    if (mechanism >= this.mechanismSlots) this.widen(mechanism);
    const key = actor * this.mechanismSlots + mechanism;
    if (key >= this.runAt.length) this.grow(actor);
    const step = toState - fromState;
    if (step >= -1 && step <= 1 && (fromState & (NEAR_SPAN - 1)) === fromState) {
      const i = fromState * 3 + step + 1;
      let at = this.runAt[key]!;
      if (at === 0) at = this.open(key, actor, i);
      else if (i >= this.counts[at + CAPACITY]!) at = this.move(key, at, i);
      const counts = this.counts;
      const before = counts[at + i]!;
      if (Number.isNaN(before)) {
        counts[at + i] = count; // the pair's first move
        this.pairCount++;
      } else counts[at + i] = before + count;
      if (i >= counts[at + END]!) counts[at + END] = i + 1;
      return;
    }
    this.list(actor);
    const okey = otherKey(actor, mechanism);
    let pairs = this.other.get(okey);
    if (pairs === undefined) {
      pairs = new Map();
      this.other.set(okey, pairs);
    }
    const skey = stateKey(fromState, toState);
    const t = pairs.get(skey);
    if (t === undefined) {
      pairs.set(skey, { fromState, toState, count });
      this.pairCount++;
    } else t.count += count;
  }

  /**
   * Appends every count to `out`, sorted by actor, mechanism name, from and to state, and clears them: actors in
   * number order, each actor's mechanisms in `order` (mechanism ids sorted by name), each run in index order (which
   * is (from, to) order) merged with the few other pairs sorted. A mechanism is added to `out.mechanisms` (from
   * `names`, by id) on first use.
   */
  drainTo(out: TransitionWriter, order: readonly number[], names: readonly string[]): void {
    const column = names.map(() => -1);
    const slots = this.mechanismSlots;
    const counts = this.counts;
    for (const actor of Int32Array.from(this.actors).sort()) {
      for (const id of order) {
        const key = actor * slots + id;
        const at = id < slots ? this.runAt[key]! : 0;
        const other = this.other.size === 0 ? undefined : this.other.get(otherKey(actor, id));
        if (at === 0 && other === undefined) continue;
        if (column[id] === -1) column[id] = out.mechanisms.push(names[id]!) - 1;
        const sorted =
          other === undefined
            ? []
            : [...other.values()].sort((a, b) => a.fromState - b.fromState || a.toState - b.toState);
        appendInStateOrder(out, counts, at, at === 0 ? 0 : counts[at + END]!, sorted, actor, column[id]!);
        if (at !== 0) this.runAt[key] = 0;
      }
      this.listed[actor] = 0;
    }
    this.actors.length = 0; // emptied in place, not replaced: a field written again after V8 compiled code that reads it throws that code away (the hot path's, at every first interval close)
    this.other.clear();
    this.countsEnd = 0;
    this.pairCount = 0;
  }

  /** A run for `key` with room for index `i`. */
  private open(key: number, actor: number, i: number): number {
    this.list(actor);
    const at = this.allocate(Math.max(FIRST_CAPACITY, i + 1));
    this.runAt[key] = at;
    return at;
  }

  /** Moves the run at `at` to a larger one with room for index `i`. */
  private move(key: number, at: number, i: number): number {
    const to = this.allocate(Math.max(i + 1, this.counts[at + CAPACITY]! * 2));
    const counts = this.counts;
    const end = counts[at + END]!;
    counts.copyWithin(to, at, at + end);
    counts[to + END] = end;
    this.runAt[key] = to;
    return to;
  }

  /** Room for `capacity` counts (all NaN) at the end of `counts`, growing it if needed; returns the run's offset. */
  private allocate(capacity: number): number {
    const at = this.countsEnd + HEADER;
    const end = at + capacity;
    if (end > this.counts.length) {
      const grown = new Float64Array(Math.max(end, this.counts.length * 2));
      grown.set(this.counts.subarray(0, this.countsEnd));
      this.counts = grown;
    }
    const counts = this.counts;
    counts[at + CAPACITY] = capacity;
    counts[at + END] = 0;
    counts.fill(Number.NaN, at, end);
    this.countsEnd = end;
    return at;
  }

  private list(actor: number): void {
    if (this.listed[actor] === 0) {
      this.listed[actor] = 1;
      this.actors.push(actor);
    }
  }

  /** A checkpoint keeps the counts up to their used end, not the array's capacity (`allocate` grows it again). */
  [SNAPSHOT_FIELDS](): Record<string, unknown> {
    return { ...this, counts: this.counts.slice(0, this.countsEnd) };
  }

  /** Room for keys of actors up to `actor`. */
  private grow(actor: number): void {
    const capacity = Math.max(actor + 1, this.listed.length * 2, 64);
    const runAt = new Int32Array(capacity * this.mechanismSlots);
    runAt.set(this.runAt);
    this.runAt = runAt;
    const listed = new Uint8Array(capacity);
    listed.set(this.listed);
    this.listed = listed;
  }

  /** Room for mechanism ids up to `mechanism`: the keys are laid out again. */
  private widen(mechanism: number): void {
    const old = this.mechanismSlots;
    const slots = Math.max(mechanism + 1, old * 2);
    const actorCapacity = this.listed.length;
    const runAt = new Int32Array(actorCapacity * slots);
    for (let a = 0; a < actorCapacity; a++)
      for (let m = 0; m < old; m++) runAt[a * slots + m] = this.runAt[a * old + m]!;
    this.runAt = runAt;
    this.mechanismSlots = slots;
  }
}

function otherKey(actor: number, mechanism: number): number {
  return actor * 2 ** 20 + mechanism;
}

/**
 * One map key for a (from, to) pair of states: a small integer (a V8 Smi, hashed without allocation) when both
 * are whole numbers below 2^15, as queue lengths and mode indices are; a string otherwise.
 */
function stateKey(fromState: number, toState: number): number | string {
  if ((fromState & (STATE_SPAN - 1)) === fromState && (toState & (STATE_SPAN - 1)) === toState)
    return fromState * STATE_SPAN + toState;
  return `${fromState}>${toState}`;
}
