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
 * (queue lengths: n -> n + 1 on arrival, n + 1 -> n on service): those sit in a dense array at from * 3 + step + 1,
 * indexed without hashing; every other pair is in the map under `stateKey`.
 */
export interface StatePairs {
  near: (TransitionCount | undefined)[];
  other: Map<number | string, TransitionCount>;
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

/** The pairs' counts in (from, to) order: the dense ones are in that order already. */
export function appendInStateOrder(out: TransitionCount[], pairs: StatePairs): void {
  const byStates = (a: TransitionCount, b: TransitionCount) => a.fromState - b.fromState || a.toState - b.toState;
  const other = pairs.other.size === 0 ? [] : [...pairs.other.values()].sort(byStates);
  let j = 0;
  for (const t of pairs.near) {
    if (t === undefined) continue;
    while (j < other.length && byStates(other[j]!, t) < 0) out.push(other[j++]!);
    out.push(t);
  }
  while (j < other.length) out.push(other[j++]!);
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
    if (i >= pairs.near.length) pairs.near = growDense(pairs.near, i);
    const t = pairs.near[i];
    if (t === undefined) pairs.near[i] = { actor, mechanism, fromState, toState, count };
    else t.count += count;
    return;
  }
  const key = stateKey(fromState, toState);
  const t = pairs.other.get(key);
  if (t === undefined) pairs.other.set(key, { actor, mechanism, fromState, toState, count });
  else t.count += count;
}
