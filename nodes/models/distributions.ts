/**
 * Service-time (and other duration) distributions: a tagged spec, validated by its schema, sampled in
 * nanoseconds from an actor's own random stream. Add a distribution by adding a variant and a case.
 */
import { z } from "zod";
import type { Rng } from "../runtime/rng.ts";
import { duration, size } from "../../scenario/units.ts";

export const durationDistribution = z.discriminatedUnion(
  "distribution",
  [
    z.object({ distribution: z.literal("exponential"), mean: duration() }).strict(),
    z.object({ distribution: z.literal("deterministic"), value: duration() }).strict(),
  ],
  { error: 'expected "distribution": one of exponential, deterministic' },
);
export type DurationDistribution = z.output<typeof durationDistribution>;

/** A draw in integer nanoseconds (at least 1, so every service takes time). */
export function sampleNs(dist: DurationDistribution, rng: Rng): number {
  switch (dist.distribution) {
    case "exponential":
      return Math.max(1, Math.round(rng.exponential(1 / dist.mean)));
    case "deterministic":
      return dist.value;
    default: {
      const unreachable: never = dist;
      throw new Error(`unknown distribution ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The mean in nanoseconds (for capacity checks and closed forms). */
export function meanNs(dist: DurationDistribution): number {
  switch (dist.distribution) {
    case "exponential":
      return dist.mean;
    case "deterministic":
      return dist.value;
    default: {
      const unreachable: never = dist;
      throw new Error(`unknown distribution ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * A packet size: a bare size ("1500B", a fixed size) or a distribution of sizes in bytes. Both resolve to the
 * tagged form, so models sample one way.
 */
const sizeDistributionTagged = z.discriminatedUnion(
  "distribution",
  [
    z.object({ distribution: z.literal("exponential"), mean: size() }).strict(),
    z.object({ distribution: z.literal("deterministic"), value: size() }).strict(),
  ],
  { error: 'expected "distribution": one of exponential, deterministic' },
);
export type SizeDistribution = z.output<typeof sizeDistributionTagged>;

export const sizeDistribution = () =>
  z.unknown().transform((value, ctx): SizeDistribution => {
    const parsed = typeof value === "object" && value !== null ? sizeDistributionTagged.safeParse(value, { reportInput: true }) : size().safeParse(value, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
      return z.NEVER;
    }
    return typeof parsed.data === "number" ? { distribution: "deterministic", value: parsed.data } : parsed.data;
  });

/** A size in whole bytes (at least 1). */
export function sampleBytes(dist: SizeDistribution, rng: Rng): number {
  switch (dist.distribution) {
    case "exponential":
      return Math.max(1, Math.round(rng.exponential(1 / dist.mean)));
    case "deterministic":
      return dist.value;
    default: {
      const unreachable: never = dist;
      throw new Error(`unknown size distribution ${JSON.stringify(unreachable)}`);
    }
  }
}
