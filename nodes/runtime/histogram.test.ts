import assert from "node:assert/strict";
import { test } from "node:test";
import { bucketBounds, bucketIndex, Histogram } from "./histogram.ts";

test("histogram - every value falls inside its bucket, and buckets are at most 1/16 of their value wide", () => {
  for (const v of [0, 1, 15, 16, 17, 31, 32, 100, 1023, 1024, 123_456_789, 2 ** 40 + 5]) {
    const [lo, hi] = bucketBounds(bucketIndex(v));
    assert.ok(lo <= v && v < hi, `${v} not in [${lo}, ${hi})`);
    if (v >= 16) assert.ok((hi - lo) / lo <= 1 / 16);
  }
});

test("histogram - quantiles of an exponential sample are within bucket resolution", () => {
  const h = new Histogram();
  const n = 100_000;
  for (let i = 0; i < n; i++) h.add(-1e6 * Math.log(1 - (i + 0.5) / n)); // exact exponential quantiles, mean 1e6
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = -1e6 * Math.log(1 - q);
    assert.ok(Math.abs(h.quantile(q) - exact) / exact < 0.04, `q${q}: ${h.quantile(q)} vs ${exact}`);
  }
});

test("histogram - merging is order-independent", () => {
  const a = new Histogram();
  const b = new Histogram();
  [5, 500, 5e6].forEach((v) => a.add(v));
  [7, 7e3].forEach((v) => b.add(v));
  const ab = new Histogram();
  ab.merge(a);
  ab.merge(b);
  const ba = new Histogram();
  ba.merge(b);
  ba.merge(a);
  assert.deepEqual(ab.toArrays(), ba.toArrays());
  assert.equal(ab.total, 5);
});

test("histogram - the integer bucket path below 2^32 gives the floating-point formula's index", () => {
  const byLog2 = (v: number) => {
    const exponent = Math.floor(Math.log2(v));
    return (exponent - 3) * 16 + (Math.floor(v / 2 ** (exponent - 4)) - 16);
  };
  for (let k = 4; k <= 32; k++) {
    for (let d = -20; d <= 20; d++) {
      const v = 2 ** k + d;
      if (v >= 16) assert.equal(bucketIndex(v), byLog2(v), `${v}`);
      if (v + 0.5 >= 16) assert.equal(bucketIndex(v + 0.5), byLog2(Math.floor(v + 0.5)), `${v + 0.5}`);
    }
  }
});
