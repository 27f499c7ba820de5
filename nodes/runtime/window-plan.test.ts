import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResolvedScenario } from "./topology.ts";
import { WindowPlanner, type PlanStep } from "./window-plan.ts";

const US = 1_000;
const MS = 1_000_000;

/** a -(20 us)- b -(50 us)- c; 10 ms run, 4 ms metrics intervals. */
function scenario(quantumNs = 20 * US): ResolvedScenario {
  const actor = (index: number) => ({ index, id: `x${index}`, kind: "k", group: "k", labels: {}, params: {} });
  return {
    run: {
      name: "t",
      seed: 1,
      durationNs: 10 * MS,
      quantumNs,
      metricsIntervalNs: 4 * MS,
      warmupNs: 0,
      ambientTemperatureK: 300,
      distributionLoss: 0,
      traceSampleRatio: 0,
      carbon: null,
    },
    actors: [actor(0), actor(1), actor(2)],
    links: [
      { index: 0, id: "ab", a: 0, b: 1, latencyNs: 20 * US, bandwidthBps: 0, loss: 0 },
      { index: 1, id: "bc", a: 1, b: 2, latencyNs: 50 * US, bandwidthBps: 0, loss: 0 },
    ],
  };
}

const window = (startNs: number, endNs: number) => ({ startNs, endNs });
const span = (step: PlanStep) => (step.kind === "run" ? window(step.startNs, step.endNs) : step);

test("window plan - one host: windows run from boundary to boundary, empty stretches skipped", () => {
  const p = new WindowPlanner(scenario(), [0, 0, 0]);
  assert.equal(p.lookaheadNs, Number.POSITIVE_INFINITY);
  assert.deepEqual(p.next(1 * MS), { kind: "wait" }, "nothing runs before a grant");
  p.grant(10 * MS, []);
  const first = p.next(1 * MS);
  assert.deepEqual(span(first), window(1 * MS, 4 * MS), "to the metrics interval boundary");
  p.begin(first as Extract<PlanStep, { kind: "run" }>);
  assert.deepEqual(span(p.next(9 * MS)), window(9 * MS, 10 * MS), "to the end of the run");
  assert.deepEqual(
    p.next(-1),
    { kind: "finish", window: 2, atNs: 10 * MS },
    "no event left and the horizon at the end",
  );
});

test("window plan - two hosts: windows are bounded by the cut link's latency", () => {
  const p = new WindowPlanner(scenario(), [0, 0, 1]);
  assert.equal(p.lookaheadNs, 50 * US, "only b-c crosses hosts; a-b (20 us) does not bound anything");
  p.grant(10 * MS, []);
  assert.deepEqual(span(p.next(100 * US)), window(100 * US, 150 * US));
  assert.deepEqual(span(p.next(3_980 * US)), window(3_980 * US, 4 * MS), "never across an interval boundary");
});

test("window plan - stamps start and end windows; a link command in a stamp shortens its window", () => {
  const p = new WindowPlanner(scenario(), [0, 0, 1]);
  p.grant(2 * MS, [
    { timeNs: 1 * MS, commands: [{ seq: 0, link: { link: 1, latencyNs: 10 * US } }] },
    { timeNs: 1 * MS + 30 * US, commands: [] },
    { timeNs: 2 * MS, commands: [] },
  ]);
  const first = p.next(-1);
  assert.deepEqual(
    span(first),
    window(1 * MS, 1 * MS + 10 * US),
    "a stamp starts a window without events; the new latency bounds it",
  );
  assert.equal(first.kind === "run" && first.commands.length, 1);
  p.begin(first as Extract<PlanStep, { kind: "run" }>);
  assert.equal(p.lookaheadNs, 10 * US);
  assert.deepEqual(
    span(p.next(1 * MS + 25 * US)),
    window(1 * MS + 25 * US, 1 * MS + 30 * US),
    "ends at the next stamp",
  );
  const atStamp = p.next(1_500 * US);
  assert.deepEqual(span(atStamp), window(1 * MS + 30 * US, 1 * MS + 40 * US), "the stamp comes before a later event");
  p.begin(atStamp as Extract<PlanStep, { kind: "run" }>);
  assert.deepEqual(span(p.next(1_995 * US)), window(1_995 * US, 2 * MS), "ends at the horizon's stamp");
  assert.deepEqual(p.next(2 * MS + 1), { kind: "wait" }, "nothing at or past the horizon");
});

test("window plan - a window that would end past the horizon waits; a late grant cannot change a window", () => {
  const s = scenario();
  const early = new WindowPlanner(s, [0, 0, 1]);
  const late = new WindowPlanner(s, [0, 0, 1]);
  for (const p of [early, late]) p.grant(1 * MS + 20 * US, []);
  assert.deepEqual(early.next(1 * MS), { kind: "wait" }, "[1 ms, 1.05 ms) would pass the horizon");
  // The next grant stamps at or after the old horizon: a planner that has it and one that has not agree or wait.
  early.grant(3 * MS, [{ timeNs: 1 * MS + 20 * US, commands: [] }]);
  assert.deepEqual(span(early.next(1 * MS)), window(1 * MS, 1 * MS + 20 * US));
  assert.deepEqual(span(early.next(900 * US)), span(late.next(900 * US)));
});

test("window plan - a quantum above the smallest latency: a fixed grid, whatever the placement", () => {
  for (const hostOf of [
    [0, 0, 0],
    [0, 1, 1],
    [0, 1, 2],
  ]) {
    const p = new WindowPlanner(scenario(100 * US), hostOf);
    assert.equal(p.exact, false);
    p.grant(10 * MS, []);
    assert.deepEqual(span(p.next(130 * US)), window(130 * US, 200 * US), `placement ${hostOf}`);
  }
  assert.equal(
    new WindowPlanner(scenario(20 * US), [0, 0, 0]).exact,
    true,
    "a quantum at the smallest latency is exact",
  );
});
