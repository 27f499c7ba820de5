/**
 * Service-time (and other duration) distributions: a tagged spec, validated by its schema, sampled in
 * nanoseconds from an actor's own random stream. Add a distribution by adding a variant and a case.
 */
import { z } from "zod";
import type { Rng } from "../runtime/rng.ts";
import { duration } from "../../scenario/units.ts";

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
