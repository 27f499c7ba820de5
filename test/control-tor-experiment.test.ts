/**
 * The experiment users run the twin for: on a leaf-spine fabric, a top-of-rack switch crashes for 10 s, then the
 * load doubles. Expected effects, each checked against what the models imply: requests to the servers behind the
 * dead switch are dropped there (reason actor_down) and only while it is down; those servers idle at exactly their
 * idle power; the other rack's servers are unaffected; doubling the load raises power and response times; the
 * steady-state checks pass and fail where they should; the CRAC that fails stops drawing power and the inlet
 * heats up; packets stay conserved (the driver checks every window).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { join } from "node:path";
import { stringify } from "yaml";
import { runControlled } from "../coordinator/session.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-tor-");
after(() => dir.remove());

const IDLE_W = 100;
const MAX_W = 300;

const scenario = {
  name: "tor-crash",
  run: { duration: "30s", seed: 21, metrics_interval: "1s", warmup: "0s" },
  topology: {
    type: "leaf-spine",
    leaves: 3,
    spines: 2,
    servers_per_leaf: 2,
    server: {
      cores: 1,
      service: { distribution: "exponential", mean: "5ms" },
      power: { model: "linear", idle_w: IDLE_W, max_w: MAX_W },
    },
    server_link: { latency: "5us", bandwidth: "25Gbps" },
    fabric_link: { latency: "10us", bandwidth: "100Gbps" },
  },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "lb",
      arrivals: { process: "poisson", rate_per_s: 240 },
      request_bytes: 500,
      response_bytes: 4000,
    },
    // Round robin keeps sending to the servers behind the dead switch: their requests are lost there.
    { id: "lb", kind: "load_balancer", replicas: ["srv-1-0", "srv-1-1", "srv-2-0", "srv-2-1"], policy: "round_robin" },
    // Cools the whole fabric (one zone); a short time constant so its failure shows within the run.
    {
      id: "crac",
      kind: "crac",
      zone: "zone-0",
      units: 1,
      unit_capacity_w: 3000,
      fan_w: 100,
      supply_temp_c: 18,
      cop: { model: "quadratic", a: 0.0068, b: 0.0008, c: 0.458 },
      inlet_rise_k_per_kw: 1,
      envelope_w_per_k: 100,
      time_constant: "2s",
    },
  ],
  links: [
    { a: "users", b: "spine-0", latency: "100us", bandwidth: "40Gbps" },
    { a: "lb", b: "leaf-0", latency: "5us", bandwidth: "25Gbps" },
  ],
  experiment: {
    faults: [
      { name: "tor-down", action: "actor-crash", selector: { actors: ["leaf-1"] }, at: "5s", duration: "10s" },
      { name: "crac-down", action: "cooling-failure", selector: { kinds: ["crac"] }, at: "24s" },
    ],
    load: [
      {
        name: "double",
        selector: { actors: ["users"] },
        at: "18s",
        ramp: { factor: 2, duration: "2s" },
        step: "250ms",
      },
    ],
    checks: [
      { name: "the crash drops requests", threshold: "dropped_packets{actor_down} count > 0", during: "tor-down" },
      {
        name: "no drops once the switch is back",
        threshold: "dropped_packets count == 0",
        after: "tor-down",
        delay: "1s",
        for: "2s",
      },
      { name: "as fast under double load", threshold: "response_time_s avg < 8ms", from: "21s", to: "30s" },
      { name: "cooling overhead under 50%", threshold: "pue avg < 1.5", from: "2s", to: "20s" },
    ],
  },
};

/** Mean sojourn of an E_k/M/1 queue whose arrivals are every k-th of a Poisson stream of rate `totalRate`. */
function erlangMOneSojournS(k: number, totalRate: number, mu: number): number {
  let s = 0.5;
  for (let i = 0; i < 10_000; i++) s = (totalRate / (totalRate + mu * (1 - s))) ** k;
  return 1 / (mu * (1 - s));
}

test("control - a ToR switch crashes for 10 s, load doubles, a CRAC fails: drops, idle servers, power, latency and inlet as expected", async () => {
  const { scenario: resolved, experiment } = loadScenarioText(stringify(scenario), "tor.yaml");
  const result = await runControlled({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "tor"),
    plan: experiment!.plan,
    keepIntervalRecords: true, // read below: per-actor energy by interval
  });
  assert.equal(result.outcome.status, "completed");
  const intervals = result.outcome.aggregator.intervals;
  const index = (id: string) => resolved.actors.findIndex((a) => a.id === id);

  // Drops at the dead switch, with its reason, only while it is down.
  const actorDown = (k: number) => intervals.get(k)?.drops.get("actor_down") ?? 0;
  for (let k = 5; k < 15; k++) assert.ok(actorDown(k) > 5, `interval ${k}: ${actorDown(k)} actor_down drops`);
  for (const k of [0, 1, 2, 3, 4, 16, 17, 20, 25, 29])
    assert.equal(intervals.get(k)?.drops.size ?? 0, 0, `no drop in interval ${k}`);

  // Servers behind the dead switch get nothing: idle power, exactly, once the requests they held are served.
  const joules = (id: string, k: number) =>
    [...(intervals.get(k)?.energy.get(index(id))?.values() ?? [])].reduce((s, j) => s + j, 0);
  for (const id of ["srv-1-0", "srv-1-1"]) {
    for (let k = 6; k < 15; k++)
      assert.ok(Math.abs(joules(id, k) - IDLE_W) < 1e-9, `${id} in interval ${k}: ${joules(id, k)} J`);
    assert.ok(joules(id, 3) > IDLE_W + 1, `${id} works before the crash (${joules(id, 3)} J)`);
    assert.ok(joules(id, 17) > IDLE_W + 1, `${id} works again after it (${joules(id, 17)} J)`);
  }
  // The other rack does not notice: about 60 requests/s × 5 ms busy = 30% load, before and during.
  for (const k of [3, 10]) {
    const u = (joules("srv-2-0", k) - IDLE_W) / (MAX_W - IDLE_W);
    assert.ok(u > 0.2 && u < 0.4, `srv-2-0 utilisation ${u} in interval ${k}`);
  }

  // Double load: more power, slower responses.
  const totalJ = (from: number, to: number) => {
    let sum = 0;
    for (let k = from; k < to; k++)
      for (const [actor, components] of intervals.get(k)?.energy ?? [])
        if (actor !== index("crac")) for (const j of components.values()) sum += j;
    return sum / (to - from);
  };
  const meanResponse = (from: number, to: number) => {
    let sum = 0;
    let count = 0;
    for (let k = from; k < to; k++) {
      const m = intervals.get(k)?.metrics;
      for (const acc of m?.values() ?? []) if (acc.name === "response_time_ns") (sum += acc.sum), (count += acc.count);
    }
    return sum / count / 1e9;
  };
  // Each server's utilisation rises by 0.3: 4 × 0.3 × (max − idle) more IT watts.
  const extraW = totalJ(21, 30) - totalJ(0, 5);
  assert.ok(
    Math.abs(extraW - 4 * 0.3 * (MAX_W - IDLE_W)) < 0.15 * 4 * 0.3 * (MAX_W - IDLE_W),
    `mean power ${totalJ(0, 5)} W, then ${totalJ(21, 30)} W`,
  );
  // Round robin thins the Poisson stream into Erlang-4 gaps: each server is an E4/M/1 queue. Its mean sojourn
  // 1/(μ(1 − s)), s = (kλ/(kλ + μ(1 − s)))^k, plus about 0.3 ms of links, within 20% (a few thousand correlated
  // responses per stretch).
  const before = meanResponse(0, 5);
  const doubled = meanResponse(21, 30);
  for (const [observed, totalRate] of [
    [before, 240],
    [doubled, 480],
  ] as const) {
    const expected = erlangMOneSojournS(4, totalRate, 200) + 0.3e-3;
    assert.ok(
      Math.abs(observed - expected) < 0.2 * expected,
      `response time at ${totalRate}/s: ${observed} s vs E4/M/1 ${expected} s`,
    );
  }
  assert.ok(doubled > 1.3 * before, `double load slows responses: ${before} s, then ${doubled} s`);

  const verdicts = Object.fromEntries(result.experiment.checks.map((c) => [c.name, c.passed]));
  assert.deepEqual(verdicts, {
    "the crash drops requests": true,
    "no drops once the switch is back": true,
    "as fast under double load": false,
    "cooling overhead under 50%": true,
  });
  // The window's PUE is its facility energy over its IT energy (no distribution losses here), not a mean of ratios.
  let itJ = 0;
  let facilityJ = 0;
  for (let k = 2; k < 20; k++) {
    for (const [actor, components] of intervals.get(k)!.energy) {
      for (const j of components.values()) {
        facilityJ += j;
        if (actor !== index("crac")) itJ += j;
      }
    }
  }
  const pue = result.experiment.checks.find((c) => c.name === "cooling overhead under 50%")!.observed!;
  assert.ok(Math.abs(pue - facilityJ / itJ) < 1e-12 && pue > 1.05, `PUE ${pue} vs ${facilityJ / itJ}`);
  // The CRAC fails at 24 s: its cooling and fan power drop to zero, and the zone's inlet heats up.
  const cracJ = (k: number) => joules("crac", k);
  for (let k = 2; k < 24; k++) assert.ok(cracJ(k) > 100, `the CRAC cools in interval ${k} (${cracJ(k)} J)`);
  for (let k = 24; k < 30; k++) assert.equal(cracJ(k), 0, `the failed CRAC draws nothing in interval ${k}`);
  const inletC = (k: number) => (intervals.get(k)?.counters.get(index("crac"))?.get("inlet_mk") ?? NaN) / 1000 - 273.15;
  assert.ok(inletC(29) > inletC(23) + 5, `inlet ${inletC(23)} °C before the failure, ${inletC(29)} °C after`);
  assert.ok(result.summary.thermodynamics.heat.cooling_energy_j > 0 && result.summary.thermodynamics.heat.pue !== null);

  const p = result.summary.packets;
  assert.equal(p.injected, p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end);
});
