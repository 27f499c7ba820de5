/**
 * Scenario values with units. Each accepts a string with a unit ("250us", "10Gbps", "64KiB") or a bare number in
 * the base unit (seconds, bits per second, bytes) and resolves to the integer the runtime uses.
 */
import { z } from "zod";
import { describe, MAX_COUNT, MAX_RATE_PER_S, MAX_SIZE_BYTES, MAX_TIME_NS } from "./limits.ts";

const DURATION_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, min: 60e9, h: 3600e9 };
// Units are case-sensitive: "10GBps" (bytes) must not pass for "10Gbps" (bits), nor "1M" for a minute.
const BANDWIDTH_BPS: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };
const SIZE_BYTES: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  KiB: 1024,
  MB: 1e6,
  MiB: 1024 ** 2,
  GB: 1e9,
  GiB: 1024 ** 3,
};

const QUANTITY = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-zµ]+)\s*$/i;

/** Parses "12.5ms"-style text with a unit table; undefined when malformed or the unit is unknown. */
function parseQuantity(text: string, units: Record<string, number>): number | undefined {
  const match = QUANTITY.exec(text);
  if (match === null) return undefined;
  const factor = Object.hasOwn(units, match[2]!) ? units[match[2]!] : undefined;
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

function quantity(
  what: string,
  example: string,
  baseUnit: string,
  units: Record<string, number>,
  baseFactor: number,
  opts: { positive: boolean; integer?: boolean; max: number; maxText: string; smallest: string },
) {
  const expected = `expected ${opts.positive ? "a positive" : "a non-negative"} ${what} like "${example}" or a number of ${baseUnit}`;
  return z.union([z.string(), z.number()], { error: expected }).transform((value, ctx) => {
    const parsed = typeof value === "number" ? value * baseFactor : parseQuantity(value, units);
    const ok = parsed !== undefined && Number.isFinite(parsed) && (opts.positive ? parsed > 0 : parsed >= 0);
    const shown = JSON.stringify(value).slice(0, 40);
    if (!ok) {
      ctx.addIssue({ code: "custom", message: `${expected} (got ${shown})` });
      return z.NEVER;
    }
    const resolved = opts.integer === false ? parsed : Math.round(parsed);
    if (resolved > opts.max) {
      ctx.addIssue({ code: "custom", message: `expected a ${what} ${opts.maxText} (got ${shown})` });
      return z.NEVER;
    }
    if (opts.positive && resolved === 0) {
      ctx.addIssue({ code: "custom", message: `expected a ${what} of at least ${opts.smallest} (got ${shown})` });
      return z.NEVER;
    }
    return resolved;
  });
}

/** A duration, resolved to integer nanoseconds. Bare numbers are seconds. */
export const duration = (opts: { positive: boolean } = { positive: true }) =>
  quantity("duration", "250us", "seconds", DURATION_NS, 1e9, {
    ...opts,
    max: MAX_TIME_NS,
    maxText: describe.time,
    smallest: "1ns",
  });

/** A bandwidth, resolved to bits per second. Bare numbers are bits per second. */
export const bandwidth = () =>
  quantity("bandwidth", "10Gbps", "bits per second", BANDWIDTH_BPS, 1, {
    positive: true,
    max: 1e18,
    maxText: "of at most 1 Ebps",
    smallest: "1bps",
  });

/** A size, resolved to whole bytes. Bare numbers are bytes. */
export const size = () =>
  quantity("size", "1500B", "bytes", SIZE_BYTES, 1, {
    positive: true,
    max: MAX_SIZE_BYTES,
    maxText: describe.size,
    smallest: "1B",
  });

/** A rate in events per second. */
export const ratePerSecond = () =>
  z
    .number({ error: "expected a positive number (per second)" })
    .positive({ error: "expected a positive number (per second)" })
    .max(MAX_RATE_PER_S, { error: `expected a rate ${describe.rate}` });

/** Parses a CLI duration flag with the scenario's rules; throws a plain message when malformed. */
export function parseDurationFlag(flag: string, text: string): number {
  const result = duration().safeParse(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (!result.success)
    throw new Error(
      `${flag}: expected a positive duration like "30s" or a number of seconds, got ${JSON.stringify(text)}`,
    );
  return result.data;
}

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
