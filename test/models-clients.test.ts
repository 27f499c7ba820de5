/**
 * Client populations and load balancers. MMPP traffic has the configured mean rate and is bursty (its counts'
 * index of dispersion is far above Poisson's 1); diurnal traffic follows the integral of its rate curve per
 * interval; a closed loop matches exact mean-value analysis; trace replay sends the file's requests; timeouts,
 * late responses and SLO misses are counted exactly; the balancer policies split load as they promise.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { metricKey } from "../coordinator/counts/aggregate.ts";
import { halfWidth } from "./support/ci.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { actorCommand, runResolved, runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const fastServer = {
  id: "server",
  kind: "server",
  cores: 64,
  service: { distribution: "deterministic", value: "1us" },
};

function oneClient(
  arrivals: unknown,
  durationS: number,
  interval = "1s",
  server: Record<string, unknown> = fastServer,
  extra: Record<string, unknown> = {},
) {
  return {
    name: "clients",
    run: { duration: `${durationS}s`, seed: 9, metrics_interval: interval },
    actors: [
      { id: "users", kind: "client", target: "server", arrivals, request_bytes: 100, response_bytes: 100, ...extra },
      server,
    ],
    links: [{ a: "users", b: "server", latency: "50us" }],
  };
}

/** Requests sent per metrics interval. */
async function countsPerInterval(scenario: unknown) {
  const { outcome } = await runScenario(scenario, dir.path);
  return outcome.aggregator
    .intervalList(outcome.simTimeNs)
    .map((i) => i.metrics.get(metricKey("requests_sent", "client"))?.count ?? 0);
}

function dispersion(counts: number[]) {
  const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
  const variance = counts.reduce((s, c) => s + (c - mean) ** 2, 0) / (counts.length - 1);
  return { mean, index: variance / mean };
}

test("clients - MMPP keeps its mean rate and is bursty; Poisson is not", async () => {
  const mmpp = await countsPerInterval(
    oneClient(
      {
        process: "mmpp",
        phases: [
          { rate_per_s: 2000, mean_sojourn: "50ms" },
          { rate_per_s: 0, mean_sojourn: "50ms" },
        ],
      },
      50,
      "500ms",
    ),
  );
  const poisson = await countsPerInterval(oneClient({ process: "poisson", rate_per_s: 1000 }, 50, "500ms"));
  const m = dispersion(mmpp);
  const p = dispersion(poisson);
  // The on-off MMPP's asymptotic index of dispersion is 1 + 2(λon)²r²/((2r)³λ̄) = 51 (r = 20/s); its counts over 50 s
  // have a relative standard deviation of about 3%.
  assert.ok(Math.abs(m.mean / 500 - 1) < 0.12, `MMPP mean ${m.mean * 2}/s vs 1000/s`);
  assert.ok(m.index > 15, `MMPP index of dispersion ${m.index} should be far above 1`);
  assert.ok(Math.abs(p.mean / 500 - 1) < 0.03 && p.index < 2, `Poisson mean ${p.mean * 2}/s, index ${p.index}`);
});

test("clients - a diurnal rate curve gives each interval the integral of λ(t) (thinning)", async () => {
  const [mean, amplitude, periodS, peakS] = [1000, 0.8, 10, 2.5];
  const counts = await countsPerInterval(
    oneClient(
      { process: "diurnal", mean_rate_per_s: mean, amplitude, period: `${periodS}s`, peak_at: `${peakS}s` },
      10,
    ),
  );
  const phase = (t: number) => Math.sin((2 * Math.PI * (t - peakS)) / periodS);
  counts.forEach((n, k) => {
    const expected = mean * (1 + (amplitude * periodS * (phase(k + 1) - phase(k))) / (2 * Math.PI));
    assert.ok(
      Math.abs(n - expected) < 4.5 * Math.sqrt(expected),
      `interval ${k}: ${n} requests vs ${expected.toFixed(1)}`,
    );
  });
  assert.ok(Math.max(...counts) > 4 * Math.min(...counts), `the curve shows: ${counts.join(", ")}`);
});

test("clients - set_arrivals replaces the rate curve at t: Poisson before, the diurnal integral after, the factor kept", async () => {
  // Poisson 250/s ×2 from the start; at 4 s the curve becomes diurnal (mean 400/s): the factor 2 multiplies it.
  const [mean, amplitude, periodS, peakS, switchS] = [400, 0.8, 6, 5, 4];
  const curve = { process: "diurnal", mean_rate_per_s: mean, amplitude, period: `${periodS}s`, peak_at: `${peakS}s` };
  const schedule = [
    actorCommand(0, 0, "scale_load", { factor: 2 }),
    actorCommand(0, switchS * 1e9, "set_arrivals", curve),
  ];
  const { outcome } = await runScenario(oneClient({ process: "poisson", rate_per_s: 250 }, 10), dir.path, { schedule });
  const counts = outcome.aggregator
    .intervalList(outcome.simTimeNs)
    .map((i) => i.metrics.get(metricKey("requests_sent", "client"))?.count ?? 0);
  assert.equal(counts.length, 10);
  const phase = (t: number) => Math.sin((2 * Math.PI * (t - peakS)) / periodS);
  counts.forEach((n, k) => {
    const expected =
      k < switchS ? 500 : 2 * mean * (1 + (amplitude * periodS * (phase(k + 1) - phase(k))) / (2 * Math.PI));
    assert.ok(
      Math.abs(n - expected) < 4.5 * Math.sqrt(expected),
      `interval ${k}: ${n} requests vs ${expected.toFixed(1)} (${counts.join(", ")})`,
    );
  });
});

/** Exact mean-value analysis of users cycling through a think time, fixed link delays and one exponential queue. */
function mva(
  users: number,
  thinkS: number,
  serviceS: number,
  fixedS: number,
): { responseS: number; throughputPerS: number } {
  let queue = 0;
  let responseS = 0;
  for (let n = 1; n <= users; n++) {
    const atQueue = serviceS * (1 + queue);
    responseS = atQueue + fixedS;
    queue = (n / (thinkS + responseS)) * atQueue;
  }
  return { responseS, throughputPerS: users / (thinkS + responseS) };
}

test("clients - a closed loop with think time matches exact mean-value analysis", async () => {
  const users = 20;
  const thinkS = 0.05;
  const serviceS = 0.002;
  const fixedS = 2 * 50e-6; // both link traversals (unlimited bandwidth)
  const { responseS } = mva(users, thinkS, serviceS, fixedS);
  const server = {
    id: "server",
    kind: "server",
    cores: 1,
    service: { distribution: "exponential", mean: `${serviceS * 1e3}ms` },
  };
  const { summary } = await runScenario(
    {
      ...oneClient(
        { process: "closed", users, think_time: { distribution: "exponential", mean: `${thinkS * 1e3}ms` } },
        120,
        "3s",
        server,
      ),
      run: { duration: "120s", seed: 4, metrics_interval: "1s", warmup: "3s" },
    },
    dir.path,
  );
  const bm = summary.metrics.response_time_s!.client!.batch_means!;
  const half = halfWidth(bm);
  assert.ok(
    Math.abs(bm.mean - responseS) <= half,
    `mean ${bm.mean} s vs MVA ${responseS} s (99% half-width ${half} s)`,
  );
  assert.ok(half / responseS < 0.06, `interval too wide (half-width ${half} s)`);
});

test("clients - scaling a closed loop changes its users: throughput follows mean-value analysis for each count", async () => {
  const thinkS = 0.05;
  const serviceS = 0.002;
  const fixedS = 2 * 50e-6;
  const server = {
    id: "server",
    kind: "server",
    cores: 1,
    service: { distribution: "exponential", mean: `${serviceS * 1e3}ms` },
  };
  const scenario = {
    ...oneClient(
      { process: "closed", users: 10, think_time: { distribution: "exponential", mean: `${thinkS * 1e3}ms` } },
      120,
      "4s",
      server,
    ),
    run: { duration: "120s", seed: 5, metrics_interval: "4s" },
  };
  // ×3 at 40 s (30 users), then ×0.5 at 80 s (5 users: the others stop after their request in flight).
  const schedule = [
    actorCommand(0, 40e9, "scale_load", { factor: 3 }),
    actorCommand(0, 80e9, "scale_load", { factor: 0.5 }),
  ];
  const { outcome } = await runScenario(scenario, dir.path, { schedule });
  const counts = outcome.aggregator
    .intervalList(outcome.simTimeNs)
    .map((i) => i.metrics.get(metricKey("requests_sent", "client"))?.count ?? 0);
  const sent = (fromS: number, toS: number) => counts.slice(fromS / 4, toS / 4).reduce((s, c) => s + c, 0);
  for (const [users, fromS, toS] of [
    [10, 8, 40],
    [30, 48, 80],
    [5, 88, 120],
  ] as const) {
    const expected = mva(users, thinkS, serviceS, fixedS).throughputPerS * (toS - fromS);
    const observed = sent(fromS, toS);
    // A closed loop is less bursty than Poisson: 4 Poisson standard deviations is a generous bound.
    assert.ok(
      Math.abs(observed - expected) < 4 * Math.sqrt(expected),
      `${users} users, ${fromS}-${toS} s: ${observed} requests vs MVA ${expected.toFixed(0)}`,
    );
  }
});

test("clients - trace replay from CSV sends the file's requests with their sizes; bad lines are named", async () => {
  writeFileSync(
    join(dir.path, "trace.csv"),
    "# a small trace\ntime,size,type\n0.001,1000,get\n0.002,2KiB,put\n0.5,300,get\n1.25s,,get\n",
  );
  const file = writeScenario(dir.path, "replay", {
    ...oneClient({ process: "trace", file: "trace.csv" }, 2),
    actors: [
      { ...oneClient({}, 2).actors[0], arrivals: { process: "trace", file: "trace.csv" }, request_bytes: 77 },
      fastServer,
    ],
  });
  const { scenario } = loadScenarioFile(file);
  const { summary } = await runResolved(scenario, dir.path);
  assert.equal(summary.metrics.requests_sent!.client!.count, 4);
  assert.equal(summary.link_traffic[0]!.a_to_b.bytes, 1000 + 2048 + 300 + 77);
  assert.equal(summary.metrics.response_time_s!.client!.count, 4);

  writeFileSync(join(dir.path, "bad.csv"), "time,type,size\n0.1,get,100\nsoon,get,100\n0.05,get,100\n");
  const bad = writeScenario(dir.path, "bad", {
    ...oneClient({}, 2),
    actors: [{ ...oneClient({}, 2).actors[0], arrivals: { process: "trace", file: "bad.csv" } }, fastServer],
  });
  assert.throws(
    () => loadScenarioFile(bad),
    (error: unknown) => {
      assert.ok(error instanceof ScenarioError);
      assert.deepEqual(
        error.issues.map((i) => `${i.path}: ${i.message.split(" like")[0]}`),
        [
          "actors[0].arrivals.file: line 3: time: expected a non-negative duration",
          "actors[0].arrivals.file: line 4: times must not decrease",
        ],
      );
      return true;
    },
  );
});

test("clients - timeouts, late responses and SLO misses are counted exactly", async () => {
  // Three requests at once to a one-core server with a 30 ms service: answers after about 30, 60 and 90 ms.
  const server = { id: "server", kind: "server", cores: 1, service: { distribution: "deterministic", value: "30ms" } };
  const { summary } = await runScenario(
    oneClient({ process: "trace", rows: [{ at: 0 }, { at: 0 }, { at: 0 }] }, 1, "1s", server, {
      timeout: "80ms",
      slo: { response_time: "50ms" },
    }),
    dir.path,
  );
  const m = summary.metrics;
  assert.equal(m.response_time_s!.client!.count, 2, "two answers in time");
  assert.equal(m.timeouts!.client!.count, 1);
  assert.equal(m.late_responses!.client!.count, 1, "the third answer arrives after its timeout");
  assert.equal(m.slo_misses!.client!.count, 2, "the 60 ms answer and the timeout miss the 50 ms SLO");
});

test("clients - load balancer: round robin splits evenly and overloads a slow replica; least outstanding does not", async () => {
  // 450 requests/s over replicas with 1, 3 and 10 ms mean service: an even split puts the slow one at 150% load.
  const replicas = (policy: string) => ({
    name: "lb",
    run: { duration: "10s", seed: 2, metrics_interval: "1s" },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "lb",
        arrivals: { process: "poisson", rate_per_s: 450 },
        request_bytes: 100,
        response_bytes: 100,
      },
      { id: "lb", kind: "load_balancer", replicas: ["fast", "slow", "mid"], policy },
      { id: "fast", kind: "server", cores: 1, service: { distribution: "exponential", mean: "1ms" } },
      { id: "slow", kind: "server", cores: 1, service: { distribution: "exponential", mean: "10ms" } },
      { id: "mid", kind: "server", cores: 1, service: { distribution: "exponential", mean: "3ms" } },
    ],
    links: ["fast", "slow", "mid"]
      .map((b) => ({ a: "lb", b, latency: "20us" }))
      .concat([{ a: "users", b: "lb", latency: "50us" }]),
  });
  const served = async (policy: string) => {
    const { summary } = await runScenario(replicas(policy), dir.path);
    const sentTo = (replica: string) =>
      summary.link_traffic.find((l) => l.a === "lb" && l.b === replica)!.a_to_b.packets;
    const unanswered = summary.metrics.requests_sent!.client!.count - summary.metrics.response_time_s!.client!.count;
    return { fast: sentTo("fast"), slow: sentTo("slow"), mid: sentTo("mid"), unanswered };
  };
  const rr = await served("round_robin");
  assert.ok(
    Math.max(rr.fast, rr.slow, rr.mid) - Math.min(rr.fast, rr.slow, rr.mid) <= 1,
    `round robin: ${JSON.stringify(rr)}`,
  );
  assert.ok(rr.unanswered > 200, `round robin lets the slow replica's backlog grow: ${JSON.stringify(rr)}`);
  const random = await served("random");
  for (const n of [random.fast, random.slow, random.mid])
    assert.ok(Math.abs(n / 1500 - 1) < 0.15, `random: ${JSON.stringify(random)}`);
  const lo = await served("least_outstanding");
  assert.ok(lo.fast > lo.mid && lo.mid > lo.slow, `least outstanding ranks replicas by speed: ${JSON.stringify(lo)}`);
  assert.ok(
    lo.slow < 0.8 * rr.slow && lo.unanswered <= 10,
    `least outstanding keeps every replica stable: ${JSON.stringify(lo)}`,
  );
});
