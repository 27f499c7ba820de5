/**
 * Processor sharing in leap mode against the closed forms: M/G/1-PS has mean response E[S]/(1 − ρ) whatever the
 * service distribution (insensitivity): with deterministic service that differs from FIFO's M/D/1 (2.17 ms here
 * against 3.33 ms), so the test tells the disciplines apart; utilisation and throughput are those of FIFO. Two
 * cores: the M/M/2 mean sojourn (PS with c units holds the M/M/c number law). (Retrying clients: test/leap-retry.test.ts.)
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { erlangC } from "../nodes/leap/queue-laws.ts";
import { halfWidth, type ReportedBatchMeans } from "./support/ci.ts";
import { runScenario } from "./support/twin.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

/** A request and its response each cross one link: 50 µs plus 80 ns of serialization (100 B at 10 Gb/s). */
const LINK_S = 2 * (50e-6 + 80e-9);

function scenario(rate: number, cores: number, service: Record<string, unknown>, discipline = "ps") {
  return {
    name: "ps",
    run: {
      duration: "400s",
      seed: 9,
      metrics_interval: "10s",
      warmup: "10s",
      mode: "leap",
      leap: { step: "100ms", samples: 16 },
    },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "web",
        arrivals: { process: "poisson", rate_per_s: rate },
        request_bytes: 100,
        response_bytes: 100,
      },
      { id: "web", kind: "server", cores, discipline, service, power: { model: "linear", idle_w: 100, max_w: 200 } },
    ],
    links: [{ a: "users", b: "web", latency: "50us", bandwidth: "10Gbps" }],
  };
}

type Stat = { mean: number; count: number; batch_means: ReportedBatchMeans };

async function response(s: ReturnType<typeof scenario>) {
  const run = await runScenario(s, dir.path);
  const metrics = (run.summary as unknown as { metrics: Record<string, Record<string, Stat>> }).metrics;
  return { response: metrics.response_time_s!.client!, joules: run.joules("web") };
}

function assertMean(bm: ReportedBatchMeans, expected: number, what: string) {
  const half = halfWidth(bm, 0.99);
  assert.ok(
    Math.abs(bm.mean - expected) <= half + 0.01 * expected,
    `${what}: ${bm.mean} vs ${expected} (99% half-width ${half})`,
  );
}

test("leap processor sharing - M/D/1-PS mean E[S]/(1 − ρ) (not FIFO's M/D/1), M/M/2-PS mean, FIFO's energy", async () => {
  const deterministic = { distribution: "deterministic", value: "1ms" };
  const ps = await response(scenario(700, 1, deterministic));
  assertMean(ps.response.batch_means, 1e-3 / (1 - 0.7) + LINK_S, "M/D/1-PS");
  const fifo = await response(scenario(700, 1, deterministic, "fifo"));
  // Pollaczek–Khinchine for M/D/1: E[S](1 + ρ/(2(1 − ρ))).
  assertMean(fifo.response.batch_means, 1e-3 * (1 + 0.7 / 0.6) + LINK_S, "M/D/1 FIFO");
  // Same utilisation, so the same energy (the 10 s warm-up is left out of neither): 100 W + 0.7 × 100 W.
  assert.ok(Math.abs(ps.joules / fifo.joules - 1) < 0.01, `energy: PS ${ps.joules} J, FIFO ${fifo.joules} J`);

  const mu = 1000;
  const lambda = 1500;
  const mm2 = await response(scenario(lambda, 2, { distribution: "exponential", mean: "1ms" }));
  const sojourn = 1 / mu + erlangC(2, lambda / mu) / (2 * mu - lambda);
  assertMean(mm2.response.batch_means, sojourn + LINK_S, "M/M/2-PS");
});
