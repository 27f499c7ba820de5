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
 * Pairs transitions as they come, without a key string per transition (estimators that re-pair counts by
 * `pairKey` do that work again): pairs are found by mechanism, then by their two states in either order, which is
 * what `pairKey` tells apart. Pairs come in the order their first transition is met; their `forward` and `reverse`
 * lists are left to the caller (indexPairs fills them).
 */
export class Pairer {
  readonly pairs: TransitionPair[] = [];
  private readonly firstOf = new Map<string, number>(); // the last pair made with each mechanism, heading a chain
  private readonly nextOf: number[] = []; // the pair made before with the same mechanism (-1: none)

  /** The index of `t`'s pair (made, oriented as `t`, if it is the first of its pair). */
  pairOf(t: DirectedTransition): number {
    const mechanism = t.mechanism ?? "";
    const head = this.firstOf.get(mechanism) ?? -1;
    let k = head;
    while (k >= 0 && !sameEnds(this.pairs[k]!, t)) k = this.nextOf[k]!;
    if (k < 0) {
      k = this.pairs.length;
      this.pairs.push({ from: t.from, to: t.to, mechanism, forward: [], reverse: [] });
      this.nextOf.push(head);
      this.firstOf.set(mechanism, k);
    }
    return k;
  }
}

/** Pairs `items` in one pass (`Pairer`), listing each pair's items. */
export function indexPairs(items: readonly DirectedTransition[]): PairIndex {
  const pairer = new Pairer();
  const pairOf = new Int32Array(items.length);
  const reversed = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const t = items[i]!;
    const k = pairer.pairOf(t);
    const pair = pairer.pairs[k]!;
    pairOf[i] = k;
    if (pair.from === t.from) pair.forward.push(i);
    else pair.reverse.push(i), (reversed[i] = 1);
  }
  return { pairs: pairer.pairs, pairOf, reversed };
}

/** The same two states, in either direction. */
function sameEnds(p: TransitionPair, t: DirectedTransition): boolean {
  return (p.from === t.from && p.to === t.to) || (p.from === t.to && p.to === t.from);
}
