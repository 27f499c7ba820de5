/**
 * Scenario values with units. Each accepts a string with a unit ("250us", "10Gbps", "64KiB") or a bare number in
 * the base unit (seconds, bits per second, bytes) and resolves to the integer the runtime uses.
 */
import { z } from "zod";
import { describe, MAX_COUNT, MAX_RATE_PER_S, MAX_SIZE_BYTES } from "./limits.ts";
import { BANDWIDTH_BPS, durationRules, type QuantityRules, resolveQuantity, SIZE_BYTES } from "./unit-text.ts";

function quantity(
  what: string,
  example: string,
  baseUnit: string,
  rules: QuantityRules,
  opts: { maxText: string; smallest: string },
) {
  const expected = `expected ${rules.positive ? "a positive" : "a non-negative"} ${what} like "${example}" or a number of ${baseUnit}`;
  return z.union([z.string(), z.number()], { error: expected }).transform((value, ctx) => {
    const result = resolveQuantity(value, rules);
    if ("value" in result) return result.value;
    const shown = JSON.stringify(value).slice(0, 40);
    const message = {
      malformed: `${expected} (got ${shown})`,
      "too-large": `expected a ${what} ${opts.maxText} (got ${shown})`,
      "too-small": `expected a ${what} of at least ${opts.smallest} (got ${shown})`,
    }[result.problem];
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  });
}

/** A duration, resolved to integer nanoseconds. Bare numbers are seconds. */
export const duration = (opts: { positive: boolean } = { positive: true }) =>
  quantity("duration", "250us", "seconds", durationRules(opts.positive), { maxText: describe.time, smallest: "1ns" });

/** A bandwidth, resolved to bits per second. Bare numbers are bits per second. */
export const bandwidth = () =>
  quantity(
    "bandwidth",
    "10Gbps",
    "bits per second",
    { units: BANDWIDTH_BPS, baseFactor: 1, positive: true, max: 1e18 },
    { maxText: "of at most 1 Ebps", smallest: "1bps" },
  );

/** A size, resolved to whole bytes. Bare numbers are bytes. */
export const size = () =>
  quantity(
    "size",
    "1500B",
    "bytes",
    { units: SIZE_BYTES, baseFactor: 1, positive: true, max: MAX_SIZE_BYTES },
    { maxText: describe.size, smallest: "1B" },
  );

/** A rate in events per second. */
export const ratePerSecond = () =>
  z
    .number({ error: "expected a positive number (per second)" })
    .positive({ error: "expected a positive number (per second)" })
    .max(MAX_RATE_PER_S, { error: `expected a rate ${describe.rate}` });

/** A power in watts (a bare non-negative number; the field name carries the unit, e.g. `idle_w`). */
export const watts = () =>
  z
    .number({ error: "expected a non-negative power in watts" })
    .nonnegative({ error: "expected a non-negative power in watts" })
    .finite({ error: "expected a non-negative power in watts" });

/** An energy in joules (a bare non-negative number, e.g. `energy_per_bit_j: 5e-12`). */
export const joules = () =>
  z
    .number({ error: "expected a non-negative energy in joules" })
    .nonnegative({ error: "expected a non-negative energy in joules" })
    .finite({ error: "expected a non-negative energy in joules" });

/** A whole count (cores, replicas, users) at least `min`. */
export const count = (min = 1, message = `expected a whole number of at least ${min}`) => {
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(MAX_COUNT, { error: `expected ${describe.count}` });
};
