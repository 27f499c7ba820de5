/**
 * The run aggregator (aggregate.ts) folds interval reports in either form: counters and transitions one message
 * each, or in columns (as hosts send them). The same counter or transition reported twice adds up, whatever its
 * states (large and negative ones included), and records keep the order things were first reported in.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { RunAggregator } from "./aggregate.ts";

type Interval = dctwin.v1.IntervalReport.$Properties;

function window(host: number, interval: Interval): dctwin.v1.WindowReport {
  return { host, window: 1, endNs: 1000, events: 0, addedDelayNs: 0, intervals: [interval] } as never;
}

test("aggregator - transitions and counters add up across hosts and wire forms, in first-reported order", () => {
  const a = new RunAggregator(1000);
  const messages: Interval = {
    interval: 0,
    transitions: [
      { actor: 7, mechanism: "arrival", fromState: 0, toState: 1, count: 3 },
      { actor: 7, mechanism: "arrival", fromState: 9000, toState: 9001, count: 1 },
      { actor: 2, mechanism: "service", fromState: -1, toState: 0, count: 2 },
    ],
    counters: [{ actor: 7, name: "bits_erased", value: 80 }],
  };
  const columns: Interval = {
    interval: 0,
    transitionMechanisms: ["service", "arrival"],
    transitionActor: [7, 2, 7, 3 * 2 ** 21],
    transitionMechanism: [1, 0, 1, 0],
    transitionFrom: [9000, -1, 0, 4],
    transitionTo: [9001, 0, 1, 5],
    transitionCount: [4, 5, 6, 1],
    counterNames: ["bits_erased", "created:1"],
    counterActor: [7, 7],
    counterName: [1, 0],
    counterValue: [2, 8],
  };
  a.addWindow([window(0, messages), window(1, columns)]);
  const record = a.intervals.get(0)!;
  assert.deepEqual(
    [...record.transitions.values()].map((t) => [t.actor, t.mechanism, t.fromState, t.toState, t.count]),
    [
      [7, "arrival", 0, 1, 9],
      [7, "arrival", 9000, 9001, 5],
      [2, "service", -1, 0, 7],
      [3 * 2 ** 21, "service", 4, 5, 1],
    ],
  );
  assert.deepEqual(
    [...record.counters.get(7)!],
    [
      ["bits_erased", 88],
      ["created:1", 2],
    ],
  );
});

test("aggregator - a closed record keeps its values compact, and a later report for it still adds up", () => {
  const a = new RunAggregator(1000);
  const closed: number[] = [];
  a.onIntervalClosed = (record) => closed.push(record.index);
  const energy = (joules: number): Interval => ({
    interval: 0,
    energy: [
      { actor: 5, component: "cpu", joules },
      { actor: 1, component: "nic", joules: 0.5 },
    ],
    counterNames: ["bits_erased"],
    counterActor: [5],
    counterName: [0],
    counterValue: [16],
  });
  a.addWindow([window(0, energy(2))]);
  assert.deepEqual(closed, [0]);
  const record = a.intervals.get(0)!;
  assert.ok(!(record.energy instanceof Map) && !(record.counters instanceof Map), "compacted on close");
  assert.deepEqual(
    [...record.energy].map(([actor, c]) => [actor, [...c]]),
    [
      [5, [["cpu", 2]]],
      [1, [["nic", 0.5]]],
    ],
  );
  a.addWindow([window(1, energy(3))]);
  assert.equal(a.intervals.get(0), record, "the same record object");
  assert.deepEqual([...record.energy.get(5)!], [["cpu", 5]]);
  assert.deepEqual([...record.counters.get(5)!], [["bits_erased", 32]]);
  assert.deepEqual([...a.energyByActor().get(1)!], [["nic", 1]]);
});
