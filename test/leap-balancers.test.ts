/**
 * Balancer policies in leap mode against exact mode: a Poisson stream through a round-robin and a
 * least-outstanding balancer to three M/M/1 replicas at ρ = 0.7 (nodes/leap/load-balancer.ts passes each
 * replica its stream's shape: round robin's every third arrival, c_a² = 1/3, a GI/M/1 queue with Erlang-3
 * interarrival times; least outstanding as a pool of three, queue-laws.ts). Mean response within 5% and p99 within
 * 15% of exact mode pooled over three seeds (40 simulated s each, 84,000 requests); leap over two seeds, each on
 * its own. About 25 s of wall time for both tests. The laws themselves against closed forms: E2/M/1 (GI/M/1),
 * the pool at one replica (M/M/c) and its pooled form.
 */
import assert from "node:assert/strict";
import { after, test, type TestContext } from "node:test";
import { runScenario } from "./support/twin.ts";
import { decodeBatchForTest } from "./support/wire.ts";
import { erlangC, gammaSigma, meanWait, waitProbability, type Station } from "../nodes/leap/queue-laws.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const REPLICAS = ["r0", "r1", "r2"];
const RATE = 2100; // three replicas of 1 ms: ρ = 0.7
const DURATION_S = 40;

function scenario(mode: "exact" | "leap", policy: string, seed: number) {
  return {
    name: `lb-${policy}`,
    run: {
      duration: `${DURATION_S}s`,
      seed,
      metrics_interval: "2s",
      warmup: "2s",
      mode,
      leap: { step: "100ms", samples: 16 },
    },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "lb",
        arrivals: { process: "poisson", rate_per_s: RATE },
        request_bytes: 100,
        response_bytes: 100,
      },
      { id: "lb", kind: "load_balancer", replicas: REPLICAS, policy },
      ...REPLICAS.map((id) => ({ id, kind: "server", service: { distribution: "exponential", mean: "1ms" } })),
    ],
    links: [
      { a: "users", b: "lb", latency: "50us", bandwidth: "10Gbps" },
      ...REPLICAS.map((r) => ({ a: "lb", b: r, latency: "50us", bandwidth: "10Gbps" })),
    ],
  };
}

interface Response {
  count: number;
  mean: number;
  p99: number;
}

async function response(mode: "exact" | "leap", policy: string, seed: number): Promise<Response> {
  const summary = (await runScenario(scenario(mode, policy, seed), dir.path)).summary as unknown as {
    metrics: Record<string, Record<string, Response>>;
  };
  return summary.metrics.response_time_s!.client!;
}

async function compare(t: TestContext, policy: string) {
  const exact: Response[] = [];
  for (const seed of [1, 2, 3]) exact.push(await response("exact", policy, seed));
  const total = exact.reduce((a, r) => a + r.count, 0);
  const mean = exact.reduce((a, r) => a + r.mean * r.count, 0) / total;
  const p99 = exact.reduce((a, r) => a + r.p99, 0) / exact.length;
  for (const seed of [1, 2]) {
    const leap = await response("leap", policy, seed);
    const dMean = leap.mean / mean - 1;
    const dP99 = leap.p99 / p99 - 1;
    t.diagnostic(
      `${policy} seed ${seed}: mean ${leap.mean} vs ${mean} (${dMean}), p99 ${leap.p99} vs ${p99} (${dP99})`,
    );
    assert.ok(Math.abs(dMean) <= 0.05, `${policy} seed ${seed} mean: exact ${mean}, leap ${leap.mean} (${dMean})`);
    assert.ok(Math.abs(dP99) <= 0.15, `${policy} seed ${seed} p99: exact ${p99}, leap ${leap.p99} (${dP99})`);
  }
}

test("leap balancers - round robin over three M/M/1 replicas: mean and p99 response against exact mode", async (t) => {
  await compare(t, "round_robin");
});

test("leap balancers - least outstanding over three M/M/1 replicas: mean and p99 response against exact mode", async (t) => {
  await compare(t, "least_outstanding");
});

test("leap balancers - the shaped waiting-time laws against closed forms", () => {
  for (const rho of [0.3, 0.5, 0.7, 0.9]) {
    const s: Station = { c: 1, lambda: rho, mu: 1, cs2: 1, room: Number.POSITIVE_INFINITY };
    // E2/M/1: σ = (2ρ/(2ρ + 1 − σ))², whose root in (0, 1) is (1 + 4ρ − √(1 + 8ρ))/2.
    const sigma = (1 + 4 * rho - Math.sqrt(1 + 8 * rho)) / 2;
    assert.ok(Math.abs(gammaSigma(s, 0.5) - sigma) < 1e-9, `E2/M/1 σ at ρ = ${rho}`);
    // GI/M/1: P(wait) = σ and E[W] = σ/(μ(1 − σ)).
    const shaped = { ...s, ca2: 0.5 };
    assert.ok(Math.abs(waitProbability(shaped) - sigma) < 1e-9, `E2/M/1 P(wait) at ρ = ${rho}`);
    assert.ok(Math.abs(meanWait(shaped) - sigma / (1 - sigma)) < 1e-9, `E2/M/1 mean wait at ρ = ${rho}`);
    // Poisson: σ = ρ.
    assert.ok(Math.abs(gammaSigma(s, 1) - rho) < 1e-9, `M/M/1 σ at ρ = ${rho}`);
    // A pool of 3 two-unit replicas: the pooled Erlang C, then an exponential of rate cμ(1 − ρ³).
    const two: Station = { ...s, c: 2, lambda: 2 * rho, pool: 3 };
    const pooled = erlangC(6, 6 * rho) / (2 * (1 - rho ** 3));
    assert.ok(Math.abs(meanWait(two) - pooled) < 1e-12, `pool of 3 M/M/2 at ρ = ${rho}`);
    // A pool of one is the replica's own M/M/c queue.
    const alone = { ...two, pool: 1 };
    assert.ok(Math.abs(meanWait(alone) - erlangC(2, 2 * rho) / (2 - 2 * rho)) < 1e-12, `M/M/2 at ρ = ${rho}`);
  }
});

test("leap balancers - a stream's shape crosses the wire between hosts", () => {
  const packet = decodeBatchForTest({ streamRatePerS: 700, streamArrivalScv: 1 / 3, streamPool: 8 });
  assert.equal(packet.streamRatePerS, 700);
  assert.equal(packet.streamArrivalScv, 1 / 3);
  assert.equal(packet.streamPool, 8);
});
