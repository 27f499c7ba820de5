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
  const byKey = new Map<string, TransitionPair>();
  items.forEach((t, i) => {
    const mechanism = t.mechanism ?? "";
    const key = pairKey(t.from, t.to, mechanism);
    let pair = byKey.get(key);
    if (pair === undefined) {
      pair = { from: t.from, to: t.to, mechanism, forward: [], reverse: [] };
      byKey.set(key, pair);
    }
    (pair.from === t.from ? pair.forward : pair.reverse).push(i);
  });
  return [...byKey.values()];
}
