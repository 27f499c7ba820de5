/**
 * Energy states a real host has, against integrals computed by hand in the style of SimGrid's energy examples
 * (examples/cpp/energy-exec): a host idles, computes at a lower P-state with an epsilon level, shuts down and
 * stays off at standby power; a failed host still draws; the OpenDC power curves are the exact functions.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { curveWatts, powerCurve } from "../nodes/models/power-curves.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

function close(actual: number, expected: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} J, expected ${expected} J`,
  );
}

test("energy states - idle at P0, one of two cores busy at P1 (epsilon level), shutdown phase, then standby", async () => {
  const power = {
    model: "pstate",
    states: [
      { freq_ghz: 2, idle_w: 100, max_w: 200 },
      { freq_ghz: 1, idle_w: 90, epsilon_w: 95, max_w: 130 },
    ],
  };
  const actors = [
    {
      id: "host",
      kind: "server",
      cores: 2,
      service: { distribution: "deterministic", value: "1s" },
      power,
      standby_w: 5,
      shutdown: { time: "1s", power_w: 50 },
    },
    // One request at t = 1 s, arriving 100 µs later; at P1 (half speed) its 1 s of work takes 2 s.
    {
      id: "job",
      kind: "client",
      target: "host",
      arrivals: { process: "trace", rows: [{ at: "1s" }] },
      request_bytes: 100,
      response_bytes: 100,
    },
  ];
  const schedule = [actorCommand(0, 1e9, "set_pstate", { index: 1 }), actorCommand(0, 5e9, "power_off")];
  const { joules, summary } = await runScenario(
    {
      name: "energy",
      run: { duration: "10s", metrics_interval: "1s" },
      actors,
      links: [{ a: "job", b: "host", latency: "100us" }],
    },
    dir.path,
    { schedule },
  );
  assert.equal(summary.metrics.response_time_s?.client?.count, 1, "the job finished before the shutdown");
  // 0–1 s idle at P0: 100 W. 1–5 s at P1: idle 90 W except 1.0001–3.0001 s with one of two cores busy:
  // u = ½ above the epsilon level, 95 + (130 − 95)·½ = 112.5 W. 5–6 s shutting down at 50 W. 6–10 s off at 5 W.
  const cpu = 100 * 1 + 90 * (4 - 2) + 112.5 * 2;
  close(joules("host", "cpu"), cpu, "CPU");
  close(joules("host", "shutdown"), 50 * 1, "shutdown");
  close(joules("host", "standby"), 5 * 4, "standby");
  close(joules("host"), cpu + 50 + 20, "total");
});

test("energy states - a failed host draws failed_w; power_off during a shutdown is ignored, requests are refused", async () => {
  const linear = { model: "linear", idle_w: 100, max_w: 300 };
  const actors = [
    {
      id: "hung",
      kind: "server",
      cores: 1,
      service: { distribution: "deterministic", value: "1s" },
      power: linear,
      failed_w: 40,
      standby_w: 3,
    },
    {
      id: "slow-off",
      kind: "server",
      cores: 1,
      service: { distribution: "deterministic", value: "1s" },
      power: linear,
      shutdown: { time: "2s", power_w: 60 },
    },
    {
      id: "knock",
      kind: "client",
      target: "slow-off",
      arrivals: { process: "trace", rows: [{ at: "2.5s" }] },
      request_bytes: 100,
      response_bytes: 100,
    },
  ];
  const schedule = [actorCommand(0, 1e9, "fail"), actorCommand(1, 2e9, "power_off"), actorCommand(1, 3e9, "power_off")];
  const { joules, summary } = await runScenario(
    {
      name: "failed",
      run: { duration: "6s", metrics_interval: "1s" },
      actors,
      links: [{ a: "knock", b: "slow-off", latency: "100us" }],
    },
    dir.path,
    { schedule },
  );
  close(joules("hung", "cpu"), 100 * 1, "CPU until the failure");
  close(joules("hung", "standby"), 40 * 5, "failed draw");
  close(joules("slow-off", "cpu"), 100 * 2, "idle until power_off");
  close(joules("slow-off", "shutdown"), 60 * 2, "one shutdown of 2 s (the second power_off changes nothing)");
  assert.equal(summary.packets.dropped_by_reason.server_shutting_down, 1);
});

test("energy states - OpenDC power curves are the exact functions; epsilon jumps at zero load", () => {
  const idle = 100;
  const max = 250;
  const curve = (c: Record<string, unknown>) => powerCurve.parse({ idle_w: idle, max_w: max, ...c });
  for (const u of [0, 0.1, 0.25, 0.5, 0.9, 1]) {
    const d = max - idle;
    const expected: [Record<string, unknown>, number][] = [
      [{ model: "linear" }, idle + d * u],
      [{ model: "sqrt" }, idle + d * Math.sqrt(u)],
      [{ model: "square" }, idle + d * u * u],
      [{ model: "cubic" }, idle + d * u * u * u],
      [{ model: "mse", calibration: 1.4 }, idle + d * (2 * u - u ** 1.4)],
      [{ model: "asymptotic", asym_util: 0.3 }, idle + (d / 2) * (1 + u - Math.exp(-u / 0.3))],
      [{ model: "asymptotic", asym_util: 0.3, dvfs: true }, idle + (d / 2) * (1 + u ** 3 - Math.exp(-(u ** 3) / 0.3))],
      [{ model: "linear", epsilon_w: 120 }, u === 0 ? idle : 120 + (max - 120) * u],
    ];
    for (const [c, w] of expected)
      assert.ok(
        Math.abs(curveWatts(curve(c), u, 0) - w) <= 1e-12 * w,
        `${JSON.stringify(c)} at u = ${u}: ${curveWatts(curve(c), u, 0)} vs ${w}`,
      );
  }
  assert.throws(() => curve({ model: "asymptotic", asym_util: 0 }));
  assert.throws(() => curve({ model: "cubic", max_w: 50 }));
});

test("energy states - a 50 MB transfer through a switch spreads its per-bit energy over its serialization", async () => {
  const actors = [
    {
      id: "sender",
      kind: "client",
      target: "sink",
      arrivals: { process: "trace", rows: [{ at: "100ms" }] },
      request_bytes: "50MB",
      response_bytes: 100,
    },
    { id: "tor", kind: "switch", power: { chassis_w: 0, per_active_port_w: 0, energy_per_bit_j: 1e-9 } },
    { id: "sink", kind: "server", service: { distribution: "deterministic", value: "1ms" } },
  ];
  const links = [
    { a: "sender", b: "tor", latency: "100us", bandwidth: "1Gbps" },
    { a: "tor", b: "sink", latency: "100us", bandwidth: "1Gbps" },
  ];
  const { outcome, resolved, summary } = await runScenario(
    { name: "transfer", run: { duration: "2s", metrics_interval: "250ms" }, actors, links },
    dir.path,
  );
  assert.equal(summary.metrics.response_time_s?.client?.count, 1);
  const tor = resolved.actors.findIndex((a) => a.id === "tor");
  const perInterval = outcome.aggregator.intervalList(2e9).map((r) => r.energy.get(tor)?.get("ports_dynamic") ?? 0);
  // The request reaches the switch at 0.1 + 0.4 (serialization at 1 Gb/s) + 0.0001 s and leaves it over
  // [0.5001 s, 0.9001 s) at 1e-9 J/bit × 1e9 bit/s = 1 W. The 100-byte response (8e-7 J) crosses at ≈ 0.9013 s.
  const expected = [0, 0, 0.2499, 0.1501 + 8e-7, 0, 0, 0, 0];
  perInterval.forEach((j, i) =>
    assert.ok(Math.abs(j - expected[i]!) <= 1e-9, `interval ${i}: ${j} J, expected ${expected[i]} J`),
  );
});

test("energy states - link ports: idle at both ends, max_w while a 50 MB message is on the wire, per interval", async () => {
  const actors = [
    // Two 50 MB messages at 100 ms and 200 ms: the second waits for the wire, so it is busy over [0.1 s, 0.9 s).
    {
      id: "sender",
      kind: "client",
      target: "sink",
      arrivals: { process: "trace", rows: [{ at: "100ms" }, { at: "200ms" }] },
      request_bytes: "50MB",
      response_bytes: 100,
    },
    { id: "sink", kind: "server", service: { distribution: "deterministic", value: "1ms" } },
  ];
  const links = [{ a: "sender", b: "sink", latency: "100us", bandwidth: "1Gbps", power: { idle_w: 2, max_w: 7 } }];
  const { outcome, resolved, summary, joules } = await runScenario(
    { name: "nic", run: { duration: "2s", metrics_interval: "250ms" }, actors, links },
    dir.path,
  );
  assert.equal(summary.metrics.response_time_s?.client?.count, 2);
  const nic = (id: string) => {
    const index = resolved.actors.findIndex((a) => a.id === id);
    return outcome.aggregator.intervalList(2e9).map((r) => r.energy.get(index)?.get("nic") ?? 0);
  };
  // Each end idles at 2 W: 0.5 J per 250 ms. The sender adds 7 − 2 = 5 W over [0.1, 0.9): 0.15·5, 0.25·5, 0.25·5,
  // 0.15·5 J. The sink answers each message 1.1 ms after its last bit with 100 bytes: 800 ns at 5 W = 4e-6 J.
  const sender = [0.5 + 0.75, 0.5 + 1.25, 0.5 + 1.25, 0.5 + 0.75, 0.5, 0.5, 0.5, 0.5];
  const sink = [0.5, 0.5, 0.5 + 4e-6, 0.5 + 4e-6, 0.5, 0.5, 0.5, 0.5];
  nic("sender").forEach((j, i) => close(j, sender[i]!, `sender interval ${i}`));
  nic("sink").forEach((j, i) => close(j, sink[i]!, `sink interval ${i}`));
  close(joules("sender", "nic"), 2 * 2 + 5 * 0.8, "sender total");
  close(joules("sink", "nic"), 2 * 2 + 2 * 4e-6, "sink total");
  // Each end on its own host: the same joules to the bit (accrual points do not depend on placement).
  const split = await runScenario(
    { name: "nic", run: { duration: "2s", metrics_interval: "250ms" }, actors, links },
    dir.path,
    { hosts: 2 },
  );
  for (const id of ["sender", "sink"]) assert.equal(split.joules(id, "nic"), joules(id, "nic"), id);
});

test("energy states - a load-proportional link draw without bandwidth is refused with the field path", () => {
  const actors = [
    {
      id: "c",
      kind: "client",
      target: "s",
      arrivals: { process: "poisson", rate_per_s: 1 },
      request_bytes: 100,
      response_bytes: 100,
    },
    { id: "s", kind: "server", service: { distribution: "deterministic", value: "1ms" } },
  ];
  const scenario = (power: object) => ({
    name: "bad-nic",
    run: { duration: "1s" },
    actors,
    links: [{ a: "c", b: "s", latency: "1ms", power }],
  });
  assert.throws(
    () => validateScenario(scenario({ idle_w: 2, max_w: 5 }), "bad-nic"),
    (e: unknown) =>
      e instanceof ScenarioError &&
      e.issues.some((i) => i.path === "links[0].power.max_w" && /bandwidth/.test(i.message)),
  );
  assert.throws(
    () => validateScenario(scenario({ idle_w: 5, max_w: 2 }), "bad-nic"),
    (e: unknown) => e instanceof ScenarioError && e.issues.some((i) => i.path === "links[0].power.max_w"),
  );
  assert.doesNotThrow(() => validateScenario(scenario({ idle_w: 2 }), "bad-nic"));
});
