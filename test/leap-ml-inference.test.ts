/**
 * ML inference (one GPU batching requests, max_wait 0) in leap mode, against closed forms and exact mode:
 * - batch size 1 is M/D/1: the Pollaczek–Khinchine mean wait, utilisation ρ;
 * - a batch size never reached with a fixed batch time s ("serve all that wait"): X' ~ Poisson(λs), so the GPU is
 *   idle after a batch with probability e^(−λs), U = s / (s + e^(−λs)/λ), a request's sojourn is s when it finds the
 *   GPU idle and s + a uniform residual otherwise (mean s + U·s/2, p99 2s − 0.01·s/U), batches of λs + e^(−λs);
 * - batches of 8 with a per-item time, an unlimited and a finite queue: against exact mode over three seeds;
 * - overload: full batches back to back (the fluid limit: throughput B/s(B), the last request waits T(1 − μ/λ)).
 * Means are checked against 99% batch-means intervals or, against exact mode, over seeds with the tolerance noted.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { batchLaw, batchNs, sampleBatch, type Batcher } from "../nodes/leap/batch-law.ts";
import { Xoshiro128 } from "../nodes/runtime/rng.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { halfWidth, type ReportedBatchMeans } from "./support/ci.ts";
import { tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

/** A request and its response each cross one 10 Gb/s link: latency plus serialization of 100 bytes. */
const LINK_S = 2 * (50e-6 + 80e-9);
const GPU = { count: 1, idle_w: 50, max_w: 300 };

interface Batching {
  maxSize: number;
  baseMs: number;
  perItemMs: number;
  limit?: number;
}

function scenario(mode: "exact" | "leap", b: Batching, ratePerS: number, durationS: number, seed: number) {
  return {
    name: "inference",
    run: {
      duration: `${durationS}s`,
      seed,
      metrics_interval: "20s",
      warmup: "20s",
      mode,
      ...(mode === "leap" ? { leap: { step: "1s", samples: 16 } } : {}),
    },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "infer",
        arrivals: { process: "poisson", rate_per_s: ratePerS },
        request_bytes: 100,
        response_bytes: 100,
      },
      {
        id: "infer",
        kind: "ml_inference",
        gpus: GPU,
        batch: { max_size: b.maxSize },
        batch_time: { base: `${b.baseMs * 1000}us`, per_item: `${b.perItemMs * 1000}us` },
        ...(b.limit !== undefined ? { queue_limit: b.limit } : {}),
      },
    ],
    links: [{ a: "users", b: "infer", latency: "50us", bandwidth: "10Gbps" }],
  };
}

interface Stat {
  count: number;
  sum: number;
  mean: number;
  max: number;
  p99: number;
  batch_means: ReportedBatchMeans;
  whole_run: { count: number; sum: number; max: number };
}

async function run(mode: "exact" | "leap", b: Batching, rate: number, durationS: number, seed: number) {
  const { summary, joules } = await runScenario(scenario(mode, b, rate, durationS, seed), dir.path);
  const m = summary.metrics as unknown as Record<string, Record<string, Stat>>;
  return {
    response: m.response_time_s!.client!,
    wait: m.queue_wait_s!.ml_inference!,
    batch: m.batch_size!.ml_inference!,
    joules: joules("infer"),
    dropped: summary.packets.dropped_by_reason.queue_full ?? 0,
  };
}

type Outcome = Awaited<ReturnType<typeof run>>;

function assertClose(actual: number, expected: number, relative: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= relative * Math.abs(expected),
    `${what}: ${actual} vs ${expected} (tolerance ${relative * 100}%)`,
  );
}

function assertWithinCi(bm: ReportedBatchMeans, expected: number, what: string) {
  const half = halfWidth(bm, 0.99);
  assert.ok(Math.abs(bm.mean - expected) <= half, `${what}: ${bm.mean} vs ${expected} (99% half-width ${half})`);
  assert.ok(half / expected < 0.05, `${what}: interval too wide to test anything (${half})`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test("batch law - batch size 1 is M/D/1 (Pollaczek–Khinchine) and 'serve all' has its closed form", () => {
  const s = 2e6;
  for (const rho of [0.3, 0.7, 0.95]) {
    const lambda = rho / s;
    const law = batchLaw(
      { maxSize: 1, baseNs: 1e6, perItemNs: 1e6, limit: Number.POSITIVE_INFINITY, phases: 1 },
      lambda,
    );
    assertClose(law.meanWaitNs, (lambda * s * s) / (2 * (1 - rho)), 1e-9, `M/D/1 mean wait at ρ = ${rho}`);
    assertClose(law.busy, rho, 1e-9, `M/D/1 utilisation at ρ = ${rho}`);
    assertClose(law.throughputPerNs, lambda, 1e-9, `M/D/1 throughput at ρ = ${rho}`);
  }
  const lambda = 3 / 4e6;
  const law = batchLaw({ maxSize: 64, baseNs: 4e6, perItemNs: 0, limit: Number.POSITIVE_INFINITY, phases: 1 }, lambda);
  const busy = 4e6 / (4e6 + Math.exp(-3) / lambda);
  assertClose(law.pi[0]!, Math.exp(-3), 1e-9, "serve all: P(no one waits after a batch)");
  assertClose(law.busy, busy, 1e-9, "serve all: utilisation");
  assertClose(law.meanSojournNs, 4e6 * (1 + busy / 2), 1e-9, "serve all: mean sojourn");
  // A finite room turns arrivals away; what is admitted is served.
  const limited = batchLaw({ maxSize: 4, baseNs: 2e6, perItemNs: 250e3, limit: 6, phases: 1 }, 1.1e-6);
  assert.ok(limited.blocking > 0.01 && limited.blocking < 0.1, `blocking ${limited.blocking}`);
  assertClose(
    limited.pi.reduce((a, p) => a + p, 0),
    1,
    1e-12,
    "the law sums to 1",
  );
});

test("batch law - the sampled waits and batches agree with the law's means (Little), with and without a room", () => {
  const rng = Xoshiro128.seeded(3, "batch-law");
  for (const b of [
    { maxSize: 8, baseNs: 2e6, perItemNs: 250e3, limit: Number.POSITIVE_INFINITY, phases: 1 },
    { maxSize: 4, baseNs: 2e6, perItemNs: 250e3, limit: 6, phases: 1 },
  ]) {
    const law = batchLaw(b, 1.1e-6);
    const n = 100_000;
    let wait = 0;
    let waitSq = 0;
    let sojourn = 0;
    let batches = 0;
    for (let i = 0; i < n; i++) {
      const { waitNs, size } = sampleBatch(law, rng);
      wait += waitNs;
      waitSq += waitNs * waitNs;
      sojourn += waitNs + batchNs(b, size);
      batches += 1 / size;
    }
    const se = Math.sqrt((waitSq / n - (wait / n) ** 2) / n);
    assert.ok(Math.abs(wait / n - law.meanWaitNs) < 4 * se, `mean wait ${wait / n} vs ${law.meanWaitNs} (se ${se})`);
    assertClose(sojourn / n, law.meanSojournNs, 0.01, `limit ${b.limit}: mean sojourn`);
    // Batches per request served: 1/E[n] of the batch-weighted law, Σπ / Σπ·n.
    const perBatch = law.pi.reduce((a, p, x) => a + p * (x === 0 ? 1 : Math.min(x, b.maxSize)), 0);
    assertClose(batches / n, 1 / perBatch, 0.01, `limit ${b.limit}: batches per request`);
  }
});

test("batch law - Erlang arrivals (every k-th of a Poisson stream): the sampled sojourns agree with the law's mean", () => {
  const rng = Xoshiro128.seeded(4, "batch-law-erlang");
  for (const [phases, limit] of [
    [2, Number.POSITIVE_INFINITY],
    [3, 6],
  ] as const) {
    const b = { maxSize: 4, baseNs: 2e6, perItemNs: 250e3, limit, phases };
    const law = batchLaw(b, (0.85 * 4) / batchNs(b, 4));
    const n = 100_000;
    let sojourn = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const { waitNs, size } = sampleBatch(law, rng);
      const t = waitNs + batchNs(b, size);
      sojourn += t;
      sq += t * t;
    }
    const se = Math.sqrt((sq / n - (sojourn / n) ** 2) / n);
    const what = `${phases} phases, room ${limit}: mean sojourn ${sojourn / n} vs ${law.meanSojournNs} (se ${se})`;
    assert.ok(Math.abs(sojourn / n - law.meanSojournNs) < 4 * se, what);
    // Smoother arrivals wait less than Poisson ones at the same rate.
    assert.ok(law.meanWaitNs < batchLaw({ ...b, phases: 1 }, law.lambda).meanWaitNs, `${phases} phases wait less`);
  }
});

/**
 * An independent event simulation of one batching GPU (the exact model's rule: a free GPU takes min(waiting, B);
 * at most `limit` wait), fed by Erlang-k interarrival times: mean sojourn, blocking and utilisation.
 */
function simulateBatcher(b: Batcher, lambda: number, requests: number, seed: number) {
  const rng = Xoshiro128.seeded(seed, "reference-batcher");
  const interarrival = () => {
    let t = 0;
    for (let i = 0; i < b.phases; i++) t += rng.exponential(b.phases * lambda);
    return t;
  };
  const waiting: number[] = [];
  let running: number[] = [];
  let [now, nextArrival, batchEnd] = [0, interarrival(), Number.POSITIVE_INFINITY];
  let [sojourn, served, arrivals, blocked, busy] = [0, 0, 0, 0, 0];
  const start = () => {
    running = waiting.splice(0, Math.min(b.maxSize, waiting.length));
    batchEnd = now + batchNs(b, running.length);
    busy += batchNs(b, running.length);
  };
  while (served < requests) {
    if (nextArrival < batchEnd) {
      now = nextArrival;
      nextArrival = now + interarrival();
      arrivals++;
      if (waiting.length >= b.limit) blocked++;
      else {
        waiting.push(now);
        if (running.length === 0) start();
      }
    } else {
      now = batchEnd;
      for (const arrived of running) sojourn += now - arrived;
      served += running.length;
      running = [];
      batchEnd = Number.POSITIVE_INFINITY;
      if (waiting.length > 0) start();
    }
  }
  return { meanSojournNs: sojourn / served, blocking: blocked / arrivals, busy: busy / now };
}

test("batch law - against an independent event simulation (Poisson and Erlang arrivals, with and without room)", () => {
  for (const [phases, limit, rho] of [
    [1, Number.POSITIVE_INFINITY, 0.8],
    [1, 5, 0.97],
    [16, Number.POSITIVE_INFINITY, 0.9],
    [8, 6, 0.95],
  ] as const) {
    const b = { maxSize: 4, baseNs: 2e6, perItemNs: 250e3, limit, phases };
    const lambda = (rho * 4) / batchNs(b, 4);
    const law = batchLaw(b, lambda);
    const sim = simulateBatcher(b, lambda, 400_000, phases);
    const what = `${phases} phases, room ${limit}, ρ = ${rho}`;
    // 400,000 requests: the simulation's means are within about 1% (batch-correlated sojourns near saturation).
    assertClose(law.meanSojournNs, sim.meanSojournNs, 0.015, `${what}: mean sojourn`);
    assert.ok(Math.abs(law.blocking - sim.blocking) < 0.003, `${what}: blocking ${law.blocking} vs ${sim.blocking}`);
    assert.ok(Math.abs(law.busy - sim.busy) < 0.002, `${what}: utilisation ${law.busy} vs ${sim.busy}`);
  }
});

test("leap ml_inference - batch size 1 is M/D/1: mean response, throughput and energy, three seeds", async () => {
  const T = 2000;
  const [s, rho] = [2e-3, 0.7];
  const lambda = rho / s;
  const expected = LINK_S + s + (lambda * s * s) / (2 * (1 - rho));
  for (const seed of [1, 2, 3]) {
    const r = await run("leap", { maxSize: 1, baseMs: 1, perItemMs: 1 }, lambda, T, seed);
    assertWithinCi(r.response.batch_means, expected, `seed ${seed} mean response`);
    assertClose(r.response.whole_run.count / T, lambda, 0.01, `seed ${seed} throughput`);
    assertClose(r.joules, T * (GPU.idle_w + (GPU.max_w - GPU.idle_w) * rho), 0.005, `seed ${seed} energy`);
  }
});

test("leap ml_inference - 'serve all' batches: mean and p99 response, batch size and energy against closed forms", async () => {
  const T = 1000;
  const s = 4e-3;
  const lambda = 750; // λs = 3
  const busy = s / (s + Math.exp(-3) / lambda);
  for (const seed of [1, 2]) {
    const r = await run("leap", { maxSize: 64, baseMs: 4, perItemMs: 0 }, lambda, T, seed);
    assertWithinCi(r.response.batch_means, LINK_S + s * (1 + busy / 2), `seed ${seed} mean response`);
    assertClose(r.response.p99, LINK_S + 2 * s - (0.01 * s) / busy, 0.05, `seed ${seed} p99 response`);
    assertClose(r.batch.mean, 3 + Math.exp(-3), 0.01, `seed ${seed} mean batch size`);
    assertClose(r.response.whole_run.count / T, lambda, 0.01, `seed ${seed} throughput`);
    assertClose(r.joules, T * (GPU.idle_w + (GPU.max_w - GPU.idle_w) * busy), 0.005, `seed ${seed} energy`);
  }
});

for (const { name, b, rate } of [
  { name: "batches of up to 8", b: { maxSize: 8, baseMs: 2, perItemMs: 0.25 }, rate: 1500 },
  { name: "batches of up to 4, room for 6", b: { maxSize: 4, baseMs: 2, perItemMs: 0.25, limit: 6 }, rate: 1100 },
]) {
  test(`leap ml_inference - ${name}: leap and exact mode agree over three seeds`, async () => {
    const T = 300;
    const seeds = [1, 2, 3];
    const exact: Outcome[] = [];
    const leap: Outcome[] = [];
    for (const seed of seeds) {
      exact.push(await run("exact", b, rate, T, seed));
      leap.push(await run("leap", b, rate, T, seed));
    }
    const avg = (runs: Outcome[], f: (r: Outcome) => number) => mean(runs.map(f));
    const compare = (f: (r: Outcome) => number, tolerance: number, what: string) =>
      assertClose(avg(leap, f), avg(exact, f), tolerance, what);
    // Means over about 10⁶ requests: their noise is well below 1%; leap's first step and a half of pipeline
    // (the GPU idles until the first count arrives) costs 0.5% of energy and throughput over 300 s.
    compare((r) => r.response.mean, 0.02, "mean response");
    compare((r) => r.wait.mean, 0.03, "mean queue wait");
    compare((r) => r.response.p99, 0.05, "p99 response");
    compare((r) => r.batch.mean, 0.02, "mean batch size");
    compare((r) => r.response.whole_run.count, 0.01, "throughput");
    compare((r) => r.joules, 0.01, "GPU energy");
    if (b.limit !== undefined) {
      assert.ok(avg(exact, (r) => r.dropped) > 1000, "the room overflows");
      compare((r) => r.dropped, 0.05, "requests dropped (queue_full)");
    }
  });
}

test("leap ml_inference - behind balancers: round robin (Erlang arrivals) and random (Poisson) agree with exact mode", async () => {
  const T = 200;
  const gpu = (id: string) => ({
    id,
    kind: "ml_inference",
    gpus: GPU,
    batch: { max_size: 8 },
    batch_time: { base: "2ms", per_item: "250us" },
  });
  for (const policy of ["round_robin", "random"]) {
    const runs: Record<string, { mean: number; p99: number; joules: number }> = {};
    for (const mode of ["exact", "leap"] as const) {
      const base = scenario(mode, { maxSize: 8, baseMs: 2, perItemMs: 0.25 }, 3000, T, 1);
      const s = {
        ...base,
        actors: [
          { ...base.actors[0]!, target: "lb" },
          { id: "lb", kind: "load_balancer", replicas: ["g1", "g2"], policy },
          gpu("g1"),
          gpu("g2"),
        ],
        links: ["lb", "g1", "g2"].map((b, i) => ({
          a: i === 0 ? "users" : "lb",
          b,
          latency: "50us",
          bandwidth: "10Gbps",
        })),
      };
      const { summary, joules } = await runScenario(s, dir.path);
      const r = (summary.metrics as unknown as Record<string, Record<string, Stat>>).response_time_s!.client!;
      runs[mode] = { mean: r.mean, p99: r.p99, joules: joules("g1") + joules("g2") };
    }
    // One seed each: about 570,000 requests, the means' noise is well below 1%.
    assertClose(runs.leap!.mean, runs.exact!.mean, 0.02, `${policy}: mean response`);
    assertClose(runs.leap!.p99, runs.exact!.p99, 0.05, `${policy}: p99 response`);
    assertClose(runs.leap!.joules, runs.exact!.joules, 0.015, `${policy}: GPU energy`);
  }
});

test("leap ml_inference - overloaded: full batches back to back, the backlog's wait grows as the fluid limit", async () => {
  const T = 400;
  const b = { maxSize: 4, baseMs: 2, perItemMs: 0.25 };
  const capacity = b.maxSize / ((b.baseMs + b.maxSize * b.perItemMs) / 1000);
  const lambda = 1.5 * capacity;
  const r = await run("leap", b, lambda, T, 1);
  assertClose(r.batch.whole_run.sum / T, capacity, 0.01, "served per second");
  assertClose(r.batch.mean, b.maxSize, 1e-9, "every batch is full");
  // FIFO fluid: the request served at T arrived when λ·t = capacity·T, so it waited T·(1 − capacity/λ).
  assertClose(r.wait.whole_run.max, T * (1 - capacity / lambda), 0.03, "wait of the last request served");
  assertClose(r.joules, T * GPU.max_w, 0.01, "the GPU works all the time");
});

test("leap ml_inference - several GPUs, a batch timer and huge batches run exact; refused only when called directly", () => {
  for (const [field, change] of [
    ["gpus.count", { gpus: { ...GPU, count: 2 } }],
    ["batch.max_wait", { batch: { max_size: 8, max_wait: "1ms" } }],
    ["batch.max_size", { batch: { max_size: 1000 } }],
  ] as const) {
    const s = scenario("leap", { maxSize: 8, baseMs: 2, perItemMs: 0.25 }, 100, 100, 1);
    Object.assign(s.actors[1]!, change);
    assert.deepEqual(validateScenario(s, "fallback").scenario.run.leap?.exact, [1], `${field}: infer runs exact`);
    // A service calling it directly would put a call graph across the exact boundary: refused at the actor.
    const called = {
      ...s,
      actors: [
        { ...s.actors[0]!, target: "api" },
        s.actors[1]!,
        { id: "host", kind: "server", cores: 2, service: { distribution: "exponential", mean: "1ms" } },
        {
          id: "api",
          kind: "service",
          placed_on: "host",
          concurrency: 2,
          cpu: 1,
          service: { distribution: "exponential", mean: "1ms" },
          calls: [{ target: "infer" }],
        },
      ],
      links: [...s.links, { a: "host", b: "infer", latency: "50us", bandwidth: "10Gbps" }],
    };
    assert.throws(
      () => validateScenario(called, "refused"),
      (e: unknown) =>
        e instanceof ScenarioError &&
        e.issues.some((i) => i.path === "actors[1]" && i.message.startsWith(field) && i.message.includes('"api"')),
      field,
    );
  }
});
