import assert from "node:assert/strict";
import { test } from "node:test";
import { seedState, Xoshiro128 } from "./rng.ts";

test("rng - a stream depends only on (run seed, stream name)", () => {
  const a = Xoshiro128.seeded(42, "srv-1");
  const b = Xoshiro128.seeded(42, "srv-1");
  const draws = Array.from({ length: 100 }, () => a.uniform());
  assert.deepEqual(
    Array.from({ length: 100 }, () => b.uniform()),
    draws,
  );
  assert.notDeepEqual(seedState(42, "srv-1"), seedState(42, "srv-2"));
  assert.notDeepEqual(seedState(42, "srv-1"), seedState(43, "srv-1"));
  assert.notDeepEqual(seedState(2 ** 40, "x"), seedState(0, "x"), "seeds above 2^32 are not truncated");
});

test("rng - uniform and exponential draws have the right moments (z < 4)", () => {
  const rng = Xoshiro128.seeded(7, "moments");
  const n = 200_000;
  let sum = 0;
  let sumExp = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    sumExp += rng.exponential(4);
  }
  assert.ok(Math.abs(sum / n - 0.5) / Math.sqrt(1 / 12 / n) < 4, `uniform mean ${sum / n}`);
  assert.ok(Math.abs(sumExp / n - 0.25) / Math.sqrt(1 / 16 / n) < 4, `exponential mean ${sumExp / n}`);
});

test("rng - state is plain data: a copy continues the same stream", () => {
  const rng = Xoshiro128.seeded(3, "copy");
  rng.uniform();
  const copy = new Xoshiro128(structuredClone(rng.state));
  assert.equal(copy.uniform(), rng.uniform());
});
