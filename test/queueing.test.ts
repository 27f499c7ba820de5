/**
 * The minimal models against queueing theory. Each run's batch means give a confidence interval for the mean
 * response time (and of the queue wait: the queue length through Little's law); the closed form (plus the two link
 * traversals) must lie inside it. Runs use the in-process transport: the determinism test shows NATS runs give
 * the same bytes.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { halfWidth, type ReportedBatchMeans } from "./support/ci.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const LATENCY_S = 50e-6;
const BANDWIDTH_BPS = 10e9;
const PACKET_BYTES = 100;
/** Request and response each cross the link once: latency plus serialization (rounded up to whole ns). */
const LINK_DELAY_S = 2 * (LATENCY_S + Math.ceil((PACKET_BYTES * 8 * 1e9) / BANDWIDTH_BPS) / 1e9);

/** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = ((term * a) / c) * (c / (c - a));
  return last / (sum + last);
}

async function meanResponse(name: string, scenario: ReturnType<typeof queueScenario>) {
  return (await queueStats(name, scenario)).response;
}

/** Batch means of the client's response time and of the server's queue wait (time before a core takes it). */
async function queueStats(name: string, scenario: ReturnType<typeof queueScenario>) {
  const { summary } = await runScenario(scenario, dir.path, { name });
  const response = summary.metrics.response_time_s?.client?.batch_means;
  const wait = summary.metrics.queue_wait_s?.server?.batch_means;
  assert.ok(response && wait, "the run reports batch means of the response time and the queue wait");
  return { response, wait };
}

/** The closed form lies inside the 99% batch-means interval, and that interval is tight enough to mean something. */
function assertWithinCi(bm: ReportedBatchMeans, expected: number, maxRelativeHalfWidth = 0.05) {
  const half = halfWidth(bm);
  assert.ok(
    Math.abs(bm.mean - expected) <= half,
    `mean ${bm.mean} s vs closed form ${expected} s: off by ${Math.abs(bm.mean - expected)} s, 99% half-width ${half} s`,
  );
  assert.ok(
    half / expected < maxRelativeHalfWidth,
    `confidence interval too wide to test anything (half-width ${half} s)`,
  );
}

test("queueing - M/M/1 at half load gives 1/(μ − λ) plus link delays, and queue length ρ²/(1 − ρ)", async () => {
  const mu = 1000;
  const lambda = 0.5 * mu;
  const rho = lambda / mu;
  const { response, wait } = await queueStats(
    "mm1",
    queueScenario({ rate: lambda, meanServiceMs: 1, cores: 1, durationS: 200, intervalS: 1, warmupS: 5, seed: 11 }),
  );
  assertWithinCi(response, 1 / (mu - lambda) + LINK_DELAY_S);
  // Mean number waiting L_q = ρ²/(1 − ρ); by Little's law the mean wait is L_q/λ.
  assertWithinCi(wait, (rho * rho) / (1 - rho) / lambda, 0.1);
});

test("queueing - M/M/3 at 80% load gives the Erlang-C mean response and queue length", async () => {
  const mu = 1000;
  const c = 3;
  const lambda = 0.8 * c * mu;
  const wait = erlangC(c, lambda / mu) / (c * mu - lambda);
  const { response, wait: waitStats } = await queueStats(
    "mm3",
    queueScenario({ rate: lambda, meanServiceMs: 1, cores: c, durationS: 100, intervalS: 0.5, warmupS: 5, seed: 12 }),
  );
  assertWithinCi(response, wait + 1 / mu + LINK_DELAY_S);
  // Queue length L_q = C(c, a)·ρ/(1 − ρ), seen through Little's law as the mean wait L_q/λ.
  assertWithinCi(waitStats, wait, 0.1);
});

test("queueing - M/D/1 follows Pollaczek–Khinchine", async () => {
  const mu = 1000;
  const lambda = 0.7 * mu;
  const rho = lambda / mu;
  const wait = rho / (2 * mu * (1 - rho));
  const bm = await meanResponse(
    "md1",
    queueScenario({
      rate: lambda,
      meanServiceMs: 1,
      cores: 1,
      durationS: 150,
      intervalS: 1,
      warmupS: 5,
      seed: 13,
      distribution: "deterministic",
    }),
  );
  assertWithinCi(bm, wait + 1 / mu + LINK_DELAY_S);
});

test("queueing - the closed form is rejected when the model is wrong (the check can fail)", async () => {
  const bm = await meanResponse(
    "mm1-check",
    queueScenario({ rate: 500, meanServiceMs: 1, cores: 1, durationS: 100, intervalS: 1, warmupS: 5, seed: 14 }),
  );
  const half = halfWidth(bm);
  // An M/M/1 at ρ = 0.5 is not an M/D/1 (mean 1.5 ms): the interval must exclude that value.
  assert.ok(Math.abs(bm.mean - (1.5e-3 + LINK_DELAY_S)) > half);
});
