import assert from "node:assert/strict";
import { test } from "node:test";
import {
  chiSquareCdf,
  chiSquareQuantile,
  chiSquareSurvival,
  createSeededUniform,
  fluxForceProduct,
  logRatio,
  solveDense,
  SingularMatrixError,
} from "./index.ts";
import { assertAbs, assertRel } from "./testing.ts";

test("numerics - (a − b)·ln(a/b) is careful when a ≈ b and for huge values", () => {
  assert.equal(fluxForceProduct(3, 3), 0);
  assert.equal(fluxForceProduct(0, 0), 0);
  assert.equal(fluxForceProduct(0, 2), Infinity, "callers route one-sided pairs to the irreversible list");
  // a = 1e15 + 1, b = 1e15: ln a − ln b is all rounding; the exact value is ≈ 1/(1e15 + 0.5).
  assertRel(fluxForceProduct(1e15 + 1, 1e15), 1 / (1e15 + 0.5), 1e-12, "near-equal huge");
  assertRel(logRatio(1e15 + 1, 1e15), 1 / (1e15 + 0.5), 1e-12, "ln ratio");
  const d = 1.0000001 - 1; // exact (Sterbenz)
  assertRel(fluxForceProduct(1 + d, 1), d * Math.log1p(d), 1e-12, "series branch");
  // At the edge of the series (|x| just below 1e-4) its higher terms matter at the 3e-9 level.
  for (const e of [1.9e-4, 2.1e-4, 1e-3]) {
    const de = 1 + e - 1;
    assertRel(fluxForceProduct(1 + de, 1), de * Math.log1p(de), 1e-14, `x ≈ ${e / 2}`);
  }
  assertRel(fluxForceProduct(1.3, 1), 0.3 * Math.log(1.3), 1e-14, "atanh branch");
  assertRel(fluxForceProduct(1e300, 1e299), 9e299 * Math.log(10), 1e-14, "no overflow");
  assertRel(fluxForceProduct(1.7e308, 1.6e308), 1e307 * Math.log(1.7 / 1.6), 1e-12, "a + b would overflow");
  assertRel(fluxForceProduct(1e-300, 1e-310), (1e-300 - 1e-310) * Math.log(1e10), 1e-12, "tiny");
  // Symmetric, never negative, never NaN, across scales.
  const u = createSeededUniform(7);
  for (let i = 0; i < 20000; i++) {
    const a = 10 ** (40 * u() - 20);
    const b = u() < 0.3 ? a * (1 + (u() - 0.5) * 1e-9) : 10 ** (40 * u() - 20);
    const v = fluxForceProduct(a, b);
    assert.ok(Number.isFinite(v) && v >= 0, `${a}, ${b} → ${v}`);
    assert.equal(v, fluxForceProduct(b, a));
  }
});

test("numerics - dense solve with partial pivoting", () => {
  const x = solveDense(Float64Array.from([0, 2, 1, 1, 1, 1, 2, 0, 3]), Float64Array.from([7, 6, 11]), 3);
  [1, 2, 3].forEach((v, i) => assertRel(x[i]!, v, 1e-14, `x${i}`));
  assert.throws(() => solveDense(Float64Array.from([1, 2, 2, 4]), Float64Array.from([1, 2]), 2), SingularMatrixError);
});

test("numerics - chi-square quantiles and tails", () => {
  assertRel(chiSquareQuantile(0.95, 1), 3.841458820694124, 1e-9, "χ²_{1,.95}");
  assertRel(chiSquareQuantile(0.95, 2), -2 * Math.log(0.05), 1e-9, "χ²_{2,.95} = −2 ln 0.05");
  assertRel(chiSquareQuantile(0.95, 5), 11.070497693516351, 1e-9, "χ²_{5,.95}");
  assertRel(chiSquareQuantile(0.95, 30), 43.77297182574219, 1e-9, "χ²_{30,.95}");
  // dof 2 is exponential: P(χ² > x) = e^{−x/2}.
  for (const x of [0.1, 1, 5, 20]) assertRel(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-9, `tail ${x}`);
  assertAbs(chiSquareCdf(chiSquareQuantile(0.3, 7), 7), 0.3, 1e-10, "cdf ∘ quantile");
  assert.equal(chiSquareCdf(0, 3), 0);
  assert.equal(chiSquareSurvival(1e6, 1), 0);
});
