/**
 * The estimators on Gillespie trajectories of the reference models. Fixed seeds keep the tests deterministic;
 * tolerances are statistical (z < 4 against an estimated standard error), not tuned to the seeds.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createSeededUniform,
  detailedBalanceTest,
  drivenRingSpec,
  estimateSigma,
  estimateSigmaWithErrors,
  mm1QueueSpec,
  simulateGillespie,
  solveMarkovModel,
  twoCycleNetworkSpec,
  type MarkovModelSpec,
} from "./index.ts";
import { assertZ, mean, sampleSd } from "./testing.ts";

const BATCHES = 25;

function runWithErrors(spec: MarkovModelSpec, durationS: number, seed: number) {
  const run = simulateGillespie(spec, { durationS, uniform: createSeededUniform(seed), batches: BATCHES });
  return estimateSigmaWithErrors(run.batches!);
}

test("estimators - σ̂ converges to the exact σ at several run lengths (z < 4, jackknife SE)", () => {
  const cases: [string, MarkovModelSpec][] = [
    ["driven ring N=5", drivenRingSpec(5, 2.5, 0.5)],
    ["two-cycle network", twoCycleNetworkSpec()],
    [
      "M/M/1 mechanism-resolved",
      mm1QueueSpec({
        arrivalPerS: 1,
        servicePerS: 2,
        arrivalReversePerS: 0.1,
        serviceReversePerS: 0.05,
        maxLength: 40,
      }),
    ],
  ];
  for (const [name, spec] of cases) {
    const exact = solveMarkovModel(spec).sigmaKbPerS;
    const scaled: number[] = [];
    for (const [durationS, seed] of [
      [1000, 11],
      [4000, 12],
      [16000, 13],
    ] as const) {
      const r = runWithErrors(spec, durationS, seed);
      const what = `${name}, T = ${durationS}`;
      assertZ(r.estimate.sigmaKbPerS, exact, r.jackknife.stderrKbPerS, `${what}, pooled`);
      assertZ(r.jackknife.biasCorrectedKbPerS, exact, r.jackknife.stderrKbPerS, `${what}, bias-corrected`);
      assertZ(r.estimate.sigmaKbPerS, exact, r.batchMeans.stderrKbPerS, `${what}, batch means`);
      scaled.push(r.jackknife.stderrKbPerS * Math.sqrt(durationS));
    }
    // Convergence: the error bar shrinks like 1/√T (SE·√T constant; each SE from 25 batches is good to ~15%).
    assert.ok(Math.max(...scaled) / Math.min(...scaled) < 2.5, `${name}: SE·√T = ${scaled.map((x) => x.toFixed(3))}`);
  }
});

test("estimators - jackknife standard error matches the run-to-run spread", () => {
  const spec = drivenRingSpec(5, 2.5, 0.5);
  const exact = solveMarkovModel(spec).sigmaKbPerS;
  const runs = 40;
  const z = Array.from({ length: runs }, (_, r) => {
    const e = runWithErrors(spec, 1000, 500 + r);
    return (e.estimate.sigmaKbPerS - exact) / e.jackknife.stderrKbPerS;
  });
  // z is ~ Student t with 24 dof: mean 0, sd ≈ 1.04; the sd of 40 draws is known to ±1/√(2·39).
  assertZ(mean(z), 0, sampleSd(z) / Math.sqrt(runs), "mean z");
  assert.ok(Math.abs(sampleSd(z) - 1.04) < 4 / Math.sqrt(2 * (runs - 1)), `sd z = ${sampleSd(z)}`);
});

/** Equilibrium models: a uniform ring (C = 1) and the two-cycle graph with detailed-balance rates (C = 2). */
function equilibriumRuns(): { name: string; cycles: number; tests: ReturnType<typeof detailedBalanceTest>[] }[] {
  const energy = [0, 0.5, 1, -0.3];
  const db = twoCycleNetworkSpec();
  for (const t of db.transitions) t.rate = Math.exp(-(energy[Number(t.to) - 1]! - energy[Number(t.from) - 1]!) / 2);
  const models: [string, MarkovModelSpec, number][] = [
    ["equilibrium ring", drivenRingSpec(5, 1, 1), 1],
    ["detailed-balance two-cycle graph", db, 2],
  ];
  return models.map(([name, spec, cycles], m) => {
    assert.ok(solveMarkovModel(spec).sigmaKbPerS < 1e-14, `${name} is at equilibrium`);
    const tests = Array.from({ length: 300 }, (_, r) => {
      const run = simulateGillespie(spec, { durationS: 1000, uniform: createSeededUniform(10_000 * (m + 1) + r) });
      return detailedBalanceTest(estimateSigma(run.counts, run.durationS));
    });
    return { name, cycles, tests };
  });
}
const equilibrium = equilibriumRuns();

test("estimators - under detailed balance the G statistic has mean C", () => {
  for (const { name, cycles, tests } of equilibrium) {
    assert.ok(
      tests.every((t) => t.dof === cycles),
      `${name}: C = ${cycles}`,
    );
    const stats = tests.map((t) => t.statistic);
    // G → χ²_C: mean C (its sd, √(2C), is estimated from the runs).
    assertZ(mean(stats), cycles, sampleSd(stats) / Math.sqrt(stats.length), `${name}: mean G`);
    assert.ok(stats.every((s) => s >= 0 && Number.isFinite(s)));
  }
});

test("detailed balance - p-values under equilibrium are uniform (Kolmogorov–Smirnov over 300 seeds)", () => {
  for (const { name, tests } of equilibrium) {
    const p = tests.map((t) => t.pValue).sort((a, b) => a - b);
    const n = p.length;
    const d = Math.max(...p.map((x, i) => Math.max((i + 1) / n - x, x - i / n)));
    // Asymptotic Kolmogorov distribution: P(√n·D > x) = 2 Σ (−1)^{k−1} exp(−2k²x²).
    const x = Math.sqrt(n) * d;
    let tail = 0;
    for (let k = 1; k <= 100; k++) tail += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * x * x);
    assert.ok(tail > 0.01, `${name}: KS D = ${d.toFixed(4)}, p = ${tail.toExponential(2)}`);
  }
});

test("estimators - on a tree (M/M/1 queue-length graph) σ̂ ≈ 0", () => {
  const spec = mm1QueueSpec({ arrivalPerS: 1, servicePerS: 2, maxLength: 30 });
  for (const seed of [1, 2, 3]) {
    const run = simulateGillespie(spec, { durationS: 5000, uniform: createSeededUniform(seed) });
    const e = estimateSigma(run.counts, run.durationS);
    assert.equal(e.independentCycles, 0);
    // Net counts on a tree edge are 0 or ±1 (each crossing up must come back down), so T·σ̂ stays O(1/n).
    for (const x of e.edges) assert.ok(Math.abs(x.forwardCount - x.reverseCount) <= 1);
    assert.ok(e.sigmaKbPerS * e.durationS < 1, `T·σ̂ = ${e.sigmaKbPerS * e.durationS}`);
    assert.equal(detailedBalanceTest(e).reject, false);
  }
});

test("detailed balance - χ² test holds at 95% on equilibrium models", () => {
  for (const { name, tests } of equilibrium) {
    const n = tests.length;
    const rejected = tests.filter((t) => t.reject).length;
    // Rejections ~ Binomial(n, 0.05); p-values ~ Uniform(0, 1) with mean ½ and sd 1/√12.
    assertZ(rejected, 0.05 * n, Math.sqrt(n * 0.05 * 0.95), `${name}: rejections`);
    assertZ(mean(tests.map((t) => t.pValue)), 0.5, 1 / Math.sqrt(12 * n), `${name}: mean p-value`);
    assert.ok(tests.every((t) => t.reject === t.pValue < 0.05));
  }
});

test("detailed balance - χ² test rejects a weakly driven ring", () => {
  // k+ = 1.2, k− = 1: G ≈ σ·T/2 = 0.2·ln 1.2·5000/2 ≈ 91 against a threshold χ²_{1,.95} ≈ 3.84.
  const spec = drivenRingSpec(5, 1.2, 1);
  for (let seed = 1; seed <= 20; seed++) {
    const run = simulateGillespie(spec, { durationS: 5000, uniform: createSeededUniform(seed) });
    const t = detailedBalanceTest(estimateSigma(run.counts, run.durationS));
    assert.equal(t.dof, 1);
    assert.ok(t.reject && t.pValue < 1e-6, `seed ${seed}: G = ${t.statistic}, p = ${t.pValue}`);
  }
});
