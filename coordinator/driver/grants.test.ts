import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { boundaryPlugins } from "./boundary-plugins.ts";
import { Grants } from "./grants.ts";
import { RunAggregator } from "../counts/aggregate.ts";

const MS = 1_000_000;
const I = 100 * MS;

function scenario(withCrac = false): ResolvedScenario {
  const actor = (index: number, kind: string, params: unknown = {}, labels: Record<string, string> = {}) => ({
    index,
    id: `${kind}${index}`,
    kind,
    group: kind,
    labels,
    params,
  });
  return {
    run: {
      name: "t",
      seed: 1,
      durationNs: 10 * I,
      quantumNs: 50_000,
      metricsIntervalNs: I,
      warmupNs: 0,
      ambientTemperatureK: 300,
      distributionLoss: 0,
      traceSampleRatio: 0,
      carbon: null,
    },
    actors: withCrac
      ? [actor(0, "server", {}, { zone: "z" }), actor(1, "crac", { zone: "z" })]
      : [actor(0, "server"), actor(1, "server")],
    links: [{ index: 0, id: "l", a: 0, b: 1, latencyNs: 50_000, bandwidthBps: 0, loss: 0 }],
  };
}

const aggregator = new RunAggregator(I);
const times = (grant: { stamps?: { timeNs?: number | null }[] | null } | null) =>
  grant?.stamps?.map((s) => Number(s.timeNs));

test("grants - unpaced: one to two intervals ahead of the hosts, an empty stamp at each horizon", () => {
  const g = new Grants(scenario(), [], []);
  const first = g.next({ reachedNs: 0, reportedStartNs: -1, aggregator });
  assert.equal(first?.untilNs, 2 * I);
  assert.deepEqual(times(first), [2 * I], "the horizon is a stamp, so windows end exactly there");
  assert.equal(
    g.wouldMove({ reachedNs: I - 1, reportedStartNs: 0, aggregator }),
    false,
    "no grant until the hosts pass a boundary",
  );
  assert.equal(g.next({ reachedNs: I + 5, reportedStartNs: 0, aggregator })?.untilNs, 3 * I);
  assert.deepEqual(
    times(g.next({ reachedNs: 9 * I, reportedStartNs: 0, aggregator })),
    [],
    "no stamp at the end of the run",
  );
  assert.equal(g.horizonNs, 10 * I);
  assert.equal(g.next({ reachedNs: 10 * I, reportedStartNs: 0, aggregator }), null);
  assert.deepEqual(g.stop(), { seq: 4, untilNs: 10 * I, stamps: [], stop: true }, "the stop moves nothing");
});

test("grants - scheduled commands at their times, live ones at the old horizon after them; both recorded in that order", () => {
  const crash = { actor: { actor: 1, command: "crash", argsJson: "{}" } };
  const recover = { actor: { actor: 1, command: "recover", argsJson: "{}" } };
  const g = new Grants(
    scenario(),
    [
      { timeNs: 2 * I, command: recover },
      { timeNs: 30 * MS, command: crash },
    ],
    [],
  );
  const first = g.next({ reachedNs: 0, reportedStartNs: -1, aggregator });
  assert.deepEqual(
    first?.stamps?.map((s) => [s.timeNs, s.commands?.map((c) => [c.seq, c.actor?.command])]),
    [
      [30 * MS, [[0, "crash"]]],
      [2 * I, []],
    ],
  );
  g.submit(crash);
  const second = g.next({ reachedNs: I, reportedStartNs: 0, aggregator });
  assert.deepEqual(
    second?.stamps?.map((s) => [s.timeNs, s.commands?.map((c) => [c.seq, c.actor?.command])]),
    [
      [
        2 * I,
        [
          [1, "recover"],
          [2, "crash"],
        ],
      ],
      [3 * I, []],
    ],
  );
  assert.deepEqual(
    g.applied.map((a) => [a.timeNs, a.seq, a.source]),
    [
      [30 * MS, 0, "schedule"],
      [2 * I, 1, "schedule"],
      [2 * I, 2, "live"],
    ],
  );
});

test("grants - paced: never past the simulated time due, on the quantum grid", () => {
  const g = new Grants(scenario(), [], []);
  assert.equal(g.next({ reachedNs: 0, reportedStartNs: -1, aggregator, dueNs: 1_234_567 })?.untilNs, 1_200_000);
  assert.equal(
    g.next({ reachedNs: 0, reportedStartNs: -1, aggregator, dueNs: 1_240_000 }),
    null,
    "not a whole quantum further",
  );
});

test("grants - cooling: a stamp at every boundary; the horizon stops where interval j-2 is not reported yet", () => {
  const s = scenario(true);
  const g = new Grants(s, [], boundaryPlugins(s));
  const first = g.next({ reachedNs: 0, reportedStartNs: -1, aggregator });
  assert.equal(first?.untilNs, 2 * I, "t2 needs interval 0, complete once a window at t1 is reported");
  assert.deepEqual(times(first), [I, 2 * I], "an empty stamp at t1 makes the hosts start a window there");
  assert.equal(g.next({ reachedNs: 3 * I, reportedStartNs: 0, aggregator }), null, "still no window at t1 reported");
  const second = g.next({ reachedNs: 3 * I, reportedStartNs: I, aggregator });
  assert.equal(second?.untilNs, 3 * I);
  assert.deepEqual(
    second?.stamps?.map((st) => [st.timeNs, st.commands?.map((c) => c.actor?.command)]),
    [
      [2 * I, ["set_heat"]],
      [3 * I, []],
    ],
  );
});

test("grants - boundary plug-ins: commands in list order at each boundary; the horizon waits for each one's interval", () => {
  const s = scenario();
  const seen: number[] = [];
  // Reads the interval just closed (a lag of one): boundary j needs interval j−1, complete once t_j is reported.
  const eager = {
    readsInterval: (j: number) => j - 1,
    commandsAt: (t: number) => (seen.push(t), [{ actor: { actor: 0, command: "eager", argsJson: "{}" } }]),
  };
  const quiet = {
    readsInterval: () => null,
    commandsAt: () => [{ actor: { actor: 1, command: "quiet", argsJson: "{}" } }],
  };
  const g = new Grants(s, [], [eager, quiet]);
  const first = g.next({ reachedNs: 0, reportedStartNs: -1, aggregator });
  assert.equal(first?.untilNs, I, "t1 needs interval 0, not complete before a window at t1 is reported");
  assert.equal(g.next({ reachedNs: I, reportedStartNs: 0, aggregator }), null);
  const second = g.next({ reachedNs: I, reportedStartNs: I, aggregator });
  assert.equal(second?.untilNs, 2 * I);
  assert.deepEqual(
    second?.stamps?.map((st) => [st.timeNs, st.commands?.map((c) => c.actor?.command)]),
    [
      [I, ["eager", "quiet"]],
      [2 * I, []],
    ],
  );
  assert.deepEqual(seen, [I]);
  assert.equal(new Grants(s, [], [quiet]).next({ reachedNs: 0, reportedStartNs: -1, aggregator })?.untilNs, 2 * I);
});
