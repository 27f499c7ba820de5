import assert from "node:assert/strict";
import { test } from "node:test";
import { IntervalLedger } from "./interval-ledger.ts";

test("interval ledger - transitions are counted per (actor, mechanism, from, to), whatever the size or kind of the states", () => {
  const ledger = new IntervalLedger();
  const moves: [number, string, number, number][] = [
    [2, "arrival", 0, 1],
    [2, "arrival", 0, 1],
    [2, "arrival", 1, 0], // not the same pair as (0, 1)
    [2, "service", 0, 1],
    [1, "arrival", 0, 1],
    [2, "arrival", 32767, 32768], // beyond the small-number key
    [2, "arrival", 32768, 32767],
    [2, "arrival", 2 ** 40, 1],
    [2, "arrival", 1.5, 2],
    [2, "arrival", -1, 0],
    [2, "arrival", 1, 32768 * 2 + 1], // would collide with (3, 1) under a careless packing
    [2, "arrival", 3, 1],
  ];
  for (const [actor, mechanism, from, to] of moves) ledger.transition(actor, mechanism, from, to);
  const counted = ledger.drain(0, []).transitions.map((t) => [t.actor, t.mechanism, t.fromState, t.toState, t.count]);
  assert.deepEqual(counted, [
    [1, "arrival", 0, 1, 1],
    [2, "arrival", -1, 0, 1],
    [2, "arrival", 0, 1, 2],
    [2, "arrival", 1, 0, 1],
    [2, "arrival", 1, 65537, 1],
    [2, "arrival", 1.5, 2, 1],
    [2, "arrival", 3, 1, 1],
    [2, "arrival", 32767, 32768, 1],
    [2, "arrival", 32768, 32767, 1],
    [2, "arrival", 2 ** 40, 1, 1],
    [2, "service", 0, 1, 1],
  ]);
  assert.equal(ledger.drain(1, []).transitions.length, 0, "a drain starts afresh");
});
