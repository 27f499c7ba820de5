import assert from "node:assert/strict";
import { test } from "node:test";
import { type DirectedTransition, indexPairs, pairKey } from "./pairs.ts";
import { createSeededUniform } from "./rng.ts";

/** The pairing by key string, as the estimators paired counts before `indexPairs`: the reference it must equal. */
function pairByKey(items: readonly DirectedTransition[]) {
  const byKey = new Map<
    string,
    { from: string; to: string; mechanism: string; forward: number[]; reverse: number[] }
  >();
  items.forEach((t, i) => {
    const mechanism = t.mechanism ?? "";
    const key = pairKey(t.from, t.to, mechanism);
    let pair = byKey.get(key);
    if (pair === undefined) byKey.set(key, (pair = { from: t.from, to: t.to, mechanism, forward: [], reverse: [] }));
    (pair.from === t.from ? pair.forward : pair.reverse).push(i);
  });
  return [...byKey.values()];
}

test("pairs - indexPairs pairs as the key string does: mechanisms shared by several state pairs, both orders, self-loops", () => {
  const uniform = createSeededUniform(21);
  // Few states and mechanisms, so one mechanism joins many state pairs and separators and prefixes collide.
  const states = ["a", "b", "ab", "a|b", "", "1:a", "(environment)"];
  const mechanisms = [undefined, "", "hop|request|l1", "hop|request|l", "1:a", "create|x|a"];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(uniform() * xs.length)]!;
  for (let round = 0; round < 50; round++) {
    const items = Array.from({ length: 200 }, () => ({
      from: pick(states),
      to: pick(states),
      mechanism: pick(mechanisms),
    }));
    const { pairs, pairOf, reversed } = indexPairs(items);
    assert.deepEqual(pairs, pairByKey(items));
    items.forEach((t, i) => {
      const pair = pairs[pairOf[i]!]!;
      assert.equal(pair.mechanism, t.mechanism ?? "");
      assert.deepEqual(reversed[i] === 1 ? [pair.to, pair.from] : [pair.from, pair.to], [t.from, t.to]);
      assert.ok((reversed[i] === 1 ? pair.reverse : pair.forward).includes(i));
    });
  }
});
