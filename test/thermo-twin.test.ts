/**
 * The thermodynamics ledgers on the twin itself (docs/thermo.md), not on hand-made counts:
 *  - request/response traffic: requests and responses are different species, so each link carries two one-way
 *    currents (not one balanced pair); the G test rejects detailed balance;
 *  - a ring all-reduce over direct links drives a one-way circulation: irreversible currents, never a finite σ
 *    that grows with the run length;
 *  - a lossy link: drops go to the environment where they happen; TUR figures only where σ is finite;
 *  - the heat ledger's energy is the integral of the power models, computed here from the scenario by hand.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { irreversibilityLedger } from "../coordinator/ledgers/irreversibility.ts";
import { tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const link = (a: string, b: string, bandwidth = "10Gbps") => ({ a, b, latency: "50us", bandwidth });

type Summary = Awaited<ReturnType<typeof runScenario>>["summary"];
type Estimate = Extract<ReturnType<typeof irreversibilityLedger>, { sigma_kb_per_s: number }>;

/** The irreversibility ledger of a run with an estimate (not the note a run too short for one gets). */
function irreversibility(summary: Summary): Estimate {
  const ir = summary.thermodynamics.irreversibility;
  assert.ok("sigma_kb_per_s" in ir, `no estimate: ${JSON.stringify(ir)}`);
  return ir as Estimate;
}

function _assertFiniteNonNegative(value: number, what: string): void {
  assert.ok(Number.isFinite(value) && value >= 0, `${what} = ${value}: expected a finite, non-negative number`);
}

test("thermo twin - a request/response service: species-resolved one-way currents, detailed balance rejected", async () => {
  for (const seed of [1, 2]) {
    const { summary } = await runScenario(
      {
        name: "request-response",
        run: { duration: "4s", seed, metrics_interval: "250ms", warmup: "250ms" },
        actors: [
          {
            id: "users",
            kind: "client",
            target: "web",
            arrivals: { process: "poisson", rate_per_s: 500 },
            request_bytes: 400,
            response_bytes: 1500,
          },
          { id: "tor", kind: "switch" },
          { id: "web", kind: "server", cores: 2, service: { distribution: "exponential", mean: "2ms" } },
        ],
        links: [link("users", "tor"), link("tor", "web")],
      },
      dir.path,
    );
    const ir = irreversibility(summary);
    // Requests go out and responses come back over the same links: as one species they would look balanced.
    const currents = ir.irreversible_currents.map((c) => `${c.kind} ${c.species} ${c.from}->${c.to}`).sort();
    assert.deepEqual(currents, [
      "consume request web->(environment)",
      "consume response users->(environment)",
      "create request (environment)->users",
      "create response (environment)->web",
      "hop request tor->web",
      "hop request users->tor",
      "hop response tor->users",
      "hop response web->tor",
    ]);
    for (const c of ir.irreversible_currents) {
      assert.ok(Math.abs(c.current_per_s - 500) < 50, `${c.kind} ${c.species}: ${c.current_per_s}/s`);
      assert.ok(c.sigma_lower_bound_kb_per_s > 0);
    }
    assert.equal(ir.sigma_covers_all_mechanisms, false);
    assert.match(ir.note ?? "", /seen in one direction only/);
    assert.equal(ir.sigma_kb_per_s, 0, "no pair was seen both ways: nothing finite to sum");
    const db = ir.detailed_balance_test;
    assert.ok(db.dof >= 1, "the environment closes cycles through client and server");
    assert.equal(db.equilibrium_rejected, true);
    assert.ok(db.p_value < 1e-12, `seed ${seed}: G = ${db.statistic}, p = ${db.p_value}`);
  }
});

test("thermo twin - a one-way ring: irreversible currents, and no finite σ growing with the run length", async () => {
  const ring = ["w0", "w1", "w2"];
  const ledgerOf = async (durationS: number) => {
    const { summary } = await runScenario(
      {
        name: "driven-ring",
        run: { duration: `${durationS}s`, seed: 7, metrics_interval: "250ms", warmup: "250ms" },
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
    return irreversibility(summary);
  };
  const short = await ledgerOf(2);
  const long = await ledgerOf(8);
  for (const ir of [short, long]) {
    const hops = ir.irreversible_currents
      .filter((c) => c.kind === "hop")
      .map((c) => `${c.species} ${c.from}->${c.to}`)
      .sort();
    assert.deepEqual(hops, ["transfer w0->w1", "transfer w1->w2", "transfer w2->w0"]);
    assert.ok(
      ir.irreversible_currents.every((c) => c.current_per_s > 100),
      "chunks circulate",
    );
    assert.equal(ir.detailed_balance_test.equilibrium_rejected, true);
    assert.equal(ir.sigma_covers_all_mechanisms, false);
    assert.ok(
      ir.tur.every((t) => !t.valid && t.precision_cost_q === null && /sigma_unbounded/.test(t.flag ?? "")),
      JSON.stringify(ir.tur),
    );
  }
  // The old plug-in with a pseudo-count gave J·ln(n/α), growing with the run; the finite σ stays put (here 0), and
  // only the separately reported lower bound grows (like ln n, as a bound on an unbounded quantity should).
  assert.equal(short.sigma_kb_per_s, 0);
  assert.equal(long.sigma_kb_per_s, 0);
  assert.ok(long.irreversible_sigma_lower_bound_kb_per_s > short.irreversible_sigma_lower_bound_kb_per_s);
});

test("thermo twin - a lossy link: drops leave at the dropping actor, TUR figures only where valid", async () => {
  const { summary } = await runScenario(
    {
      name: "lossy",
      run: { duration: "10s", seed: 4, metrics_interval: "250ms" },
      actors: [
        {
          id: "users",
          kind: "client",
          target: "web",
          arrivals: { process: "poisson", rate_per_s: 400 },
          request_bytes: 400,
          response_bytes: 1500,
        },
        { id: "web", kind: "server", cores: 4, service: { distribution: "exponential", mean: "2ms" } },
      ],
      links: [{ a: "users", b: "web", latency: "50us", bandwidth: "10Gbps", loss: 0.2 }],
    },
    dir.path,
  );
  const ir = irreversibility(summary);
  const lost = summary.packets.dropped_by_reason.link_loss ?? 0;
  assert.ok(lost > 500, `${lost} lost`);
  // Requests are lost on the way out (at users), responses on the way back (at web): each at its dropping actor.
  const losses = ir.irreversible_currents.filter((c) => c.kind === "loss");
  assert.deepEqual(losses.map((c) => `${c.species}@${c.actor}`).sort(), ["request@users", "response@web"]);
  assert.equal(
    losses.reduce((t, c) => t + c.count, 0),
    lost,
  );
  assert.ok(
    ir.irreversible_currents.every((c) => !(c.kind === "create" && c.from !== "(environment)")),
    "creations come from the environment",
  );
  assert.ok(ir.tur.length > 0, "the link currents are significant");
  for (const t of ir.tur) {
    if (t.valid) {
      assert.ok(t.precision_cost_q! >= 2 && t.eta_tur! <= 1, `Q = ${t.precision_cost_q}, η = ${t.eta_tur}`);
    } else {
      assert.match(t.flag ?? "", /sigma_unbounded/);
      assert.equal(t.precision_cost_q, null);
      assert.equal(t.eta_tur, null);
    }
    assert.ok(t.bound_violated === false);
  }
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
        {
          id: "replay",
          kind: "client",
          target: "busy",
          arrivals: { process: "trace", rows: Array.from({ length: requests }, (_, i) => ({ at: `${40 * i + 5}ms` })) },
          request_bytes: requestBytes,
          response_bytes: responseBytes,
        },
        { id: "tor", kind: "switch", power: switchPower },
        {
          id: "busy",
          kind: "server",
          service: { distribution: "deterministic", value: `${serviceS * 1000}ms` },
          power: linear,
        },
        { id: "idle", kind: "server", service: { distribution: "deterministic", value: "1ms" }, power: specpower },
        {
          id: "off",
          kind: "server",
          service: { distribution: "deterministic", value: "1ms" },
          power: linear,
          initial_state: "off",
        },
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
    tor:
      (switchPower.chassis_w + 4 * switchPower.per_active_port_w) * durationS +
      switchPower.energy_per_bit_j * 8 * requests * (requestBytes + responseBytes),
    replay: 0,
  };
  const heat = summary.thermodynamics.heat;
  for (const [id, joulesExpected] of Object.entries(expected)) {
    assert.ok(
      Math.abs(joules(id) - joulesExpected) <= 1e-9 * Math.max(1, joulesExpected),
      `${id}: ${joules(id)} J vs ${joulesExpected} J`,
    );
    assert.ok(
      Math.abs((heat.energy_by_actor_j[id] ?? 0) - joulesExpected) <= 1e-9 * Math.max(1, joulesExpected),
      `summary ${id}: ${heat.energy_by_actor_j[id]} J vs ${joulesExpected} J`,
    );
  }
  const total = Object.values(expected).reduce((s, j) => s + j, 0);
  assert.ok(Math.abs(heat.energy_j - total) < 1e-9 * total, `total ${heat.energy_j} J vs ${total} J`);
  assert.ok(Math.abs(heat.it_energy_j - total) < 1e-9 * total, "no cooling modelled: all of it is IT energy");
  assert.ok(Math.abs(heat.mean_power_w - total / durationS) < 1e-9 * total);
  // Physical entropy generation: heat into the room at the ambient temperature, P/T.
  assert.ok(Math.abs(heat.entropy_generation_w_per_k - total / durationS / heat.ambient_temperature_k) < 1e-12 * total);
});
