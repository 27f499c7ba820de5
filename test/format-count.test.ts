/**
 * formatCount (spec/limits.ts) writes thousands separators itself instead of loading ICU: checked against
 * Intl's en-US formatting over whole numbers of every length, negative ones and the documented bounds.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatCount,
  MAX_ACTORS,
  MAX_COUNT,
  MAX_LINKS,
  MAX_REFERENCED_FILE_BYTES,
  MAX_TIME_NS,
} from "../spec/limits.ts";

test("formatCount matches en-US grouping for whole numbers", () => {
  const values = [0, MAX_ACTORS, MAX_COUNT, MAX_LINKS, MAX_REFERENCED_FILE_BYTES, MAX_TIME_NS];
  for (let digits = 1; digits <= 16; digits++) {
    const base = 10 ** (digits - 1);
    values.push(base, base * 9 + 7, 10 * base - 1);
  }
  for (const value of values.filter(Number.isSafeInteger)) {
    assert.equal(formatCount(value), value.toLocaleString("en-US"), `${value}`);
    if (value !== 0) assert.equal(formatCount(-value), (-value).toLocaleString("en-US"), `${-value}`);
  }
});
