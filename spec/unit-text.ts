/**
 * Values with units as text ("250us", "10Gbps", "64KiB") or bare numbers in the base unit, resolved to the
 * integer the runtime uses, without zod: the scenario's schemas (units.ts) and the CLI's flags share these rules,
 * and `dctwin host` parses its duration flags without loading zod (a host loads it only with the models, after
 * its hello).
 */
import { MAX_TIME_NS } from "./limits.ts";

export const DURATION_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  min: 60e9,
  h: 3600e9,
  d: 86_400e9, // leap mode runs days (up to 2^53 ns, 104 days)
};
// Units are case-sensitive: "10GBps" (bytes) must not pass for "10Gbps" (bits), nor "1M" for a minute.
export const BANDWIDTH_BPS: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };
export const SIZE_BYTES: Record<string, number> = {
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

export interface QuantityRules {
  units: Record<string, number>;
  /** What a bare number is multiplied by (its unit is the base unit's this many). */
  baseFactor: number;
  positive: boolean;
  max: number;
}

/** A resolved quantity, or why it is not one: malformed (or of the wrong sign), over `max`, or 0 once rounded. */
export type QuantityResult = { value: number } | { problem: "malformed" | "too-large" | "too-small" };

export function resolveQuantity(value: string | number, rules: QuantityRules): QuantityResult {
  const parsed = typeof value === "number" ? value * rules.baseFactor : parseQuantity(value, rules.units);
  const ok = parsed !== undefined && Number.isFinite(parsed) && (rules.positive ? parsed > 0 : parsed >= 0);
  if (!ok) return { problem: "malformed" };
  const resolved = Math.round(parsed);
  if (resolved > rules.max) return { problem: "too-large" };
  if (rules.positive && resolved === 0) return { problem: "too-small" };
  return { value: resolved };
}

/** The rules of a scenario's duration (integer nanoseconds; bare numbers are seconds). */
export const durationRules = (positive: boolean): QuantityRules => ({
  units: DURATION_NS,
  baseFactor: 1e9,
  positive,
  max: MAX_TIME_NS,
});

/** Parses a CLI duration flag with the scenario's rules; throws a plain message when malformed. */
export function parseDurationFlag(flag: string, text: string): number {
  const result = resolveQuantity(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text, durationRules(true));
  if (!("value" in result))
    throw new Error(
      `${flag}: expected a positive duration like "30s" or a number of seconds, got ${JSON.stringify(text)}`,
    );
  return result.value;
}
