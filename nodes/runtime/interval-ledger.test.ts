import assert from "node:assert/strict";
import { test } from "node:test";
import { counterEntries, linkEntries, transitionEntries } from "./interval-columns.ts";
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
  const counted = transitionEntries(ledger.drain(0).transitions).map((t) => [
    t.actor,
    t.mechanism,
    t.fromState,
    t.toState,
    t.count,
  ]);
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
  assert.equal(ledger.drain(1).transitions.actor.length, 0, "a drain starts afresh");
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
  const drained = transitionEntries(ledger.drain(0).transitions);
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
  const drained = counterEntries(ledger.drain(0).counters).map((c) => `${c.actor} ${c.name} ${c.value}`);
  assert.deepEqual(drained, [
    "0 zeta 7",
    "1 a_first 1",
    "1 dropped:0 1",
    "1 packets_injected 7",
    "9 bits_delivered 80",
    "9 created:2 3",
    "9 requests 4",
  ]);
  assert.deepEqual(counterEntries(ledger.drain(1).counters), [], "a drain starts afresh");
});

test("interval ledger - model counters merge around skipped and used row columns, names numbered on first use", () => {
  const ledger = new IntervalLedger();
  ledger.exchange(5, 1, "created", 0); // a row in use whose created:1 is zero (left out)
  ledger.exchange(5, 2, "consumed", 4);
  ledger.count(5, "created:1", 2); // a model counter where the row's column was skipped
  ledger.count(5, "a", 1);
  ledger.count(5, "zz", 1);
  ledger.count(3, "x", 1);
  ledger.count(7, "a", 9);
  const { counters } = ledger.drain(0);
  assert.deepEqual(
    counterEntries(counters).map((c) => `${c.actor} ${c.name} ${c.value}`),
    ["3 x 1", "5 a 1", "5 consumed:2 4", "5 created:1 2", "5 zz 1", "7 a 9"],
  );
  assert.deepEqual(counters.names, ["x", "a", "consumed:2", "created:1", "zz"]);
});

test("interval ledger - counters handed in order merge with the others, a name given both ways added", () => {
  const ledger = new IntervalLedger();
  ledger.tally(4, "bits_erased", 8);
  ledger.count(4, "level:busy", 1); // a model counter of a level's name: added to the integral
  ledger.count(9, "requests", 2);
  for (const [actor, name, value] of [
    [1, "level:busy", 10],
    [4, "level:busy", 20],
    [4, "level:queue", 5],
    [12, "level:busy", 7],
  ] as const)
    ledger.countInOrder(actor, name, value);
  assert.equal(ledger.isEmpty(), false);
  assert.deepEqual(
    counterEntries(ledger.drain(0).counters).map((c) => `${c.actor} ${c.name} ${c.value}`),
    ["1 level:busy 10", "4 bits_erased 8", "4 level:busy 21", "4 level:queue 5", "9 requests 2", "12 level:busy 7"],
  );
  assert.equal(ledger.isEmpty(), true, "a drain starts afresh");
});

test("interval ledger - transition counts equal a plain per-pair tally over intervals, runs growing and mechanisms added", () => {
  const ledger = new IntervalLedger();
  let seed = 11;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const mechanisms = ["a", "b", "c", "d", "e", "f", "g"];
  for (let interval = 0; interval < 3; interval++) {
    const expected = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      // Later intervals reach new actors (the tables grow), states climb past a run's first room, and mechanisms
      // first seen after many actors counted (the keys are laid out again).
      const actor = next(200 * (interval + 1)) * 7;
      const mechanism = mechanisms[next(3 + 2 * interval)]!;
      const from = next(4) === 0 ? 1_000 + next(40) : next(60);
      const to = next(5) === 0 ? next(3_000) : from + next(3) - 1;
      const count = 1 + next(2);
      ledger.transition(actor, mechanism, from, to, count);
      const key = `${actor} ${mechanism} ${from} ${to}`;
      expected.set(key, (expected.get(key) ?? 0) + count);
    }
    const drained = transitionEntries(ledger.drain(interval).transitions);
    const got = new Map(drained.map((t) => [`${t.actor} ${t.mechanism} ${t.fromState} ${t.toState}`, t.count]));
    assert.equal(got.size, drained.length, "each pair once");
    assert.deepEqual(got, expected);
  }
});

test("interval ledger - a mechanism counted in one interval and not the next drains nothing then (counts reused clean)", () => {
  const ledger = new IntervalLedger();
  const entries = (interval: number) =>
    transitionEntries(ledger.drain(interval).transitions).map((t) => [
      t.actor,
      t.mechanism,
      t.fromState,
      t.toState,
      t.count,
    ]);
  ledger.transition(3, "arrival", 5, 6, 2);
  ledger.transition(3, "arrival", 40, 41);
  ledger.transition(3, "service", 1, 0);
  ledger.transition(8, "arrival", 2, 3);
  ledger.transition(8, "arrival", 40_000, 1); // kept outside the dense counts
  assert.deepEqual(entries(0), [
    [3, "arrival", 5, 6, 2],
    [3, "arrival", 40, 41, 1],
    [3, "service", 1, 0, 1],
    [8, "arrival", 2, 3, 1],
    [8, "arrival", 40_000, 1, 1],
  ]);
  ledger.transition(8, "arrival", 0, 1);
  ledger.transition(2, "service", 0, 1);
  assert.deepEqual(
    entries(1),
    [
      [2, "service", 0, 1, 1],
      [8, "arrival", 0, 1, 1],
    ],
    "only this interval's moves: none of the last interval's pairs, actors or mechanisms",
  );
  assert.equal(ledger.isEmpty(), true);
  assert.deepEqual(entries(2), [], "an interval without moves");
  ledger.transition(3, "arrival", 5, 6);
  ledger.transition(3, "service", 40_000, 1);
  assert.deepEqual(entries(3), [
    [3, "arrival", 5, 6, 1],
    [3, "service", 40_000, 1, 1],
  ]);
});

test("interval ledger - links drain sorted by link, direction and species, whatever order they were used in", () => {
  const ledger = new IntervalLedger();
  const uses: [number, number, boolean][] = [
    [7, 0, false],
    [2, 1, false],
    [3, 0, true],
    [2, 0, false],
    [7, 0, false],
    [0, 3, false],
    [6, 2, false],
  ];
  for (const [direction, species, lost] of uses) ledger.countLink(direction, 100, lost, species);
  const key = (l: { link: number; reverse: boolean; species: number }) =>
    `${l.link}${l.reverse ? "r" : ""}:${l.species}`;
  const first = linkEntries(ledger.drain(0).links);
  assert.deepEqual(first.map(key), ["0:3", "1:0", "1:1", "1r:0", "3:2", "3r:0"]);
  assert.deepEqual(
    first.find((l) => key(l) === "3r:0"),
    { link: 3, reverse: true, packets: 2, bytes: 200, dropped: 0, species: 0 },
  );
  assert.deepEqual(first.find((l) => key(l) === "1r:0")!.dropped, 1);
  ledger.countLink(2, 50, false, 1);
  assert.deepEqual(linkEntries(ledger.drain(1).links), [
    { link: 1, reverse: false, packets: 1, bytes: 50, dropped: 0, species: 1 },
  ]);
});

test("interval ledger - energies drain as columns in the order handed in, components numbered on first use", () => {
  const ledger = new IntervalLedger();
  ledger.energyInOrder(4, "cpu", 1.5);
  ledger.energyInOrder(4, "nic", 0);
  ledger.energyInOrder(2, "nic", 2.25);
  assert.equal(ledger.isEmpty(), false, "energy alone is something to report");
  const { energy } = ledger.drain(0);
  assert.deepEqual(energy, {
    components: ["cpu", "nic"],
    actor: [4, 4, 2],
    component: [0, 1, 1],
    joules: [1.5, 0, 2.25],
  });
  assert.equal(ledger.isEmpty(), true);
  assert.deepEqual(ledger.drain(1).energy.actor, [], "a drain starts afresh");
});
