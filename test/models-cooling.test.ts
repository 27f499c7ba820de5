/**
 * Cooling (nodes/models/crac.ts, coordinator/driver/cooling.ts) and the cooling-failure and power-cap faults:
 * - at constant IT load the CRAC draws heat/COP(T_supply) + fans exactly, and the zone's inlet temperature
 *   follows T∞ + (T0 − T∞)·exp(−t/τ) from the moment the heat reaches it (two metrics intervals late);
 * - PUE is (IT + cooling + distribution losses) / IT from integrated energies, per interval and for the run, and
 *   it is not the mean of the interval ratios;
 * - a failed CRAC lets the inlet rise, servers above their inlet limit throttle (response times grow, a DVFS
 *   server's power falls), and the repair brings both back;
 * - a power cap keeps a server's draw under the cap while it holds (DVFS: a slower P-state; others: the
 *   throttled point), reports caps it cannot meet, and lifts when cleared;
 * - a run with cooling is byte-identical on 1 and 3 hosts (in-process and NATS);
 * - scenario and experiment errors name their field paths.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { runControlled } from "../coordinator/session.ts";
import { metricKey, type IntervalRecord } from "../coordinator/counts/aggregate.ts";
import { thermoCsv } from "../coordinator/ledgers/series.ts";
import { copAt, HP_LABS_COP } from "../nodes/models/crac.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { loadScenarioFile, loadScenarioText } from "../coordinator/scenario-loader.ts";
import { tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";

const dir = tempDir("dctwin-cooling-");
after(() => dir.remove());

const KELVIN = 273.15;

/** Two idle servers (constant power, no traffic) in zone z1 and one CRAC cooling it. */
function idleZone(o: { durationS: number; distributionLoss?: number; crac?: Record<string, unknown> }) {
  return {
    name: "idle-zone",
    run: { duration: `${o.durationS}s`, seed: 1, metrics_interval: "1s", distribution_loss: o.distributionLoss ?? 0 },
    actors: [
      {
        id: "srv-a",
        kind: "server",
        labels: { zone: "z1" },
        service: { distribution: "exponential", mean: "1ms" },
        power: { model: "linear", idle_w: 250, max_w: 400 },
      },
      {
        id: "srv-b",
        kind: "server",
        labels: { zone: "z1" },
        service: { distribution: "exponential", mean: "1ms" },
        power: { model: "linear", idle_w: 150, max_w: 300 },
      },
      {
        id: "crac-1",
        kind: "crac",
        zone: "z1",
        unit_capacity_w: 2000,
        fan_w: 40,
        supply_temp_c: 20,
        inlet_rise_k_per_kw: 2,
        envelope_w_per_k: 50,
        time_constant: "20s",
        ...o.crac,
      },
    ],
  };
}

/** The CRAC's inlet reading taken at the start of interval j (°C), from its `inlet_mk` counter. */
function reading(record: IntervalRecord | undefined, crac: number): number | undefined {
  const mk = record?.counters.get(crac)?.get("inlet_mk");
  return mk === undefined ? undefined : mk / 1000 - KELVIN;
}

function intervalJoules(record: IntervalRecord | undefined, actor: number, component?: string): number {
  const byComponent = record?.energy.get(actor) ?? new Map<string, number>();
  return component === undefined
    ? [...byComponent.values()].reduce((s, j) => s + j, 0)
    : (byComponent.get(component) ?? 0);
}

function csvRows(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split("\n");
  const keys = header!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [keys[i]!, v])));
}

test("cooling - constant IT load: cooling power = heat/COP(T_supply) + fans, inlet follows the first-order lag to its predicted steady value", async () => {
  const result = await runScenario(idleZone({ durationS: 120 }), dir.path);
  const crac = result.resolved.actors.findIndex((a) => a.id === "crac-1");
  const heatW = 250 + 150;
  const cop = copAt(HP_LABS_COP, 20);
  assert.ok(Math.abs(cop - (0.0068 * 400 + 0.0008 * 20 + 0.458)) < 1e-12);
  const intervals = result.outcome.aggregator.intervals;

  // Heat produced in interval k reaches the CRAC at the start of interval k + 2: before that it removes nothing.
  for (const k of [0, 1])
    assert.ok(Math.abs(intervalJoules(intervals.get(k), crac, "cooling")) < 1e-9, `no heat removed in interval ${k}`);
  for (let k = 2; k < 120; k++) {
    const cooling = intervalJoules(intervals.get(k), crac, "cooling");
    assert.ok(
      Math.abs(cooling - heatW / cop) < 1e-9 * heatW,
      `interval ${k}: cooling ${cooling} J, expected ${heatW / cop} J`,
    );
    assert.ok(Math.abs(intervalJoules(intervals.get(k), crac, "fans") - 40) < 1e-9, `interval ${k}: fans draw 40 W`);
  }
  assert.ok(
    Math.abs(result.joules("crac-1") - (40 * 120 + (heatW / cop) * 118)) < 1e-6,
    `run cooling energy ${result.joules("crac-1")}`,
  );

  // Inlet: T0 = supply = 20 °C until t = 2 s, then T∞ = 20 + 2 K/kW · 0.4 kW = 20.8 °C with τ = 20 s.
  const steady = 20 + 2 * (heatW / 1000);
  const predicted = (tS: number) => (tS <= 2 ? 20 : steady + (20 - steady) * Math.exp(-(tS - 2) / 20));
  for (const j of [0, 2, 12, 22, 42, 119]) {
    const observed = reading(intervals.get(j), crac);
    assert.ok(observed !== undefined, `a reading in interval ${j}`);
    assert.ok(
      Math.abs(observed - predicted(j)) <= 0.0006,
      `inlet at ${j} s: ${observed} °C, predicted ${predicted(j)} °C`,
    );
  }
  // One time constant after the heat arrived, the gap to the steady value has shrunk to 1/e.
  const atTau = reading(intervals.get(22), crac)!;
  assert.ok(
    Math.abs((steady - atTau) / (steady - 20) - Math.exp(-1)) < 0.002,
    `gap ratio at τ: ${(steady - atTau) / (steady - 20)}`,
  );
  assert.ok(
    Math.abs(reading(intervals.get(119), crac)! - steady) < 0.003 * (steady - 20) + 0.0006,
    "steady after ~6 τ (e^-5.85 of the gap left)",
  );
});

test("cooling - PUE is (IT + cooling + distribution losses) / IT from integrated energies, per interval and for the run", async () => {
  // Half the IT load goes away at 40 s (srv-a off) and the supply temperature rises to 24 °C at 70 s, so the
  // interval ratios differ and their mean is not the run's PUE.
  const scenario = idleZone({ durationS: 100, distributionLoss: 0.05 });
  const resolvedIndex = (id: string) => scenario.actors.findIndex((a) => a.id === id);
  const result = await runScenario(scenario, dir.path, {
    schedule: [
      actorCommand(resolvedIndex("srv-a"), 40e9, "power_off"),
      actorCommand(resolvedIndex("crac-1"), 70e9, "set_supply_temp", { celsius: 24 }),
    ],
  });
  const heat = result.summary.thermodynamics.heat;
  const it = result.joules("srv-a") + result.joules("srv-b");
  const cooling = result.joules("crac-1");
  assert.ok(Math.abs(heat.it_energy_j - it) < 1e-6 && Math.abs(heat.cooling_energy_j - cooling) < 1e-6);
  assert.ok(Math.abs(it - (250 * 40 + 150 * 100)) < 1e-6, `IT energy ${it}`);
  // The supply change shows in the cooling power: COP(24 °C) from interval 70 on, heat 150 W by then.
  const crac = resolvedIndex("crac-1");
  const late = intervalJoules(result.outcome.aggregator.intervals.get(80), crac, "cooling");
  assert.ok(Math.abs(late - 150 / copAt(HP_LABS_COP, 24)) < 1e-9, `cooling at 24 °C supply: ${late} J`);

  const loss = 0.05 * (it + cooling);
  assert.ok(Math.abs(heat.distribution_loss_j - loss) < 1e-6);
  assert.ok(Math.abs(heat.facility_energy_j - (it + cooling + loss)) < 1e-6);
  assert.ok(heat.pue !== null && Math.abs(heat.pue - (it + cooling + loss) / it) < 1e-12, `run PUE ${heat.pue}`);

  const rows = csvRows(thermoCsv(result.ledgers.series(result.outcome.aggregator, result.outcome.simTimeNs)));
  assert.equal(rows.length, 100);
  let itSum = 0;
  let facilitySum = 0;
  let ratioSum = 0;
  for (const r of rows) {
    const [i, c, l, pue] = [
      Number(r.it_energy_j),
      Number(r.cooling_energy_j),
      Number(r.distribution_loss_j),
      Number(r.pue),
    ];
    assert.ok(
      Math.abs(l - 0.05 * (i + c)) < 1e-9 && Math.abs(pue - (i + c + l) / i) < 1e-12,
      `row at ${r.t_start_s} s`,
    );
    itSum += i;
    facilitySum += i + c + l;
    ratioSum += pue;
  }
  assert.ok(
    Math.abs(facilitySum / itSum - heat.pue) < 1e-9,
    "the run's PUE is the ratio of the summed interval energies",
  );
  const meanOfRatios = ratioSum / rows.length;
  assert.ok(
    Math.abs(meanOfRatios - heat.pue) > 0.01,
    `the mean of interval PUEs (${meanOfRatios}) is not the run's PUE (${heat.pue})`,
  );
});

/** A client loading four DVFS servers in zone z1 (inlet limit 27 °C) behind a load balancer, and the zone's CRAC. */
function loadedZone(durationS: number, experiment?: unknown, o: { ratePerS?: number; latency?: string } = {}) {
  const servers = ["s1", "s2", "s3", "s4"];
  return {
    name: "loaded-zone",
    run: { duration: `${durationS}s`, seed: 5, metrics_interval: "1s" },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "lb",
        arrivals: { process: "poisson", rate_per_s: o.ratePerS ?? 1600 },
        request_bytes: 400,
        response_bytes: 2000,
      },
      { id: "lb", kind: "load_balancer", replicas: servers, policy: "round_robin" },
      ...servers.map((id) => ({
        id,
        kind: "server",
        labels: { zone: "z1" },
        cores: 4,
        service: { distribution: "exponential", mean: "1ms" },
        inlet_limit_c: 27,
        power: {
          model: "pstate",
          states: [
            { freq_ghz: 3.0, idle_w: 120, max_w: 250 },
            { freq_ghz: 1.5, idle_w: 80, max_w: 140 },
          ],
        },
      })),
      {
        id: "crac-1",
        kind: "crac",
        zone: "z1",
        units: 2,
        unit_capacity_w: 600,
        fan_w: 30,
        supply_temp_c: 18,
        inlet_rise_k_per_kw: 1,
        envelope_w_per_k: 40,
        time_constant: "10s",
      },
    ],
    links: [
      { a: "users", b: "lb", latency: o.latency ?? "50us", bandwidth: "10Gbps" },
      ...servers.map((id) => ({ a: "lb", b: id, latency: o.latency ?? "20us", bandwidth: "10Gbps" })),
    ],
    ...(experiment === undefined ? {} : { experiment }),
  };
}

function load(doc: unknown) {
  return loadScenarioText(stringify(doc), "cooling.yaml");
}

test("cooling - a CRAC failure (experiment): inlet rises, servers throttle, response times grow and DVFS power falls; the repair undoes it", async () => {
  const experiment = {
    faults: [
      { name: "crac-down", action: "cooling-failure", selector: { kinds: ["crac"] }, at: "15s", duration: "25s" },
    ],
    checks: [{ name: "throttles while down", threshold: "thermal_throttles count > 0", during: "crac-down" }],
  };
  const { scenario, experiment: planned } = load(loadedZone(70, experiment));
  assert.ok(planned !== undefined);
  const result = await runControlled({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "fail"),
    plan: planned.plan,
  });
  assert.equal(result.outcome.status, "completed");
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
  const { scenario, experiment: planned } = load(doc);
  const result = await runControlled({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "cap"),
    plan: planned!.plan,
  });
  assert.equal(result.outcome.status, "completed");
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
  const { scenario, experiment: planned } = load(loadedZone(26, experiment, { ratePerS: 400, latency: "1ms" }));
  const texts: string[] = [];
  for (const [hosts, transport] of [
    [1, "inproc"],
    [3, "inproc"],
    [3, "nats"],
  ] as const) {
    const outDir = join(dir.path, `det-${hosts}-${transport}`);
    const result = await runControlled({ scenario, hosts, transport, outDir, plan: planned!.plan });
    assert.equal(result.outcome.status, "completed");
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

test("cooling - errors name their field paths; cooling-failure and power-cap are accepted faults", () => {
  const bad = idleZone({
    durationS: 10,
    crac: { unit_capacity_w: -5, cop: { model: "quadratic", a: 0, b: 0, c: -1 }, supply_temp_c: "cold" },
  });
  const issues = (() => {
    try {
      load(bad);
    } catch (error) {
      assert.ok(error instanceof ScenarioError);
      return error.issues.map((i) => i.path);
    }
    return [];
  })();
  assert.ok(
    issues.includes("actors[2].unit_capacity_w") && issues.includes("actors[2].supply_temp_c"),
    JSON.stringify(issues),
  );
  assert.throws(
    () => load(idleZone({ durationS: 10, crac: { cop: { model: "quadratic", a: 0, b: 0, c: -1 } } })),
    (e: ScenarioError) => e.issues.some((i) => i.path === "actors[2].cop"),
  );
  assert.throws(
    () => load({ ...idleZone({ durationS: 10 }), run: { duration: "10s", distribution_loss: 2 } }),
    (e: ScenarioError) => e.issues.some((i) => i.path === "run.distribution_loss"),
  );
  assert.throws(
    () =>
      load({
        ...idleZone({ durationS: 10 }),
        actors: [
          { ...idleZone({ durationS: 10 }).actors[0], inlet_limit_c: "hot" },
          ...idleZone({ durationS: 10 }).actors.slice(1),
        ],
      }),
    (e: ScenarioError) => e.issues.some((i) => i.path === "actors[0].inlet_limit_c"),
  );
  // power-cap needs its watts; cooling-failure only finds CRACs.
  assert.throws(
    () =>
      load({
        ...idleZone({ durationS: 10 }),
        experiment: { faults: [{ action: "power-cap", selector: { kinds: ["server"] }, at: "1s" }] },
      }),
    (e: ScenarioError) => e.issues.some((i) => i.path === "experiment.faults[0].args.watts"),
  );
  assert.throws(
    () =>
      load({
        ...idleZone({ durationS: 10 }),
        experiment: { faults: [{ action: "cooling-failure", selector: { kinds: ["server"] }, at: "1s" }] },
      }),
    (e: ScenarioError) => e.issues.some((i) => i.path === "experiment.faults[0].command"),
  );
  const ok = load({
    ...idleZone({ durationS: 10 }),
    experiment: {
      faults: [
        { action: "cooling-failure", selector: { labels: {} }, at: "1s", duration: "2s" },
        { action: "power-cap", selector: { kinds: ["server"] }, args: { watts: 300 }, at: "1s" },
      ],
    },
  });
  assert.ok(ok.experiment !== undefined);
  // The example scenario loads, with both faults planned.
  const example = loadScenarioFile(new URL("../examples/cooling-zone.yaml", import.meta.url).pathname);
  assert.deepEqual([...(example.experiment?.plan.effects.keys() ?? [])].length, 2);
  assert.ok(example.scenario.actors.some((a) => a.kind === "crac") && example.scenario.run.distributionLoss === 0.06);
});
