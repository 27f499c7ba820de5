/**
 * Lognormal and empirical distributions against their closed forms, with seeded streams and tolerances from the
 * sampling error of each estimator (4 standard errors: a false failure about once in 16,000 runs, were the seed
 * not fixed). Also the scenario-level parsing: every way to give a lognormal, and problems named by field path.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  durationDistribution,
  meanOf,
  sampleBytes,
  sampleNs,
  sizeDistribution,
  Z_99,
  type Distribution,
} from "../nodes/models/distributions.ts";
import { Xoshiro128 } from "../nodes/runtime/rng.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { ScenarioError } from "../scenario/issues.ts";

const N = 200_000;

function draws(dist: Distribution, seed: number, sample = sampleNs): number[] {
  const rng = Xoshiro128.seeded(seed, "distribution-test");
  return Array.from({ length: N }, () => sample(dist, rng));
}

function meanVar(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

function within(actual: number, expected: number, stderr: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= 4 * stderr,
    `${what}: ${actual}, expected ${expected} ± ${4 * stderr} (4 standard errors)`,
  );
}

const parse = (spec: unknown) => durationDistribution.parse(spec);

test("distributions - lognormal {mean, sigma}: mean, and the log's mean and variance, match the closed forms", () => {
  const sigma = 0.5;
  const dist = parse({ distribution: "lognormal", mean: "2ms", sigma });
  assert.ok(dist.distribution === "lognormal");
  const median = 2e6 / Math.exp((sigma * sigma) / 2);
  assert.ok(Math.abs(dist.median - median) < 1e-6);
  assert.ok(Math.abs(meanOf(dist) - 2e6) < 1e-6, "meanOf gives the mean back");
  const xs = draws(dist, 1);
  const { mean } = meanVar(xs);
  // Var X = (e^{σ²} − 1)·mean²: the standard error of the sample mean is sqrt(Var X / N).
  within(mean, 2e6, Math.sqrt(((Math.exp(sigma * sigma) - 1) * 4e12) / N), "sample mean (ns)");
  // ln X is normal(ln median, σ²): its sample mean has standard error σ/√N, its sample variance σ²·√(2/(N−1)).
  const logs = meanVar(xs.map(Math.log));
  within(logs.mean, Math.log(median), sigma / Math.sqrt(N), "mean of ln X");
  within(logs.variance, sigma * sigma, sigma * sigma * Math.sqrt(2 / (N - 1)), "variance of ln X");
});

test("distributions - lognormal {median, p99}: half the draws fall below the median and 99% below p99", () => {
  const dist = parse({ distribution: "lognormal", median: "1ms", p99: "8ms" });
  assert.ok(dist.distribution === "lognormal");
  assert.ok(Math.abs(dist.sigma - Math.log(8) / Z_99) < 1e-12);
  const xs = draws(dist, 2);
  for (const [q, at] of [
    [0.5, 1e6],
    [0.99, 8e6],
  ] as const) {
    const below = xs.filter((x) => x < at).length / N;
    within(below, q, Math.sqrt((q * (1 - q)) / N), `share below ${at} ns`);
  }
  const sigma = dist.sigma;
  const { mean } = meanVar(xs);
  within(
    mean,
    1e6 * Math.exp((sigma * sigma) / 2),
    Math.sqrt(((Math.exp(sigma * sigma) - 1) * meanOf(dist) ** 2) / N),
    "sample mean (ns)",
  );
});

test("distributions - empirical with weights: each value's share and the mean match the weights", () => {
  const dist = parse({ distribution: "empirical", values: ["1ms", "2ms", "5ms", "9ms"], weights: [1, 2, 0, 1] });
  const xs = draws(dist, 3);
  const probabilities = [0.25, 0.5, 0, 0.25];
  [1e6, 2e6, 5e6, 9e6].forEach((v, i) => {
    const p = probabilities[i]!;
    within(xs.filter((x) => x === v).length / N, p, Math.sqrt((p * (1 - p)) / N), `share of ${v} ns`);
  });
  assert.equal(meanOf(dist), 0.25 * 1e6 + 0.5 * 2e6 + 0.25 * 9e6);
  const { mean, variance } = meanVar(xs);
  within(mean, meanOf(dist), Math.sqrt(variance / N), "sample mean (ns)");
});

test("distributions - empirical without weights is uniform over the values; sizes take the same variants", () => {
  const dist = parse({ distribution: "empirical", values: ["10us", "20us", "30us"] });
  const xs = draws(dist, 4);
  for (const v of [1e4, 2e4, 3e4])
    within(xs.filter((x) => x === v).length / N, 1 / 3, Math.sqrt(2 / 9 / N), `share of ${v} ns`);
  const sizes = sizeDistribution().parse({ distribution: "lognormal", median: "4KiB", sigma: 0.3 });
  const bytes = draws(sizes, 5, sampleBytes);
  within(meanVar(bytes.map(Math.log)).mean, Math.log(4096), 0.3 / Math.sqrt(N), "mean of ln bytes");
  assert.ok(bytes.every((b) => Number.isInteger(b) && b >= 1));
});

test("distributions - invalid specs are reported with their field paths", () => {
  const scenario = (service: unknown) => ({
    run: { duration: "1s" },
    actors: [
      { id: "c", kind: "client", target: "s", arrivals: { process: "poisson", rate_per_s: 1 } },
      { id: "s", kind: "server", service },
    ],
    links: [{ a: "c", b: "s", latency: "10us" }],
  });
  const problems = (service: unknown) => {
    try {
      validateScenario(scenario(service), "t");
    } catch (error) {
      if (error instanceof ScenarioError) return error.issues.map((i) => `${i.path}: ${i.message}`);
      throw error;
    }
    return [];
  };
  assert.deepEqual(problems({ distribution: "lognormal", mean: "1ms", median: "1ms", sigma: 1 }), [
    "actors[1].service.median: give either mean or median, not both",
  ]);
  assert.deepEqual(problems({ distribution: "lognormal", median: "2ms", p99: "1ms" }), [
    "actors[1].service.p99: must be greater than median",
  ]);
  assert.deepEqual(problems({ distribution: "lognormal", mean: "2ms" }), [
    "actors[1].service.sigma: expected sigma (the shape) or p99 (with median)",
  ]);
  assert.deepEqual(problems({ distribution: "empirical", values: ["1ms", "2ms"], weights: [1] }), [
    "actors[1].service.weights: expected one weight per value (2), got 1",
  ]);
  assert.deepEqual(problems({ distribution: "empirical", values: ["1ms"], weights: [0] }), [
    "actors[1].service.weights: expected at least one positive weight",
  ]);
  assert.equal(problems({ distribution: "empirical", values: ["1Ms"] }).length, 1, "units stay case-sensitive");
  assert.match(problems({ distribution: "empirical", values: ["1Ms"] })[0]!, /^actors\[1\]\.service\.values\[0\]: /);
});
