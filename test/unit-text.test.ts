/** Units as text without zod (spec/unit-text.ts): the rules the scenario's schemas (spec/units.ts) and CLI flags share. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_TIME_NS } from "../spec/limits.ts";
import { durationRules, parseDurationFlag, resolveQuantity, SIZE_BYTES } from "../spec/unit-text.ts";
import { duration } from "../spec/units.ts";

test("unit text - durations resolve to whole nanoseconds; bare numbers are seconds", () => {
  const rules = durationRules(true);
  assert.deepEqual(resolveQuantity("250us", rules), { value: 250_000 });
  assert.deepEqual(resolveQuantity("1.5", rules), { problem: "malformed" }); // text needs a unit
  assert.deepEqual(resolveQuantity(1.5, rules), { value: 1_500_000_000 });
  assert.deepEqual(resolveQuantity("2min", rules), { value: 120e9 });
  assert.deepEqual(resolveQuantity("7d", rules), { value: 7 * 86_400e9 });
  assert.deepEqual(resolveQuantity("105d", rules), { problem: "too-large" }); // 2^53 ns is 104.2 days
  assert.deepEqual(resolveQuantity("1M", rules), { problem: "malformed" }); // units are case-sensitive
  assert.deepEqual(resolveQuantity("0.4ns", rules), { problem: "too-small" });
  assert.deepEqual(resolveQuantity(0, rules), { problem: "malformed" });
  assert.deepEqual(resolveQuantity(0, durationRules(false)), { value: 0 });
  assert.deepEqual(resolveQuantity("1e9h", rules), { problem: "too-large" });
  assert.ok(3600e9 * 1e9 > MAX_TIME_NS);
  const sizes = { units: SIZE_BYTES, baseFactor: 1, positive: true, max: 2 ** 40 };
  assert.deepEqual(resolveQuantity("64KiB", sizes), { value: 65_536 });
});

test("unit text - a CLI duration flag: seconds or text with a unit, else a plain message naming the flag", () => {
  assert.equal(parseDurationFlag("--x", "30"), 30e9);
  assert.equal(parseDurationFlag("--x", "2.5s"), 2.5e9);
  assert.equal(parseDurationFlag("--x", "100ms"), 100e6);
  assert.equal(parseDurationFlag("--x", "2d"), 2 * 86_400e9);
  for (const bad of ["0", "-1s", "200y", "1000000000000h", ""])
    assert.throws(() => parseDurationFlag("--x", bad), {
      message: `--x: expected a positive duration like "30s" or a number of seconds, got ${JSON.stringify(bad)}`,
    });
});

test("unit text - the scenario's duration schema gives the same values and names the problem", () => {
  assert.equal(duration().parse("250us"), 250_000);
  assert.equal(duration().parse(2), 2e9);
  const issue = (value: unknown) => duration().safeParse(value).error?.issues[0]?.message;
  assert.equal(issue("0.4ns"), 'expected a duration of at least 1ns (got "0.4ns")');
  assert.equal(issue("fast"), 'expected a positive duration like "250us" or a number of seconds (got "fast")');
  assert.equal(issue(1e7), "expected a duration below 2^53 ns (104 days) (got 10000000)");
});
