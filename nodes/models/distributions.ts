/**
 * Service-time (and other duration) distributions and packet-size distributions: a tagged spec, validated by its
 * schema, sampled from an actor's own random stream. Durations and sizes share the same variants (only the unit
 * of their numbers differs: nanoseconds or bytes), so one sampler serves both. Add a distribution by adding a
 * variant to `variants` and a case to `sample` and `mean`.
 *
 * | distribution | fields | notes |
 * |---|---|---|
 * | exponential | `mean` | |
 * | deterministic | `value` | |
 * | lognormal | `mean` + `sigma`, `median` + `sigma`, or `median` + `p99` | `sigma` is the shape (the standard deviation of the logarithm); resolved to `{median, sigma}` |
 * | empirical | `values: [...]`, optional `weights: [...]` | one of the values, uniformly or with the given (relative) weights |
 *
 * Lognormal: X = median·exp(σZ), Z standard normal; mean = median·exp(σ²/2), p99 = median·exp(z₀.₉₉·σ).
 */
import { z } from "zod";
import type { Rng } from "../runtime/rng.ts";
import { duration, size } from "../../spec/units.ts";
import { lazy } from "../../spec/lazy.ts";

/** The 99th percentile of the standard normal distribution. */
export const Z_99 = 2.3263478740408408;

/** A unit-carrying number schema (duration() or size()), resolving to an integer. */
type UnitSchema = () => z.ZodType<number, unknown>;

/** What every variant resolves to: numbers in the base unit (ns or bytes). */
export type Distribution =
  | { distribution: "exponential"; mean: number }
  | { distribution: "deterministic"; value: number }
  | { distribution: "lognormal"; median: number; sigma: number }
  /** `cumulative[i]`: total weight of values 0..i (the last is the total). */
  | { distribution: "empirical"; values: number[]; cumulative: number[] };

const sigmaSchema = lazy(() =>
  z
    .number({ error: "expected a positive shape (the standard deviation of the logarithm)" })
    .positive({ error: "expected a positive shape (the standard deviation of the logarithm)" })
    .finite(),
);

function lognormalVariant(unit: UnitSchema) {
  return z
    .object({
      distribution: z.literal("lognormal"),
      mean: unit().optional(),
      median: unit().optional(),
      sigma: sigmaSchema.optional(),
      p99: unit().optional(),
    })
    .strict()
    .transform((v, ctx): Distribution => {
      const fail = (path: string, message: string) => {
        ctx.addIssue({ code: "custom", message, path: [path] });
        return z.NEVER;
      };
      if (v.mean !== undefined && v.median !== undefined) return fail("median", "give either mean or median, not both");
      if (v.sigma !== undefined && v.p99 !== undefined) return fail("p99", "give either sigma or p99, not both");
      if (v.mean === undefined && v.median === undefined)
        return fail("mean", "expected mean (with sigma) or median (with sigma or p99)");
      if (v.sigma === undefined && v.p99 === undefined)
        return fail("sigma", "expected sigma (the shape) or p99 (with median)");
      if (v.sigma !== undefined) {
        const median = v.median ?? v.mean! / Math.exp((v.sigma * v.sigma) / 2);
        return { distribution: "lognormal", median, sigma: v.sigma };
      }
      if (v.median === undefined) return fail("p99", "p99 goes with median (give mean with sigma)");
      if (!(v.p99! > v.median)) return fail("p99", "must be greater than median");
      return { distribution: "lognormal", median: v.median, sigma: Math.log(v.p99! / v.median) / Z_99 };
    });
}

function empiricalVariant(unit: UnitSchema) {
  const weight = z
    .number({ error: "expected a non-negative weight" })
    .nonnegative({ error: "expected a non-negative weight" })
    .finite({ error: "expected a non-negative weight" });
  return z
    .object({
      distribution: z.literal("empirical"),
      values: z.array(unit(), { error: "expected a list of values" }).min(1, { error: "expected at least one value" }),
      weights: z.array(weight, { error: "expected a list of weights" }).optional(),
    })
    .strict()
    .transform((v, ctx): Distribution => {
      const weights = v.weights ?? v.values.map(() => 1);
      if (weights.length !== v.values.length) {
        ctx.addIssue({
          code: "custom",
          message: `expected one weight per value (${v.values.length}), got ${weights.length}`,
          path: ["weights"],
        });
        return z.NEVER;
      }
      const cumulative: number[] = [];
      let total = 0;
      for (const w of weights) cumulative.push((total += w));
      if (!(total > 0)) {
        ctx.addIssue({ code: "custom", message: "expected at least one positive weight", path: ["weights"] });
        return z.NEVER;
      }
      return { distribution: "empirical", values: v.values, cumulative };
    });
}

function variants(unit: UnitSchema) {
  return z.discriminatedUnion(
    "distribution",
    [
      z.object({ distribution: z.literal("exponential"), mean: unit() }).strict(),
      z.object({ distribution: z.literal("deterministic"), value: unit() }).strict(),
      lognormalVariant(unit),
      empiricalVariant(unit),
    ],
    { error: 'expected "distribution": one of exponential, deterministic, lognormal, empirical' },
  );
}

export const durationDistribution = lazy(() => variants(() => duration()));
export type DurationDistribution = Distribution;

/** Draws from a distribution in its base unit (not rounded). */
function draw(dist: Distribution, rng: Rng): number {
  switch (dist.distribution) {
    case "exponential":
      return rng.exponential(1 / dist.mean);
    case "deterministic":
      return dist.value;
    case "lognormal":
      return dist.median * Math.exp(dist.sigma * rng.normal());
    case "empirical": {
      const { values, cumulative } = dist;
      const u = rng.uniform() * cumulative[cumulative.length - 1]!;
      // First index whose cumulative weight exceeds u (zero-weight values are never drawn).
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      return values[lo]!;
    }
    default: {
      const unreachable: never = dist;
      throw new Error(`unknown distribution ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A draw in integer nanoseconds (at least 1, so every service takes time). */
export function sampleNs(dist: DurationDistribution, rng: Rng): number {
  return Math.max(1, Math.round(draw(dist, rng)));
}

/** The exact mean in the base unit (for capacity checks and closed forms; before rounding to integers). */
export function meanOf(dist: Distribution): number {
  switch (dist.distribution) {
    case "exponential":
      return dist.mean;
    case "deterministic":
      return dist.value;
    case "lognormal":
      return dist.median * Math.exp((dist.sigma * dist.sigma) / 2);
    case "empirical": {
      let sum = 0;
      let previous = 0;
      dist.values.forEach((v, i) => {
        sum += v * (dist.cumulative[i]! - previous);
        previous = dist.cumulative[i]!;
      });
      return sum / previous;
    }
    default: {
      const unreachable: never = dist;
      throw new Error(`unknown distribution ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The mean in nanoseconds. */
export const meanNs: (dist: DurationDistribution) => number = meanOf;

/**
 * A packet size: a bare size ("1500B", a fixed size) or a distribution of sizes in bytes. Both resolve to the
 * tagged form, so models sample one way.
 */
const sizeDistributionTagged = lazy(() => variants(() => size()));
export type SizeDistribution = Distribution;

export const sizeDistribution = () =>
  z.unknown().transform((value, ctx): SizeDistribution => {
    const parsed =
      typeof value === "object" && value !== null
        ? sizeDistributionTagged.safeParse(value, { reportInput: true })
        : size().safeParse(value, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
      return z.NEVER;
    }
    return typeof parsed.data === "number" ? { distribution: "deterministic", value: parsed.data } : parsed.data;
  });

/** A size in whole bytes (at least 1). */
export function sampleBytes(dist: SizeDistribution, rng: Rng): number {
  return Math.max(1, Math.round(draw(dist, rng)));
}
