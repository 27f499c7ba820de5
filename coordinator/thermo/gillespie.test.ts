import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createSeededUniform,
  drivenRingSpec,
  simulateGillespie,
  solveMarkovModel,
  twoCycleNetworkSpec,
} from "./index.ts";
import { assertZ, mean, sampleSd } from "./testing.ts";

test("gillespie - same seed, same trajectory; batches and windows add up", () => {
  const spec = twoCycleNetworkSpec();
  const weights = spec.transitions.map((_, k) => (k === 0 ? 1 : k === 1 ? -1 : 0)); // J12
  const run = (seed: number) =>
    simulateGillespie(spec, {
      durationS: 500,
      uniform: createSeededUniform(seed),
      batches: 10,
      current: { weights, windowS: 10 },
    });
  const a = run(3);
  assert.deepEqual(run(3), a);
  assert.notDeepEqual(run(4).counts, a.counts);
  const total = a.counts.reduce((s, c) => s + c.count, 0);
  assert.equal(total, a.jumps);
  assert.ok(Math.abs(a.timeInStateS.reduce((s, t) => s + t, 0) - 500) < 1e-9);
  assert.equal(a.batches!.length, 10);
  a.counts.forEach((c, k) =>
    assert.equal(
      a.batches!.reduce((s, b) => s + b.counts[k]!.count, 0),
      c.count,
    ),
  );
  assert.equal(a.currentWindows!.length, 50);
  assert.equal(
    a.currentWindows!.reduce((s, x) => s + x, 0),
    a.counts[0]!.count - a.counts[1]!.count,
  );
  assert.equal(simulateGillespie(spec, { durationS: 1, uniform: () => 0.999999, initialState: "3" }).counts.length, 10);
  assert.throws(() => simulateGillespie(spec, { durationS: 1, uniform: Math.random, initialState: "x" }), RangeError);
});

test("gillespie - occupation and one-way fluxes match the exact steady state", () => {
  const spec = twoCycleNetworkSpec();
  const exact = solveMarkovModel(spec);
  const runs = Array.from({ length: 20 }, (_, r) =>
    simulateGillespie(spec, { durationS: 2000, uniform: createSeededUniform(100 + r) }),
  );
  exact.states.forEach((s, i) => {
    const fractions = runs.map((run) => run.timeInStateS[i]! / run.durationS);
    assertZ(mean(fractions), s.probability, sampleSd(fractions) / Math.sqrt(runs.length), `p_${s.state}`);
  });
  spec.transitions.forEach((t, k) => {
    const p = exact.states.find((s) => s.state === t.from)!.probability;
    const rates = runs.map((run) => run.counts[k]!.count / run.durationS);
    assertZ(mean(rates), p * t.rate, sampleSd(rates) / Math.sqrt(runs.length), `φ ${t.from}→${t.to}`);
  });
});

test("gillespie - uniform driven ring: displacement mean 2T, variance 3T", () => {
  // k+ = 5/2, k− = 1/2: increments over disjoint windows are independent Skellam variables.
  const spec = drivenRingSpec(5, 2.5, 0.5);
  const weights = spec.transitions.map((_, k) => (k % 2 === 0 ? 1 : -1));
  for (const windowS of [1, 4]) {
    const run = simulateGillespie(spec, {
      durationS: 20000,
      uniform: createSeededUniform(windowS),
      current: { weights, windowS },
    });
    const xs = run.currentWindows!;
    const m = xs.length;
    const mu = mean(xs);
    const v = sampleSd(xs) ** 2;
    assertZ(mu, 2 * windowS, Math.sqrt((3 * windowS) / m), `mean τ=${windowS}`);
    // Var of a sample variance: (κ4 + 2κ2²)/m with κ2 = κ4 = 3τ.
    assertZ(v, 3 * windowS, Math.sqrt((3 * windowS + 2 * (3 * windowS) ** 2) / m), `variance τ=${windowS}`);
  }
});
