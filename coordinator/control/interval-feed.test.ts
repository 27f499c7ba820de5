import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { IntervalFeed } from "./interval-feed.ts";

const I = 1e9;
const scenario = {
  run: { name: "t", durationNs: 10 * I, metricsIntervalNs: I, distributionLoss: 0, ambientTemperatureK: 300 },
  actors: [],
  links: [],
} as unknown as ResolvedScenario;

test("interval feed - counts in force at each interval's end; watchers get history, then news, then the end", () => {
  const feed = new IntervalFeed(scenario);
  feed.counts({ timeNs: 0.5 * I, activeFaults: 1, faultedActors: 1, faultedLinks: 0 });
  feed.counts({ timeNs: 0.5 * I, activeFaults: 2, faultedActors: 1, faultedLinks: 1 }); // same time: replaces
  feed.counts({ timeNs: 2 * I, activeFaults: 0, faultedActors: 0, faultedLinks: 0 }); // at t2: interval 2's
  feed.publish(0, null, I, { injected: 2, cleared: 0 });
  const seen: number[] = [];
  let ended = false;
  feed.watch(
    1,
    (m) => seen.push(Number(m.interval)),
    () => (ended = true),
  );
  feed.publish(1, null, 2 * I, { injected: 0, cleared: 0 });
  feed.publish(2, null, 2.5 * I, { injected: 0, cleared: 2 });
  feed.end();
  assert.deepEqual(seen, [1, 2]);
  assert.equal(ended, true);
  assert.deepEqual(
    feed.faultRows().map((r) => [r.startNs, r.endNs, r.activeFaults, r.faultedLinks, r.injected, r.cleared]),
    [
      [0, I, 2, 1, 2, 0],
      [I, 2 * I, 2, 1, 0, 0],
      [2 * I, 2.5 * I, 0, 0, 0, 2],
    ],
  );
  let late = false;
  feed.watch(
    0,
    () => {},
    () => (late = true),
  );
  assert.equal(late, true, "a watcher after the end gets the history and the end at once");
});
