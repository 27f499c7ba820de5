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

test("interval ledger - transitions drain in (actor, mechanism, from, to) order, as a full sort would give", () => {
  const ledger = new IntervalLedger();
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const mechanisms = ["service", "arrival", "mode", "zeta", "boot"];
  for (let i = 0; i < 5_000; i++) {
    const kind = next(6); // mostly small steps (the dense pairs), some large or negative states (the others)
    const from = kind === 0 ? 32_768 + next(100) : kind === 1 ? -1 - next(3) : next(6);
    const to = next(4) === 0 ? next(50_000) : from + next(3) - 1;
    ledger.transition(next(50), mechanisms[next(mechanisms.length)]!, from, to, 1 + next(3));
  }
  const drained = ledger.drain(0, []).transitions;
  const sorted = [...drained].sort(
    (a, b) =>
      a.actor - b.actor ||
      (a.mechanism < b.mechanism ? -1 : a.mechanism > b.mechanism ? 1 : 0) ||
      a.fromState - b.fromState ||
      a.toState - b.toState,
  );
  assert.deepEqual(drained, sorted);
  assert.ok(drained.length > 1_000);
});

test("interval ledger - counters drain sorted by actor and name, tallies and model counters of one name added", () => {
  const ledger = new IntervalLedger();
  ledger.count(9, "requests", 4);
  ledger.exchange(9, 2, "created", 3);
  ledger.tally(9, "bits_delivered", 80);
  ledger.tally(1, "packets_injected", 2);
  ledger.count(1, "packets_injected", 5); // a model counter with a tally's name: one counter, the sum
  ledger.count(1, "a_first", 1);
  ledger.exchange(1, 0, "dropped", 1);
  ledger.count(0, "zeta", 7);
  const drained = ledger.drain(0, []).counters.map((c) => `${c.actor} ${c.name} ${c.value}`);
  assert.deepEqual(drained, [
    "0 zeta 7",
    "1 a_first 1",
    "1 dropped:0 1",
    "1 packets_injected 7",
    "9 bits_delivered 80",
    "9 created:2 3",
    "9 requests 4",
  ]);
  assert.deepEqual(ledger.drain(1, []).counters, [], "a drain starts afresh");
});
