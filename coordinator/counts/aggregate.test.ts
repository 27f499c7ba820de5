/**
 * The run aggregator (aggregate.ts) folds interval reports, in columns as hosts send them, into records whose
 * per-actor values are columns too. The same counter or transition reported twice adds up, whatever its states
 * (large and negative ones included), and records keep the order things were first reported in.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { RunAggregator, SPECIES_SLOTS } from "./aggregate.ts";
import { CompactNested } from "./compact-nested.ts";
import { transitionTotals } from "./transitions.ts";

type Interval = dctwin.v1.IntervalReport.$Properties;

function window(host: number, interval: Interval): dctwin.v1.WindowReport {
  return { host, window: 1, endNs: 1000, events: 0, addedDelayNs: 0, intervals: [interval] } as never;
}

test("aggregator - transitions and counters add up across hosts, in first-reported order", () => {
  const a = new RunAggregator(1000);
  const first: Interval = {
    interval: 0,
    transitionMechanisms: ["arrival", "service"],
    transitionActor: [7, 7, 2],
    transitionMechanism: [0, 0, 1],
    transitionFrom: [0, 9000, -1],
    transitionTo: [1, 9001, 0],
    transitionCount: [3, 1, 2],
    counterNames: ["bits_erased"],
    counterActor: [7],
    counterName: [0],
    counterValue: [80],
  };
  const second: Interval = {
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
  a.addWindow([window(0, first), window(1, second)]);
  const record = a.intervals.get(0)!;
  assert.deepEqual(
    transitionTotals(record.transitions).map((t) => [t.actor, t.mechanism, t.fromState, t.toState, t.count]),
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

test("aggregator - link columns add up per direction, and per direction and species in the interval's hops", () => {
  const a = new RunAggregator(1000);
  const links = (packets: number): Interval => ({
    interval: 0,
    linkDirection: [4, 4, 5],
    linkSpecies: [1, 2, 1],
    linkPackets: [packets, 1, 0],
    linkBytes: [100 * packets, 50, 0],
    linkDropped: [0, 0, 2],
  });
  a.addWindow([window(0, links(3)), window(1, links(2))]);
  const record = a.intervals.get(0)!;
  assert.deepEqual(
    [...record.links],
    [
      [4, { packets: 7, bytes: 600, lost: 0 }],
      [5, { packets: 0, bytes: 0, lost: 4 }],
    ],
  );
  assert.deepEqual(
    [...record.speciesHops],
    [
      [4 * SPECIES_SLOTS + 1, 5],
      [4 * SPECIES_SLOTS + 2, 2],
    ],
  );
  assert.equal(a.hops, 7);
  assert.deepEqual(a.links.get(4), { packets: 7, bytes: 600, lost: 0 });
});

test("aggregator - a closed record keeps its values in columns, and a later report for it still adds up", () => {
  const a = new RunAggregator(1000);
  const closed: number[] = [];
  a.onIntervalClosed = (record) => closed.push(record.index);
  const energy = (joules: number): Interval => ({
    interval: 0,
    energyComponents: ["cpu", "nic"],
    energyActor: [5, 1],
    energyComponent: [0, 1],
    energyJoules: [joules, 0.5],
    counterNames: ["bits_erased"],
    counterActor: [5],
    counterName: [0],
    counterValue: [16],
  });
  a.addWindow([window(0, energy(2))]);
  assert.deepEqual(closed, [0]);
  const record = a.intervals.get(0)!;
  assert.ok(record.energy instanceof CompactNested && record.counters instanceof CompactNested, "columns");
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
