/**
 * Server power as a function of utilisation u (busy cores / cores): a tagged curve, validated by its schema.
 * `linear` interpolates idle → max; `specpower` interpolates SPECpower_ssj2008-style points at 0%, 10%, ..,
 * 100% load; `pstate` gives each DVFS frequency state its own linear curve, and work runs at
 * frequency / highest frequency of the full speed. `linear` and each P-state take an optional `epsilon_w`
 * (SimGrid's "Idle:Epsilon:AllCores" profile): the draw at the smallest non-zero load, so P(0) = idle and
 * P(u > 0) = epsilon + (max − epsilon)·u. The OpenDC family (opendc-simulator-compute PowerModels), exact:
 * `sqrt`, `square`, `cubic`: idle + (max − idle)·u^{½, 2, 3}; `mse` (Fan et al. 2007): idle + (max − idle)·(2u − u^r);
 * `asymptotic`: idle + (max − idle)/2·(1 + u − e^{−u/α}), or with `dvfs` u³ in place of u.
 */
import { z } from "zod";
import { watts } from "../../spec/units.ts";
import { lazy } from "../../spec/lazy.ts";

const pstate = lazy(() =>
  z
    .object({
      freq_ghz: z
        .number({ error: "expected a positive frequency in GHz" })
        .positive({ error: "expected a positive frequency in GHz" })
        .finite(),
      idle_w: watts(),
      max_w: watts(),
      epsilon_w: watts().optional(),
    })
    .strict()
    .refine((s) => s.max_w >= s.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] }),
);

const idleToMax = <T extends string>(model: T) =>
  z
    .object({ model: z.literal(model), idle_w: watts(), max_w: watts() })
    .strict()
    .refine((c) => c.max_w >= c.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] });

export const powerCurve = lazy(() =>
  z.discriminatedUnion(
    "model",
    [
      z
        .object({ model: z.literal("linear"), idle_w: watts(), max_w: watts(), epsilon_w: watts().optional() })
        .strict()
        .refine((c) => c.max_w >= c.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] }),
      idleToMax("sqrt"),
      idleToMax("square"),
      idleToMax("cubic"),
      z
        .object({
          model: z.literal("mse"),
          idle_w: watts(),
          max_w: watts(),
          /** Calibration exponent r of 2u − u^r (Fan et al. fit 1.4). */
          calibration: z
            .number({ error: "expected a positive exponent" })
            .positive({ error: "expected a positive exponent" })
            .finite()
            .default(1.4),
        })
        .strict()
        .refine((c) => c.max_w >= c.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] }),
      z
        .object({
          model: z.literal("asymptotic"),
          idle_w: watts(),
          max_w: watts(),
          /** α: the utilisation scale of the exponential rise. */
          asym_util: z
            .number({ error: "expected a fraction in (0, 1]" })
            .gt(0, { error: "expected a fraction in (0, 1]" })
            .max(1, { error: "expected a fraction in (0, 1]" }),
          dvfs: z.boolean({ error: "expected true or false" }).default(false),
        })
        .strict()
        .refine((c) => c.max_w >= c.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] }),
      z
        .object({
          model: z.literal("specpower"),
          /** Watts at 0%, 10%, .., 100% load. */
          points_w: z
            .array(watts(), { error: "expected a list of 11 powers in watts (0%, 10%, .., 100% load)" })
            .length(11, { error: "expected 11 powers in watts (0%, 10%, .., 100% load)" }),
        })
        .strict(),
      z
        .object({
          model: z.literal("pstate"),
          states: z
            .array(pstate, { error: "expected a list of P-states" })
            .min(1, { error: "expected at least one P-state" }),
          /** Index of the state the server starts in (default 0). */
          initial: z
            .number({ error: "expected the index of a P-state" })
            .int({ error: "expected the index of a P-state" })
            .nonnegative({ error: "expected the index of a P-state" })
            .default(0),
        })
        .strict()
        .refine((c) => c.initial < c.states.length, { error: "no P-state with this index", path: ["initial"] }),
    ],
    { error: 'expected "model": one of linear, sqrt, square, cubic, mse, asymptotic, specpower, pstate' },
  ),
);
export type PowerCurve = z.output<typeof powerCurve>;

/** Watts drawn at `utilisation` in [0, 1], in P-state `pstateIndex` (ignored unless the curve is `pstate`). */
export function curveWatts(curve: PowerCurve, utilisation: number, pstateIndex: number): number {
  const u = Math.min(1, Math.max(0, utilisation));
  switch (curve.model) {
    case "linear":
      return withEpsilon(curve, u);
    case "sqrt":
      return curve.idle_w + (curve.max_w - curve.idle_w) * Math.sqrt(u);
    case "square":
      return curve.idle_w + (curve.max_w - curve.idle_w) * u * u;
    case "cubic":
      return curve.idle_w + (curve.max_w - curve.idle_w) * u * u * u;
    case "mse":
      return curve.idle_w + (curve.max_w - curve.idle_w) * (2 * u - u ** curve.calibration);
    case "asymptotic": {
      const x = curve.dvfs ? u * u * u : u;
      return curve.idle_w + ((curve.max_w - curve.idle_w) / 2) * (1 + x - Math.exp(-x / curve.asym_util));
    }
    case "specpower": {
      const x = u * 10;
      const i = Math.min(9, Math.floor(x));
      const lo = curve.points_w[i]!;
      const hi = curve.points_w[i + 1]!;
      return lo + (hi - lo) * (x - i);
    }
    case "pstate":
      return withEpsilon(curve.states[pstateIndex]!, u);
    default: {
      const unreachable: never = curve;
      throw new Error(`unknown power model ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Linear from idle, or with an epsilon level: idle at u = 0, epsilon + (max − epsilon)·u above. */
function withEpsilon(c: { idle_w: number; max_w: number; epsilon_w?: number | undefined }, u: number): number {
  if (c.epsilon_w === undefined) return c.idle_w + (c.max_w - c.idle_w) * u;
  return u === 0 ? c.idle_w : c.epsilon_w + (c.max_w - c.epsilon_w) * u;
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
