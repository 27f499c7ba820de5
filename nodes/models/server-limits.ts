/**
 * Limits that slow a server down without changing its mode: an inlet-temperature limit (thermal throttling) and a
 * power cap. Both act on the server's operating point, i.e. on what `throttle` and `set_pstate` already choose:
 *
 * - Thermal: with `inlet_limit_c`, a server whose inlet temperature (sent by the coordinator's cooling relay as
 *   `set_inlet {celsius}`, coordinator/driver/cooling.ts) rises above the limit runs at its throttled point (the slowest
 *   P-state, or `throttle_speed`) until the inlet falls to `inlet_limit_c − inlet_hysteresis_k`. Each start of a
 *   thermal throttle is recorded as the metric `thermal_throttles`.
 * - Power cap: `set_power_cap {watts}` makes the server run at the fastest operating point whose maximum draw
 *   (CPU at 100 % utilisation in that point, plus every GPU at full power) fits under the cap: a DVFS server
 *   takes the fastest P-state no faster than the one it was set to, any other server runs at full speed or at
 *   its throttled point. When no point fits, the server runs at its slowest point and records the metric
 *   `power_cap_unmet`. The cap covers the running draw (CPU and GPUs), not the boot draw. `clear_power_cap`
 *   lifts it.
 * The server's own `throttle` (mode throttled) still applies on top: the slowest of all limits wins.
 */
import { z } from "zod";
import type { ActorContext } from "../runtime/actor.ts";
import { watts } from "../../spec/units.ts";
import { curveWatts, pstateSpeed, slowestPstate, type PowerCurve } from "./power-curves.ts";
import { lazy } from "../../spec/lazy.ts";

export const limitParams = lazy(() => ({
  /** Inlet temperature above which the server throttles, °C. */
  inlet_limit_c: z
    .number({ error: "expected a temperature in °C" })
    .min(-50, { error: "expected a temperature in °C (at least -50)" })
    .max(150, { error: "expected a temperature in °C (at most 150)" })
    .optional(),
  /** How far below the limit the inlet must fall before the server runs at full speed again, kelvin. */
  inlet_hysteresis_k: z
    .number({ error: "expected a temperature difference in kelvin" })
    .nonnegative({ error: "expected a non-negative temperature difference in kelvin" })
    .finite()
    .default(1),
}));

export const limitCommands = lazy(() => ({
  set_inlet: z.object({ celsius: z.number({ error: "expected a temperature in °C" }).finite() }).strict(),
  set_power_cap: z.object({ watts: watts() }).strict(),
  clear_power_cap: z.object({}).strict(),
}));

export interface ServerLimits {
  inletC: number | null;
  /** Above the inlet limit (with hysteresis). */
  hot: boolean;
  capW: number | null;
}

/** What the limits need to know of the server's parameters. */
interface LimitedServer {
  power?: PowerCurve | undefined;
  gpus?: { count: number; max_w: number } | undefined;
  throttle_speed: number;
  inlet_limit_c?: number | undefined;
  inlet_hysteresis_k: number;
}

export function newLimits(): ServerLimits {
  return { inletC: null, hot: false, capW: null };
}

function gpuMaxW(params: LimitedServer): number {
  return params.gpus === undefined ? 0 : params.gpus.count * params.gpus.max_w;
}

/** Maximum CPU draw at full speed (pstate `index`) or, for curves without P-states, at the throttled point. */
function maxCpuW(params: LimitedServer, pstate: number, throttled: boolean): number {
  const power = params.power;
  if (power === undefined) return 0;
  if (power.model === "pstate" || !throttled) return curveWatts(power, 1, pstate);
  const idle = curveWatts(power, 0, 0);
  return idle + (curveWatts(power, 1, 0) - idle) * params.throttle_speed;
}

/** Whether the cap (if any) can be met at all. */
export function capMet(params: LimitedServer, limits: ServerLimits, requestedPstate: number): boolean {
  if (limits.capW === null) return true;
  const power = params.power;
  const pstate = power?.model === "pstate" ? cappedPstate(params, limits, requestedPstate) : 0;
  return (
    maxCpuW(params, pstate, power?.model !== "pstate" && limitsThrottle(params, limits)) + gpuMaxW(params) <=
    limits.capW
  );
}

/** The P-state a DVFS server runs in under the cap: the fastest no faster than `requested` that fits (else the slowest). */
export function cappedPstate(params: LimitedServer, limits: ServerLimits, requested: number): number {
  const power = params.power;
  if (power?.model !== "pstate" || limits.capW === null) return requested;
  const ceiling = pstateSpeed(power, requested);
  let best = -1;
  power.states.forEach((_s, i) => {
    const speed = pstateSpeed(power, i);
    if (speed > ceiling || maxCpuW(params, i, false) + gpuMaxW(params) > limits.capW!) return;
    if (best < 0 || speed > pstateSpeed(power, best)) best = i;
  });
  return best >= 0 ? best : slowestPstate(power);
}

/** Whether the limits put the server at its throttled point (thermal; or a cap a non-DVFS server's full speed exceeds). */
export function limitsThrottle(params: LimitedServer, limits: ServerLimits): boolean {
  if (limits.hot) return true;
  if (limits.capW === null || params.power?.model === "pstate") return false;
  return maxCpuW(params, 0, false) + gpuMaxW(params) > limits.capW;
}

/** Applies set_inlet / set_power_cap / clear_power_cap to the limits; the caller then re-derives speed and power. */
export function applyLimitCommand(
  params: LimitedServer,
  limits: ServerLimits,
  command: string,
  args: unknown,
  requestedPstate: number,
  ctx: ActorContext,
): void {
  switch (command) {
    case "set_inlet": {
      const { celsius } = limitCommands.set_inlet.parse(args);
      limits.inletC = celsius;
      const limit = params.inlet_limit_c;
      if (limit === undefined) return;
      if (!limits.hot && celsius > limit) {
        limits.hot = true;
        ctx.record("thermal_throttles", 1);
      } else if (limits.hot && celsius <= limit - params.inlet_hysteresis_k) limits.hot = false;
      return;
    }
    case "set_power_cap":
      limits.capW = limitCommands.set_power_cap.parse(args).watts;
      if (!capMet(params, limits, requestedPstate)) ctx.record("power_cap_unmet", 1);
      return;
    case "clear_power_cap":
      limitCommands.clear_power_cap.parse(args);
      limits.capW = null;
      return;
    default:
      throw new Error(`${ctx.self.id}: not a limit command "${command}"`);
  }
}
