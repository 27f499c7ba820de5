/**
 * The state-pair counts of one (actor, mechanism) in an interval (interval-ledger.ts): a dense array for the
 * one-step moves between small states, a map for every other pair, drained in (from, to) order.
 */
import type { TransitionCount } from "./interval-ledger.ts";

const STATE_SPAN = 1 << 15;
/**
 * States below this have their one-step moves in the dense array. Higher ones (a leap server's fluid backlog of
 * thousands) go to the map: a dense array up to them would be allocated per actor and interval (most of a leap
 * day's garbage at the afternoon peak). Where a pair is kept does not change the drained, sorted output.
 */
const NEAR_SPAN = 1 << 10;

/**
 * The counts of one (actor, mechanism)'s state pairs. Most moves are by one step between small whole numbers
 * (queue lengths: n -> n + 1 on arrival, n + 1 -> n on service): their counts sit in a typed array at
 * from * 3 + step + 1 (NaN where no move was counted), indexed without hashing and without an object per pair
 * until the drain; every other pair is in the map under `stateKey`.
 */
export interface StatePairs {
  near: Float64Array;
  /** `near` past this index is all NaN: the drain and the clearing stop here. */
  nearEnd: number;
  other: Map<number | string, TransitionCount>;
}

/** Counts of a new (actor, mechanism): room for moves from states below 21 before the first growth. */
export function newStatePairs(): StatePairs {
  return { near: new Float64Array(64).fill(Number.NaN), nearEnd: 0, other: new Map() };
}

/**
 * Cleared counts to use again for another (actor, mechanism) and interval: a large shard counts the moves of
 * thousands of (actor, mechanism)s per interval, and allocating their arrays and maps afresh each time was most of
 * its per-interval garbage. Process-wide (the shards of one process take turns) and outside any shard, so a
 * checkpoint does not carry it; it holds as many as were in use at once at most.
 */
const free: StatePairs[] = [];

/** Counts for an (actor, mechanism) with nothing counted yet. */
export function takeStatePairs(): StatePairs {
  return free.pop() ?? newStatePairs();
}

/** Done with `pairs` (drained): clears what was written and keeps it for `takeStatePairs`. */
export function releaseStatePairs(pairs: StatePairs): void {
  pairs.near.fill(Number.NaN, 0, pairs.nearEnd);
  pairs.nearEnd = 0;
  if (pairs.other.size > 0) pairs.other.clear();
  free.push(pairs);
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

/** The array with room up to `index`, holes filled (a dense array stays fast to index; a sparse one would not). */
export function growDense<T>(array: (T | undefined)[], index: number): (T | undefined)[] {
  const grown = new Array<T | undefined>(Math.max(index + 1, array.length * 2, 64)).fill(undefined);
  for (let i = 0; i < array.length; i++) grown[i] = array[i];
  return grown;
}

/** Counts `count` moves from `fromState` to `toState` of one (actor, mechanism). */
export function addPair(
  pairs: StatePairs,
  actor: number,
  mechanism: string,
  fromState: number,
  toState: number,
  count: number,
): void {
  const step = toState - fromState;
  if (step >= -1 && step <= 1 && (fromState & (NEAR_SPAN - 1)) === fromState) {
    const i = fromState * 3 + step + 1;
    let near = pairs.near;
    if (i >= near.length) {
      near = new Float64Array(Math.max(i + 1, near.length * 2)).fill(Number.NaN);
      near.set(pairs.near);
      pairs.near = near;
    }
    const before = near[i]!;
    near[i] = Number.isNaN(before) ? count : before + count; // NaN: the pair's first move
    if (i >= pairs.nearEnd) pairs.nearEnd = i + 1;
    return;
  }
  const key = stateKey(fromState, toState);
  const t = pairs.other.get(key);
  if (t === undefined) pairs.other.set(key, { actor, mechanism, fromState, toState, count });
  else t.count += count;
}
