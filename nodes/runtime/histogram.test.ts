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

test("histogram - one repeated value gives that value at every quantile", () => {
  for (const value of [1, 7, 100_000_000, 123_456_789]) {
    const h = new Histogram();
    for (let i = 0; i < 1000; i++) h.add(value);
    for (const q of [0, 0.01, 0.5, 0.9, 0.99, 1]) assert.equal(h.quantile(q, value, value), value, `q${q} of ${value}`);
  }
});

test("histogram - quantiles stay within [min, max] and are exact below 16", () => {
  const h = new Histogram();
  const values = [3, 3, 3, 9, 1000, 1001, 1002, 5e6 + 1];
  values.forEach((v) => h.add(v));
  const min = Math.min(...values);
  const max = Math.max(...values);
  for (let q = 0; q <= 1; q += 0.01) {
    const x = h.quantile(q, min, max);
    assert.ok(x >= min && x <= max, `q${q}: ${x} outside [${min}, ${max}]`);
  }
  assert.equal(h.quantile(0.25, min, max), 3); // nearest rank: the 2nd of 8 values
  assert.equal(h.quantile(0.5, min, max), 9);
  assert.equal(h.quantile(1, min, max), max);
  // Two values in one bucket: the first quantile below them is the lower, the top one the upper.
  const two = new Histogram();
  [1000, 1001].forEach((v) => two.add(v));
  assert.equal(two.quantile(0.5, 1000, 1001), 1000);
  assert.equal(two.quantile(1, 1000, 1001), 1001);
});
