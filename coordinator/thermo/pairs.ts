/**
 * Pairing of directed transitions with their reverses, mechanism by mechanism (docs/thermo.md): "hop i→j over link ℓ"
 * pairs with "hop j→i over link ℓ", never with another mechanism that happens to connect the same states.
 */

export interface DirectedTransition {
  from: string;
  to: string;
  mechanism?: string;
}

/** One undirected, mechanism-resolved edge; oriented as the first transition seen for it. */
export interface TransitionPair {
  from: string;
  to: string;
  mechanism: string;
  /** Indices of the items going from→to, and to→from. */
  forward: number[];
  reverse: number[];
}

/**
 * One key per unordered pair of states and mechanism. The lengths of the mechanism and the first state prefix the
 * parts, so no two triples share a key (whatever characters they hold), without an array and JSON per count.
 */
export function pairKey(a: string, b: string, mechanism: string): string {
  return a < b
    ? `${mechanism.length}:${a.length}:${mechanism}${a}${b}`
    : `${mechanism.length}:${b.length}:${mechanism}${b}${a}`;
}

export function pairTransitions(items: readonly DirectedTransition[]): TransitionPair[] {
  return indexPairs(items).pairs;
}

/** The pairing of `items` and, by item, the index of its pair and whether it goes against the pair's orientation. */
export interface PairIndex {
  pairs: TransitionPair[];
  pairOf: Int32Array;
  reversed: Uint8Array;
}

/**
 * Pairs `items` in one pass, without a key string per item (estimators that re-pair counts by `pairKey` do that
 * work again): pairs are found by mechanism, then by their two states in either order, which is what `pairKey`
 * tells apart. Pairs come in the order their first item is met.
 */
export function indexPairs(items: readonly DirectedTransition[]): PairIndex {
  const firstOf = new Map<string, number>(); // the last pair made with each mechanism, heading a chain
  const nextOf: number[] = []; // the pair made before with the same mechanism (-1: none)
  const pairs: TransitionPair[] = [];
  const pairOf = new Int32Array(items.length);
  const reversed = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const t = items[i]!;
    const mechanism = t.mechanism ?? "";
    const head = firstOf.get(mechanism) ?? -1;
    let k = head;
    while (k >= 0 && !sameEnds(pairs[k]!, t)) k = nextOf[k]!;
    if (k < 0) {
      k = pairs.length;
      pairs.push({ from: t.from, to: t.to, mechanism, forward: [], reverse: [] });
      nextOf.push(head);
      firstOf.set(mechanism, k);
    }
    const pair = pairs[k]!;
    pairOf[i] = k;
    if (pair.from === t.from) pair.forward.push(i);
    else pair.reverse.push(i), (reversed[i] = 1);
  }
  return { pairs, pairOf, reversed };
}

/** The same two states, in either direction. */
function sameEnds(p: TransitionPair, t: DirectedTransition): boolean {
  return (p.from === t.from && p.to === t.to) || (p.from === t.to && p.to === t.from);
}
