/**
 * The cooling-failure and power-cap faults (nodes/models/crac.ts, coordinator/driver/cooling.ts):
 * - a failed CRAC lets the inlet rise, servers above their inlet limit throttle (response times grow, a DVFS
 *   server's power falls), and the repair brings both back;
 * - a power cap keeps a server's draw under the cap while it holds (DVFS: a slower P-state; others: the
 *   throttled point), reports caps it cannot meet, and lifts when cleared;
 * - a run with cooling is byte-identical on 1 and 3 hosts (in-process and NATS).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runControlled } from "../coordinator/session.ts";
import { metricKey, type IntervalRecord } from "../coordinator/counts/aggregate.ts";
import { intervalJoules, loadCooling, loadedZone, reading } from "./support/cooling.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-cooling-faults-");
after(() => dir.remove());

/** Runs a scenario document with its experiment (in process on 1 host unless told) and requires it to complete. */
async function runExperiment(doc: unknown, outDir: string, hosts = 1, transport: "inproc" | "nats" = "inproc") {
  const { scenario, experiment } = loadCooling(doc);
  assert.ok(experiment !== undefined, "the document plans an experiment");
  // The tests read per-actor energy by interval: every record is kept.
  const result = await runControlled({
    scenario,
    hosts,
    transport,
    outDir,
    plan: experiment.plan,
    keepIntervalRecords: true,
  });
  assert.equal(result.outcome.status, "completed");
  return { scenario, result };
}

test("cooling - a CRAC failure (experiment): inlet rises, servers throttle, response times grow and DVFS power falls; the repair undoes it", async () => {
  const experiment = {
    faults: [
      { name: "crac-down", action: "cooling-failure", selector: { kinds: ["crac"] }, at: "15s", duration: "25s" },
    ],
    checks: [{ name: "throttles while down", threshold: "thermal_throttles count > 0", during: "crac-down" }],
  };
  const { scenario, result } = await runExperiment(loadedZone(70, experiment), join(dir.path, "fail"));
  const checks = JSON.parse(readFileSync(join(dir.path, "fail", "experiment.json"), "utf8")).checks as {
    name: string;
    passed: boolean;
  }[];
  for (const c of checks) assert.equal(c.passed, true, `check ${c.name}`);

  const intervals = result.outcome.aggregator.intervals;
  const index = (id: string) => scenario.actors.findIndex((a) => a.id === id);
  const crac = index("crac-1");
  const servers = ["s1", "s2", "s3", "s4"].map(index);
  const mean = (from: number, to: number, f: (r: IntervalRecord | undefined) => number) => {
    let s = 0;
    for (let k = from; k < to; k++) s += f(intervals.get(k));
    return s / (to - from);
  };
  const itPower = (r: IntervalRecord | undefined) => servers.reduce((s, a) => s + intervalJoules(r, a), 0);
  const responseMs = (r: IntervalRecord | undefined) => {
    const m = r?.metrics.get(metricKey("response_time_ns", "client"));
    return m === undefined || m.count === 0 ? 0 : m.sum / m.count / 1e6;
  };

  for (let k = 0; k < 16; k++)
    assert.equal(
      intervals.get(k)?.metrics.get(metricKey("thermal_throttles", "server")),
      undefined,
      `no throttling in interval ${k}`,
    );
  // Before: ~530 W of IT heat (4 × (120 + 130 · 0.1)); from t = 2 s the inlet heads for 18 + 0.53 K with τ = 10 s.
  const before = { it: mean(8, 15, itPower), rt: mean(8, 15, responseMs), inlet: reading(intervals.get(14), crac)! };
  const expectedBefore = 18 + (before.it / 1000) * (1 - Math.exp(-(14 - 2) / 10));
  assert.ok(
    Math.abs(before.inlet - expectedBefore) < 0.02,
    `inlet before the failure: ${before.inlet} °C, expected ${expectedBefore} °C`,
  );
  assert.ok(mean(8, 15, (r) => intervalJoules(r, crac, "cooling")) > 100, "the CRAC removes heat before the failure");
  // During: no cooling power, the inlet climbs well past 27 °C (steady ≈ 18 + 0.5 + 500/40 ≈ 31 °C).
  assert.ok(mean(16, 40, (r) => intervalJoules(r, crac)) === 0, "a failed CRAC draws nothing");
  const hottest = Math.max(...Array.from({ length: 25 }, (_, i) => reading(intervals.get(15 + i), crac) ?? 0));
  assert.ok(hottest > 28, `hottest reading while failed: ${hottest} °C`);
  const during = { it: mean(32, 40, itPower), rt: mean(32, 40, responseMs) };
  assert.ok(during.rt > 1.5 * before.rt, `response time grows when throttled: ${before.rt} -> ${during.rt} ms`);
  assert.ok(
    during.it < 0.9 * before.it,
    `DVFS servers at their slowest P-state draw less: ${before.it} -> ${during.it} W`,
  );
  // After the repair (40 s) the inlet falls back under 26 °C and the servers run at full speed again.
  const after_ = { it: mean(62, 70, itPower), rt: mean(62, 70, responseMs), inlet: reading(intervals.get(69), crac)! };
  assert.ok(after_.inlet < 20, `inlet after the repair: ${after_.inlet} °C`);
  assert.ok(
    after_.rt < 1.2 * before.rt && Math.abs(after_.it - before.it) < 0.1 * before.it,
    `recovered: ${JSON.stringify(after_)} vs ${JSON.stringify(before)}`,
  );
});

test("cooling - power cap (experiment): draw stays under the cap while it holds, unmet caps are reported, clearing lifts it", async () => {
  const doc = {
    name: "cap",
    run: { duration: "12s", seed: 2, metrics_interval: "100ms" },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "lb",
        arrivals: { process: "poisson", rate_per_s: 3000 },
        request_bytes: 400,
        response_bytes: 1000,
      },
      { id: "lb", kind: "load_balancer", replicas: ["dvfs", "plain"], policy: "round_robin" },
      // 1500/s × 2 ms on 8 cores: utilisation 0.375 at 3 GHz (170 W), 0.70 at 1.6 GHz.
      {
        id: "dvfs",
        kind: "server",
        cores: 8,
        service: { distribution: "exponential", mean: "2ms" },
        power: {
          model: "pstate",
          states: [
            { freq_ghz: 3.0, idle_w: 110, max_w: 260 },
            { freq_ghz: 2.4, idle_w: 95, max_w: 190 },
            { freq_ghz: 1.6, idle_w: 80, max_w: 135 },
          ],
        },
      },
      // Full speed max 300 W, throttled max 100 + 200·0.5 = 200 W.
      {
        id: "plain",
        kind: "server",
        cores: 8,
        service: { distribution: "exponential", mean: "2ms" },
        power: { model: "linear", idle_w: 100, max_w: 300 },
      },
    ],
    links: [
      { a: "users", b: "lb", latency: "50us", bandwidth: "10Gbps" },
      { a: "lb", b: "dvfs", latency: "20us", bandwidth: "10Gbps" },
      { a: "lb", b: "plain", latency: "20us", bandwidth: "10Gbps" },
    ],
    experiment: {
      faults: [
        {
          name: "cap-dvfs",
          action: "power-cap",
          selector: { actors: ["dvfs"] },
          args: { watts: 150 },
          at: "3s",
          duration: "6s",
        },
        {
          name: "cap-plain",
          action: "power-cap",
          selector: { actors: ["plain"] },
          args: { watts: 220 },
          at: "3s",
          duration: "6s",
        },
        { name: "impossible", action: "power-cap", selector: { actors: ["plain"] }, args: { watts: 50 }, at: "10s" },
      ],
    },
  };
  const { scenario, result } = await runExperiment(doc, join(dir.path, "cap"));
  const intervals = result.outcome.aggregator.intervals;
  const index = (id: string) => scenario.actors.findIndex((a) => a.id === id);
  const watts = (id: string, k: number) => intervalJoules(intervals.get(k), index(id)) / 0.1;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  // Uncapped, the DVFS server's mean draw is ~170 W: above its cap in most intervals.
  assert.ok(
    range(5, 30).filter((k) => watts("dvfs", k) > 150).length > 15,
    "uncapped, the DVFS server draws more than the cap",
  );
  // Capped (3 s .. 9 s): every 100 ms interval under the cap (1.6 GHz: at most 135 W; plain throttled: at most 200 W).
  for (const k of range(30, 90)) {
    assert.ok(watts("dvfs", k) <= 135 + 1e-9, `dvfs at ${k / 10} s: ${watts("dvfs", k)} W`);
    assert.ok(watts("plain", k) <= 200 + 1e-9, `plain at ${k / 10} s: ${watts("plain", k)} W`);
  }
  // Slower: queueing grows on the capped servers.
  const busy = (from: number, to: number) => {
    let sum = 0;
    let count = 0;
    for (const k of range(from, to)) {
      const m = intervals.get(k)?.metrics.get(metricKey("busy_core_ns", "server"));
      sum += m?.sum ?? 0;
      count += m?.count ?? 0;
    }
    return sum / count;
  };
  assert.ok(
    busy(35, 90) > 1.5 * busy(5, 30),
    `service takes longer under the cap: ${busy(5, 30)} -> ${busy(35, 90)} ns`,
  );
  // Cleared at 9 s: the DVFS server is back at 3 GHz (above 150 W again in most intervals).
  assert.ok(range(92, 100).filter((k) => watts("dvfs", k) > 150).length >= 5, "the cap lifts when cleared");
  // 50 W cannot be met (idle alone is 100 W): reported, and the server runs at its throttled point.
  const unmet = result.summary.metrics.power_cap_unmet?.server?.count ?? 0;
  assert.equal(unmet, 1);
});

test("cooling - determinism: a cooling scenario with a CRAC failure gives identical summary.json on 1 and 3 hosts, in-process and over NATS", async () => {
  process.env.PATH = `${process.env.PATH}:/usr/sbin`;
  // 1 ms links: a thousand windows per simulated second at most, so the NATS run stays short.
  const experiment = {
    faults: [
      {
        name: "crac-down",
        action: "cooling-failure",
        selector: { kinds: ["crac"] },
        args: { units: 2 },
        at: "3s",
        duration: "20s",
      },
    ],
  };
  const doc = loadedZone(26, experiment, { ratePerS: 400, latency: "1ms" });
  const texts: string[] = [];
  for (const [hosts, transport] of [
    [1, "inproc"],
    [3, "inproc"],
    [3, "nats"],
  ] as const) {
    const outDir = join(dir.path, `det-${hosts}-${transport}`);
    await runExperiment(doc, outDir, hosts, transport);
    texts.push(readFileSync(join(outDir, "summary.json"), "utf8"));
  }
  const summary = JSON.parse(texts[0]!);
  assert.ok(
    summary.thermodynamics.heat.cooling_energy_j > 0 && (summary.metrics.thermal_throttles?.server?.count ?? 0) > 0,
    "cooling and throttling happened",
  );
  assert.ok(texts[1] === texts[0], "3 in-process hosts differ from 1");
  assert.ok(texts[2] === texts[0], "3 NATS hosts differ from 1 in-process host");
});
