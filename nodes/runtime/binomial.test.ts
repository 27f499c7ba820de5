import assert from "node:assert/strict";
import { test } from "node:test";
import { drawBinomial } from "./binomial.ts";
import { Xoshiro128 } from "./rng.ts";

/** Binomial(n, p) probabilities by the ratio recurrence f(k) = f(k − 1)·(n − k + 1)/k · p/q. */
function pmf(n: number, p: number): number[] {
  const f = [(1 - p) ** n];
  for (let k = 1; k <= n; k++) f.push((f[k - 1]! * (n - k + 1) * p) / (k * (1 - p)));
  return f;
}

/** Pearson's χ² of the draws against the law, cells with fewer than 20 expected lumped; and its degrees of freedom. */
function chiSquare(draws: readonly number[], law: readonly number[]): { chi2: number; dof: number } {
  const seen = new Array<number>(law.length).fill(0);
  for (const k of draws) seen[k]!++;
  let chi2 = 0;
  let cells = 0;
  let lumpSeen = 0;
  let lumpExpected = 0;
  law.forEach((prob, k) => {
    const expected = prob * draws.length;
    if (expected < 20) {
      lumpSeen += seen[k]!;
      lumpExpected += expected;
      return;
    }
    chi2 += (seen[k]! - expected) ** 2 / expected;
    cells++;
  });
  if (lumpExpected > 0) {
    chi2 += (lumpSeen - lumpExpected) ** 2 / lumpExpected;
    cells++;
  }
  return { chi2, dof: cells - 1 };
}

test("binomial - draws follow the law on both algorithms (geometric waiting below n·p = 10, BTRS above) and p > 1/2", () => {
  const rng = Xoshiro128.seeded(7, "binomial");
  // n·p from 2 to 300 crosses the switch; (100, 0.2) is where @stdlib/random-base-binomial 0.2.2 has mean 20.47.
  for (const [n, p] of [
    [20, 0.1],
    [100, 0.09],
    [100, 0.1],
    [100, 0.2],
    [50, 0.8],
    [1000, 0.3],
  ] as const) {
    const draws = Array.from({ length: 100_000 }, () => drawBinomial(n, p, rng));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const se = Math.sqrt((n * p * (1 - p)) / draws.length);
    assert.ok(Math.abs(mean - n * p) < 4 * se, `(${n}, ${p}): mean ${mean}, ${(mean - n * p) / se} standard errors`);
    const { chi2, dof } = chiSquare(draws, pmf(n, p));
    // Wilson–Hilferty: the 99.99% point of χ² with `dof` degrees of freedom (z = 3.72).
    const limit = dof * (1 - 2 / (9 * dof) + 3.72 * Math.sqrt(2 / (9 * dof))) ** 3;
    assert.ok(
      chi2 < limit,
      `(${n}, ${p}): χ² ${chi2.toFixed(1)} on ${dof} degrees of freedom (limit ${limit.toFixed(1)})`,
    );
  }
});

test("binomial - edge cases take no draw", () => {
  const never = { uniform: () => assert.fail("no draw expected") };
  assert.equal(drawBinomial(0, 0.5, never), 0);
  assert.equal(drawBinomial(10, 0, never), 0);
  assert.equal(drawBinomial(10, 1, never), 10);
});
