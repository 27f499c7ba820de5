import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createSeededUniform,
  drivenRingSpec,
  estimateTur,
  simulateGillespie,
  solveMarkovModel,
  turSingleCycleQ,
  turValues,
} from "./index.ts";
import { assertRel, assertZ } from "./testing.ts";

test("tur - closed form Q = a·coth(a/2) on a ring with k− = 1", () => {
  assertRel(turSingleCycleQ(Math.log(1.1)), 2.00151377589, 1e-9, "k+ = 1.1");
  assertRel(turSingleCycleQ(Math.log(2)), 2.07944154168, 1e-9, "k+ = 2");
  assertRel(turSingleCycleQ(Math.log(10)), 2.81427066921, 1e-9, "k+ = 10");
  assert.equal(turSingleCycleQ(0), 2);
  assertRel(turSingleCycleQ(-Math.log(10)), 2.81427066921, 1e-9, "even in a");
  // Series and exact branches meet smoothly.
  assertRel(turSingleCycleQ(0.99999e-4), turSingleCycleQ(1.00001e-4), 1e-12, "continuity");
  assertRel(turSingleCycleQ(50), 50, 1e-15, "large a");
});

test("tur - the closed form equals σ·Var/⟨J⟩² of the exact ring (any N)", () => {
  for (const [n, kp] of [
    [3, 1.1],
    [5, 2],
    [8, 10],
  ] as const) {
    const sigma = solveMarkovModel(drivenRingSpec(n, kp, 1)).sigmaKbPerS;
    // Displacement of a uniform ring: mean (k+ − k−)t, variance (k+ + k−)t.
    const v = turValues(kp - 1, kp + 1, 1, sigma);
    assertRel(v.precisionCostQ!, turSingleCycleQ(Math.log(kp)), 1e-12, `N=${n} k+=${kp}`);
    assertRel(v.etaTur!, 2 / v.precisionCostQ!, 1e-15, "η");
    assert.ok(v.sigmaTurKbPerS! <= sigma);
  }
  assert.deepEqual(turValues(0, 1, 1, 1), { sigmaTurKbPerS: 0, precisionCostQ: null, etaTur: 0 });
});

test("tur - estimator on a simulated ring approaches the closed form", () => {
  for (const kp of [2, 10]) {
    const spec = drivenRingSpec(3, kp, 1);
    const sigma = solveMarkovModel(spec).sigmaKbPerS;
    const q = turSingleCycleQ(Math.log(kp));
    const weights = spec.transitions.map((_, k) => (k % 2 === 0 ? 1 : -1)); // +1 forward hop, −1 back
    for (const [durationS, seed] of [
      [4000, 1],
      [30000, 2],
    ] as const) {
      const run = simulateGillespie(spec, {
        durationS,
        uniform: createSeededUniform(seed),
        current: { weights, windowS: 1 },
      });
      const t = estimateTur(run.currentWindows!, 1, sigma);
      assert.equal(t.windows, durationS);
      assertZ(t.precisionCostQ!, q, t.stderr!.precisionCostQ!, `Q k+=${kp} T=${durationS}`);
      assertZ(t.sigmaTurKbPerS!, (2 * sigma) / q, t.stderr!.sigmaTurKbPerS!, `σ_TUR k+=${kp}`);
      assertZ(t.etaTur!, 2 / q, t.stderr!.etaTur!, `η_TUR k+=${kp}`);
    }
  }
});

test("tur - windows and blocks", () => {
  const t = estimateTur([1, 3, 1, 3], 2, 5);
  assert.equal(t.meanPerWindow, 2);
  assertRel(t.variancePerWindow, 4 / 3, 1e-15, "sample variance");
  assertRel(t.precisionCostQ!, (5 * 2 * (4 / 3)) / 4, 1e-15, "Q");
  assert.equal(t.stderr, null, "too few windows for 20 blocks");
  assert.throws(() => estimateTur([1], 1, 1), RangeError);
});
