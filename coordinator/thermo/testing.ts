/** Assertions and small statistics shared by the thermo tests (not part of the public API). */
import assert from "node:assert/strict";

export function assertRel(actual: number, expected: number, rel = 1e-9, what = ""): void {
  const ok = Math.abs(actual - expected) <= rel * Math.abs(expected);
  assert.ok(
    ok,
    `${what} ${actual} vs ${expected}: relative error ${Math.abs(actual - expected) / Math.abs(expected)} > ${rel}`,
  );
}

export function assertAbs(actual: number, expected: number, abs: number, what = ""): void {
  assert.ok(Math.abs(actual - expected) <= abs, `${what} ${actual} vs ${expected}: |error| > ${abs}`);
}

/** |estimate − exact| / stderr < 4: the statistical tolerance of docs/thermo.md. */
export function assertZ(estimate: number, exact: number, stderr: number, what = ""): void {
  assert.ok(stderr > 0 && Number.isFinite(stderr), `${what}: bad standard error ${stderr}`);
  const z = (estimate - exact) / stderr;
  assert.ok(Math.abs(z) < 4, `${what}: ${estimate} vs ${exact}, SE ${stderr}, z = ${z.toFixed(2)}`);
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

export function sampleSd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}
