import assert from "node:assert/strict";
import { test } from "node:test";
import { LevelMeter } from "./level-meter.ts";

test("level meter - an idle level integrates over every interval it is held, with no event in it", () => {
  const levels = new LevelMeter();
  levels.set("busy", 3, 100);
  assert.deepEqual(levels.drain(1_000), [["busy", 3 * 900]]);
  assert.deepEqual(levels.drain(2_000), [["busy", 3 * 1_000]], "an interval without a change: level × its length");
  assert.deepEqual(levels.drain(3_000), [["busy", 3 * 1_000]]);
  levels.set("busy", 0, 3_500);
  assert.deepEqual(levels.drain(4_000), [["busy", 3 * 500]]);
  assert.deepEqual(levels.drain(5_000), [], "a level at zero has a zero integral, left out");
  levels.set("busy", 2, 5_000);
  levels.set("busy", 2, 5_400); // the same value again: nothing changes
  assert.deepEqual(levels.drain(6_000), [["busy", 2 * 1_000]]);
});

test("level meter - levels first set in any order drain in name order, each with its own integral", () => {
  const levels = new LevelMeter();
  const names = ["zeta", "alpha", "mid", "beta", "omega", "kappa"]; // more than the first allocation holds
  names.forEach((name, i) => levels.set(name, i + 1, 10 * i));
  levels.set("zeta", 7, 100); // set again after the others were added before it
  levels.set("alpha", 0, 100);
  assert.deepEqual(levels.drain(200), [
    ["alpha", 2 * (100 - 10)],
    ["beta", 4 * (200 - 30)],
    ["kappa", 6 * (200 - 50)],
    ["mid", 3 * (200 - 20)],
    ["omega", 5 * (200 - 40)],
    ["zeta", 1 * 100 + 7 * 100],
  ]);
  assert.deepEqual(levels.drain(300), [
    ["beta", 4 * 100],
    ["kappa", 6 * 100],
    ["mid", 3 * 100],
    ["omega", 5 * 100],
    ["zeta", 7 * 100],
  ]);
});

test("level meter - drains into a sink as the actor's level:<name> counters, one string per name", () => {
  const [a, b] = [new LevelMeter(), new LevelMeter()];
  a.set("waiting", 2, 0);
  b.set("waiting", 5, 0);
  b.set("held", 1, 0);
  const got: [number, string, number][] = [];
  const sink = { countInOrder: (actor: number, name: string, value: number) => got.push([actor, name, value]) };
  a.drainTo(10, 4, sink);
  b.drainTo(10, 9, sink);
  assert.deepEqual(got, [
    [4, "level:waiting", 20],
    [9, "level:held", 10],
    [9, "level:waiting", 50],
  ]);
  assert.equal(got[0]![1], got[2]![1], "the same counter name string for every actor");
});
