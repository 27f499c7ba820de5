/**
 * Server power as a function of utilisation (busy cores / cores): a tagged curve, validated by its schema.
 * `linear` interpolates idle → max; `specpower` interpolates SPECpower_ssj2008-style points at 0%, 10%, ..,
 * 100% load; `pstate` gives each DVFS frequency state its own linear curve, and work runs at
 * frequency / highest frequency of the full speed.
 */
import { z } from "zod";
import { watts } from "../../scenario/units.ts";

const pstate = z
  .object({
    freq_ghz: z.number({ error: "expected a positive frequency in GHz" }).positive({ error: "expected a positive frequency in GHz" }).finite(),
    idle_w: watts(),
    max_w: watts(),
  })
  .strict()
  .refine((s) => s.max_w >= s.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] });

export const powerCurve = z.discriminatedUnion(
  "model",
  [
    z
      .object({ model: z.literal("linear"), idle_w: watts(), max_w: watts() })
      .strict()
      .refine((c) => c.max_w >= c.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] }),
    z
      .object({
        model: z.literal("specpower"),
        /** Watts at 0%, 10%, .., 100% load. */
        points_w: z.array(watts(), { error: "expected a list of 11 powers in watts (0%, 10%, .., 100% load)" }).length(11, { error: "expected 11 powers in watts (0%, 10%, .., 100% load)" }),
      })
      .strict(),
    z
      .object({
        model: z.literal("pstate"),
        states: z.array(pstate, { error: "expected a list of P-states" }).min(1, { error: "expected at least one P-state" }),
        /** Index of the state the server starts in (default 0). */
        initial: z.number({ error: "expected the index of a P-state" }).int({ error: "expected the index of a P-state" }).nonnegative({ error: "expected the index of a P-state" }).default(0),
      })
      .strict()
      .refine((c) => c.initial < c.states.length, { error: "no P-state with this index", path: ["initial"] }),
  ],
  { error: 'expected "model": one of linear, specpower, pstate' },
);
export type PowerCurve = z.output<typeof powerCurve>;

/** Watts drawn at `utilisation` in [0, 1], in P-state `pstateIndex` (ignored unless the curve is `pstate`). */
export function curveWatts(curve: PowerCurve, utilisation: number, pstateIndex: number): number {
  const u = Math.min(1, Math.max(0, utilisation));
  switch (curve.model) {
    case "linear":
      return curve.idle_w + (curve.max_w - curve.idle_w) * u;
    case "specpower": {
      const x = u * 10;
      const i = Math.min(9, Math.floor(x));
      const lo = curve.points_w[i]!;
      const hi = curve.points_w[i + 1]!;
      return lo + (hi - lo) * (x - i);
    }
    case "pstate": {
      const s = curve.states[pstateIndex]!;
      return s.idle_w + (s.max_w - s.idle_w) * u;
    }
    default: {
      const unreachable: never = curve;
      throw new Error(`unknown power model ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The idle draw (utilisation 0) of the curve in a P-state. */
export function idleWatts(curve: PowerCurve, pstateIndex: number): number {
  return curveWatts(curve, 0, pstateIndex);
}

/** Speed of a P-state relative to the fastest (1 for curves without P-states): service time scales by its inverse. */
export function pstateSpeed(curve: PowerCurve | undefined, pstateIndex: number): number {
  if (curve?.model !== "pstate") return 1;
  const fastest = Math.max(...curve.states.map((s) => s.freq_ghz));
  return curve.states[pstateIndex]!.freq_ghz / fastest;
}

/** The slowest P-state (where throttling puts a DVFS server); ties go to the first. */
export function slowestPstate(curve: PowerCurve & { model: "pstate" }): number {
  let slowest = 0;
  curve.states.forEach((s, i) => {
    if (s.freq_ghz < curve.states[slowest]!.freq_ghz) slowest = i;
  });
  return slowest;
}
