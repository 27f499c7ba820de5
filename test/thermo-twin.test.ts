/**
 * The thermodynamics ledgers on the twin itself (THERMO.md), not on hand-made counts:
 *  - request/response traffic is a packet current that returns the way it came: detailed balance holds on every
 *    link, and the χ² test must not tell it from equilibrium;
 *  - a ring all-reduce over direct links drives a one-way circulation around a cycle: σ > 0 well beyond its error,
 *    the χ² test rejects equilibrium, the cycle carries the chunk current, and the cycle sum matches the edge sum;
 *  - the heat ledger's energy is the integral of the power models, computed here from the scenario by hand.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { irreversibilityLedger } from "../coordinator/ledgers/irreversibility.ts";
import { tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const link = (a: string, b: string, bandwidth = "10Gbps") => ({ a, b, latency: "50us", bandwidth });

type Summary = Awaited<ReturnType<typeof runScenario>>["summary"];
type Estimate = Exclude<ReturnType<typeof irreversibilityLedger>, { note: string }>;

/** The irreversibility ledger of a run with an estimate (not the note a run too short for one gets). */
function irreversibility(summary: Summary): Estimate {
  const ir = summary.thermodynamics.irreversibility;
  assert.ok(!("note" in ir && typeof ir.note === "string"), `no estimate: ${JSON.stringify(ir)}`);
  return ir as Estimate;
}

function assertFiniteNonNegative(value: number, what: string): void {
  assert.ok(Number.isFinite(value) && value >= 0, `${what} = ${value}: expected a finite, non-negative number`);
}

test("thermo twin - request/response traffic is not distinguishable from equilibrium", async () => {
  for (const seed of [1, 2, 3]) {
    const { summary } = await runScenario(
      {
        name: "symmetric",
        run: { duration: "10s", seed, metrics_interval: "500ms", warmup: "500ms" },
        actors: [
          { id: "users", kind: "client", target: "web", arrivals: { process: "poisson", rate_per_s: 500 }, request_bytes: 400, response_bytes: 1500 },
          { id: "tor", kind: "switch" },
          { id: "web", kind: "server", cores: 2, service: { distribution: "exponential", mean: "2ms" } },
        ],
        links: [link("users", "tor"), link("tor", "web")],
      },
      dir.path,
    );
    const ir = irreversibility(summary);
    assert.ok(ir.links.length === 2 && ir.links.every((l: { packets_forward: number; packets_reverse: number }) => l.packets_forward > 3000 && l.packets_reverse > 3000), "both links carry traffic both ways");
    assertFiniteNonNegative(ir.sigma_kb_per_s, `seed ${seed}: σ`);
    assert.equal(ir.pairs_with_reverse_never_seen.length, 0);
    const db = ir.detailed_balance_test;
    assert.ok(db.dof >= 1, "the environment closes a cycle through client and server");
    assert.equal(db.equilibrium_rejected, false, `seed ${seed}: T·σ̂ = ${db.statistic_kb} k_B against 2·χ² threshold ${db.threshold_kb}`);
    assert.ok(db.p_value > 0.05, `seed ${seed}: p = ${db.p_value}`);
    // σ is zero within its error bars (a few standard errors; the estimate itself is biased upwards by O(1/T)).
    assert.ok(ir.sigma_kb_per_s < 4 * ir.sigma_stderr_jackknife_kb_per_s + 1e-3, `seed ${seed}: σ ${ir.sigma_kb_per_s} ± ${ir.sigma_stderr_jackknife_kb_per_s} k_B/s`);
  }
});

test("thermo twin - a ring all-reduce over direct links is a driven one-way circulation", async () => {
  const ring = ["w0", "w1", "w2"];
  const { summary } = await runScenario(
    {
      name: "driven-ring",
      run: { duration: "4s", seed: 7, metrics_interval: "250ms", warmup: "250ms" },
      actors: ring.map((id) => ({
        id,
        kind: "ml_training",
        ring,
        gpus: { count: 1, idle_w: 50, max_w: 300 },
        compute_time: { distribution: "exponential", mean: "5ms" },
        model_bytes: "3MB",
      })),
      links: [link("w0", "w1"), link("w1", "w2"), link("w2", "w0")],
    },
    dir.path,
  );
  const ir = irreversibility(summary);
  assertFiniteNonNegative(ir.sigma_kb_per_s, "σ");
  // Every link carries chunks one way only, in ring order.
  const oneWay = ir.pairs_with_reverse_never_seen.map((p: { from: string; to: string }) => `${p.from}->${p.to}`).sort();
  assert.deepEqual(oneWay, ["w0->w1", "w1->w2", "w2->w0"]);
  const chunks = ir.links.map((l: { packets_forward: number }) => l.packets_forward);
  assert.ok(Math.min(...chunks) > 500, `chunks per link: ${chunks}`);
  assert.ok(ir.sigma_kb_per_s > 10 * ir.sigma_stderr_jackknife_kb_per_s, `σ ${ir.sigma_kb_per_s} ± ${ir.sigma_stderr_jackknife_kb_per_s} k_B/s is significant`);
  const db = ir.detailed_balance_test;
  assert.equal(db.equilibrium_rejected, true);
  assert.ok(db.p_value < 1e-6, `p = ${db.p_value}`);
  // The ring is a cycle of the transition graph: it carries the chunk current with a positive affinity, and the
  // cycle decomposition gives back the edge sum (Kirchhoff holds up to the chunks in flight at the ends).
  const ringCycle = ir.cycles.top.find((c) => c.nodes.length === 3 && ring.every((w) => c.nodes.includes(w)));
  assert.ok(ringCycle !== undefined, `cycles: ${JSON.stringify(ir.cycles.top)}`);
  const chunkRate = ir.links[0]!.packets_forward / ir.duration_s;
  assert.ok(Math.abs(Math.abs(ringCycle.current_per_s) - chunkRate) < 0.01 * chunkRate, `cycle current ${ringCycle.current_per_s}/s vs ${chunkRate}/s`);
  assert.ok((ringCycle.sigma_kb_per_s ?? 0) > 0 && (ringCycle.affinity_kb ?? 0) * ringCycle.current_per_s > 0, "the ring's affinity drives its current");
  const relative = Math.abs(ir.cycles.sigma_from_cycles_kb_per_s - ir.sigma_kb_per_s) / ir.sigma_kb_per_s;
  assert.ok(relative < 0.01, `cycles ${ir.cycles.sigma_from_cycles_kb_per_s} vs edges ${ir.sigma_kb_per_s} k_B/s`);
});

test("thermo twin - the heat ledger's energy is the integral of the power models", async () => {
  const durationS = 10;
  const requests = 200;
  const serviceS = 0.01; // deterministic, one core, requests 40 ms apart: busy exactly requests × serviceS
  const requestBytes = 400;
  const responseBytes = 1500;
  const linear = { model: "linear", idle_w: 100, max_w: 300 };
  const specpower = { model: "specpower", points_w: [55, 70, 80, 90, 100, 110, 120, 135, 150, 170, 190] };
  const switchPower = { chassis_w: 150, per_active_port_w: 2, energy_per_bit_j: 1e-9 };
  const { summary, joules } = await runScenario(
    {
      name: "heat",
      run: { duration: `${durationS}s`, seed: 3, metrics_interval: "1s", warmup: 0 },
      actors: [
        { id: "replay", kind: "client", target: "busy", arrivals: { process: "trace", rows: Array.from({ length: requests }, (_, i) => ({ at: `${40 * i + 5}ms` })) }, request_bytes: requestBytes, response_bytes: responseBytes },
        { id: "tor", kind: "switch", power: switchPower },
        { id: "busy", kind: "server", service: { distribution: "deterministic", value: `${serviceS * 1000}ms` }, power: linear },
        { id: "idle", kind: "server", service: { distribution: "deterministic", value: "1ms" }, power: specpower },
        { id: "off", kind: "server", service: { distribution: "deterministic", value: "1ms" }, power: linear, initial_state: "off" },
      ],
      links: [link("replay", "tor"), link("tor", "busy"), link("tor", "idle"), link("tor", "off")],
    },
    dir.path,
  );
  assert.equal(summary.metrics.response_time_s?.client?.count, requests, "every request was answered within the run");
  const expected = {
    busy: linear.idle_w * durationS + (linear.max_w - linear.idle_w) * requests * serviceS,
    idle: specpower.points_w[0]! * durationS,
    off: 0,
    tor: (switchPower.chassis_w + 4 * switchPower.per_active_port_w) * durationS + switchPower.energy_per_bit_j * 8 * requests * (requestBytes + responseBytes),
    replay: 0,
  };
  const heat = summary.thermodynamics.heat;
  for (const [id, joulesExpected] of Object.entries(expected)) {
    assert.ok(Math.abs(joules(id) - joulesExpected) <= 1e-9 * Math.max(1, joulesExpected), `${id}: ${joules(id)} J vs ${joulesExpected} J`);
    assert.ok(Math.abs((heat.energy_by_actor_j[id] ?? 0) - joulesExpected) <= 1e-9 * Math.max(1, joulesExpected), `summary ${id}: ${heat.energy_by_actor_j[id]} J vs ${joulesExpected} J`);
  }
  const total = Object.values(expected).reduce((s, j) => s + j, 0);
  assert.ok(Math.abs(heat.energy_j - total) < 1e-9 * total, `total ${heat.energy_j} J vs ${total} J`);
  assert.ok(Math.abs(heat.it_energy_j - total) < 1e-9 * total, "no cooling modelled: all of it is IT energy");
  assert.ok(Math.abs(heat.mean_power_w - total / durationS) < 1e-9 * total);
  // Physical entropy generation: heat into the room at the ambient temperature, P/T.
  assert.ok(Math.abs(heat.entropy_generation_w_per_k - total / durationS / heat.ambient_temperature_k) < 1e-12 * total);
});
