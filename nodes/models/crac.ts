/**
 * A CRAC (computer-room air conditioner): the cooling plant of one zone. It has `units` identical units, each
 * able to remove `unit_capacity_w` of heat, blowing air at the supply temperature. The zone's IT heat reaches it
 * from the coordinator (coordinator/driver/cooling.ts): every metrics-interval boundary t_j the command
 * `set_heat {watts}` carries the zone's mean IT power of interval j−2 (the last interval every host has reported),
 * so what the unit sees does not depend on how actors are spread over hosts.
 *
 * Physics (all piecewise constant between commands, so energy is exact):
 *   removed heat       Q = min(H, running units · unit_capacity_w)
 *   cooling power      P = Q / COP(T_supply) + fan_w · running units
 *   steady inlet       T∞ = T_supply + inlet_rise_k_per_kw · H/1000 + (H − Q) / envelope_w_per_k
 *   inlet temperature  dT/dt = (T∞ − T)/τ, so T(t) = T∞ + (T(t0) − T∞)·exp(−(t − t0)/τ)
 * The first term of T∞ is recirculation (hot exhaust mixing into the cold aisle); the last is heat the units
 * cannot remove, which the zone sheds to the building only by warming up.
 *
 * The zone's inlet temperature is read at every `set_heat` (and at time 0) and reported as the per-actor counter
 * `inlet_mk` (millikelvin; with `inlet_samples`, their number, should an interval hold more than one) of that interval, which the coordinator passes on to the zone's servers that have an
 * inlet limit (`set_inlet`), two intervals later; it is also recorded as the metric `inlet_temp_mk`.
 *
 * Commands: `cooling_fail {units?}` (default: every unit), `cooling_repair {units?}` (default: every unit),
 * `set_supply_temp {celsius}`, and the runtime's crash/recover (the whole plant stops / restarts).
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { count, duration, watts } from "../../spec/units.ts";
import { lazy } from "../../spec/lazy.ts";

const celsius = (what: string) =>
  z
    .number({ error: `expected ${what} in °C` })
    .min(-50, { error: `expected ${what} in °C (at least -50)` })
    .max(100, { error: `expected ${what} in °C (at most 100)` });
const positive = (what: string) =>
  z
    .number({ error: `expected a positive ${what}` })
    .positive({ error: `expected a positive ${what}` })
    .finite({ error: `expected a positive ${what}` });
const nonNegative = (what: string) =>
  z
    .number({ error: `expected a non-negative ${what}` })
    .nonnegative({ error: `expected a non-negative ${what}` })
    .finite({ error: `expected a non-negative ${what}` });

/** COP as a function of the supply temperature in °C. */
export const copCurve = lazy(() =>
  z.discriminatedUnion(
    "model",
    [
      /** COP = a·T² + b·T + c (HP Labs' chilled-water CRAC: a = 0.0068, b = 0.0008, c = 0.458). */
      z
        .object({
          model: z.literal("quadratic"),
          a: z.number({ error: "expected a number" }).finite(),
          b: z.number({ error: "expected a number" }).finite(),
          c: z.number({ error: "expected a number" }).finite(),
        })
        .strict(),
      /** Piecewise linear through the points (supply_c ascending), constant beyond the ends. */
      z
        .object({
          model: z.literal("points"),
          points: z
            .array(z.object({ supply_c: celsius("a supply temperature"), cop: positive("COP") }).strict(), {
              error: "expected a list of {supply_c, cop}",
            })
            .min(1, { error: "expected at least one point" })
            .refine((ps) => ps.every((p, i) => i === 0 || p.supply_c > ps[i - 1]!.supply_c), {
              error: "supply_c must increase from point to point",
            }),
        })
        .strict(),
    ],
    { error: 'expected "model": quadratic or points' },
  ),
);
export type CopCurve = z.output<typeof copCurve>;

export const HP_LABS_COP: CopCurve = { model: "quadratic", a: 0.0068, b: 0.0008, c: 0.458 };

/** COP at supply temperature `supplyC`. */
export function copAt(curve: CopCurve, supplyC: number): number {
  if (curve.model === "quadratic") return curve.a * supplyC * supplyC + curve.b * supplyC + curve.c;
  const ps = curve.points;
  if (supplyC <= ps[0]!.supply_c) return ps[0]!.cop;
  for (let i = 1; i < ps.length; i++) {
    const hi = ps[i]!;
    if (supplyC <= hi.supply_c) {
      const lo = ps[i - 1]!;
      return lo.cop + ((hi.cop - lo.cop) * (supplyC - lo.supply_c)) / (hi.supply_c - lo.supply_c);
    }
  }
  return ps[ps.length - 1]!.cop;
}

export const cracParams = lazy(() =>
  z
    .object({
      /** The zone it cools: IT actors whose `zone` label has this value send it their heat. */
      zone: z
        .string({ error: "expected a zone name (the `zone` label of the IT actors it cools)" })
        .min(1, { error: "expected a zone name" }),
      units: count(1).default(1),
      unit_capacity_w: positive("heat capacity in watts"),
      /** Fan power of each running unit. */
      fan_w: watts().default(0),
      supply_temp_c: celsius("a supply temperature").default(18),
      cop: copCurve.default(HP_LABS_COP),
      /** Inlet rise above the supply temperature per kW of zone heat (recirculation), kelvin per kW. */
      inlet_rise_k_per_kw: nonNegative("rise in kelvin per kW").default(0),
      /** What the zone sheds per kelvin of warming when the units remove less than the heat, W/K. */
      envelope_w_per_k: positive("conductance in W/K").default(200),
      /** τ of the inlet temperature's first-order lag. */
      time_constant: duration().default(60_000_000_000),
      /** Inlet temperature at time 0 (default: the supply temperature, the steady value with no heat). */
      initial_inlet_c: celsius("an inlet temperature").optional(),
    })
    .strict()
    .refine((p) => copAt(p.cop, p.supply_temp_c) > 0, {
      error: "the COP curve must be positive at supply_temp_c",
      path: ["cop"],
    }),
);
export type CracParams = z.output<typeof cracParams>;

const unitsArg = lazy(() => z.object({ units: count(1).optional() }).strict());

/** Arguments of the CRAC's commands (the coordinator validates them). */
export const cracCommands = lazy(() => ({
  /** The zone's mean IT power over an earlier interval, divided among the zone's CRACs (sent by the coordinator). */
  set_heat: z.object({ watts: watts() }).strict(),
  cooling_fail: unitsArg,
  cooling_repair: unitsArg,
  set_supply_temp: z.object({ celsius: celsius("a supply temperature") }).strict(),
}));

interface CracState {
  params: CracParams;
  supplyC: number;
  heatW: number;
  failedUnits: number;
  /** Stopped by the runtime's crash (all units off) until recover. */
  crashed: boolean;
  /** Inlet temperature at `sinceNs`, and where it is heading. */
  inletC: number;
  sinceNs: number;
  steadyC: number;
}

const KELVIN = 273.15;

function runningUnits(state: CracState): number {
  return state.crashed ? 0 : state.params.units - state.failedUnits;
}

/** Heat removed now (W). */
export function removedHeatW(state: CracState): number {
  return Math.min(state.heatW, runningUnits(state) * state.params.unit_capacity_w);
}

/** The inlet temperature at `nowNs` (the first-order lag towards the steady value). */
function inletAt(state: CracState, nowNs: number): number {
  const tauNs = state.params.time_constant;
  return state.steadyC + (state.inletC - state.steadyC) * Math.exp(-(nowNs - state.sinceNs) / tauNs);
}

/** Brings the temperature to now, then re-derives power and the steady value from the current inputs. */
function update(state: CracState, ctx: ActorContext, change: () => void): void {
  state.inletC = inletAt(state, ctx.nowNs);
  state.sinceNs = ctx.nowNs;
  change();
  const p = state.params;
  const removed = removedHeatW(state);
  const running = runningUnits(state);
  const cop = copAt(p.cop, state.supplyC);
  if (!(cop > 0)) throw new Error(`${ctx.self.id}: the COP curve is ${cop} at supply ${state.supplyC} °C`);
  ctx.setPower("cooling", removed > 0 ? removed / cop : 0);
  ctx.setPower("fans", p.fan_w * running);
  state.steadyC =
    state.supplyC + (p.inlet_rise_k_per_kw * state.heatW) / 1000 + (state.heatW - removed) / p.envelope_w_per_k;
}

/** Reports the inlet temperature now: the coordinator relays it to the zone's servers. */
function sense(state: CracState, ctx: ActorContext): void {
  const mk = Math.max(0, Math.round((state.inletC + KELVIN) * 1000));
  ctx.count("inlet_mk", mk);
  ctx.count("inlet_samples", 1);
  ctx.record("inlet_temp_mk", mk);
}

export const cracModel: ActorModel<CracParams, CracState> = {
  kind: "crac",

  initial(params, ctx) {
    const start = params.initial_inlet_c ?? params.supply_temp_c;
    const state: CracState = {
      params,
      supplyC: params.supply_temp_c,
      heatW: 0,
      failedUnits: 0,
      crashed: false,
      inletC: start,
      sinceNs: 0,
      steadyC: start,
    };
    update(state, ctx, () => {});
    state.inletC = start; // the lag starts from the initial temperature, not from the steady value
    sense(state, ctx);
    return state;
  },

  onPacket(_state, packet, ctx) {
    ctx.drop(packet, "unexpected_species");
  },

  onTimer() {},

  onCommand(state, command, args, ctx) {
    switch (command) {
      case "set_heat": {
        const { watts } = cracCommands.set_heat.parse(args);
        update(state, ctx, () => (state.heatW = watts));
        sense(state, ctx);
        break;
      }
      case "cooling_fail": {
        const { units } = cracCommands.cooling_fail.parse(args);
        update(
          state,
          ctx,
          () => (state.failedUnits = Math.min(state.params.units, state.failedUnits + (units ?? state.params.units))),
        );
        break;
      }
      case "cooling_repair": {
        const { units } = cracCommands.cooling_repair.parse(args);
        update(state, ctx, () => (state.failedUnits = Math.max(0, state.failedUnits - (units ?? state.params.units))));
        break;
      }
      case "set_supply_temp": {
        const { celsius } = cracCommands.set_supply_temp.parse(args);
        update(state, ctx, () => (state.supplyC = celsius));
        break;
      }
      case "crash":
        update(state, ctx, () => (state.crashed = true));
        break;
      case "recover":
        update(state, ctx, () => (state.crashed = false));
        break;
      default:
        throw new Error(`${ctx.self.id}: the crac has no command "${command}"`);
    }
  },

  queued: () => 0,
};
