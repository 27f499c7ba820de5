/**
 * A server's speed and power draw in its current mode, P-state and limits (server.ts keeps the state): what the
 * CPU curve, the GPUs and the boot, shutdown and standby phases draw at a given number of busy units.
 */
import type { ServerState } from "./server-state.ts";
import { cpuUtilisation } from "./host-cpu.ts";
import { curveWatts, pstateSpeed, slowestPstate } from "./power-curves.ts";
import { cappedPstate, limitsThrottle } from "./server-limits.ts";

export function onGpus(params: ServerState["params"]): boolean {
  return params.gpus?.service !== undefined;
}

/** Whether `powerDraw` lists any component (a server without any of these draws nothing). */
export function drawsPower(params: ServerState["params"]): boolean {
  return (
    params.power !== undefined ||
    params.gpus !== undefined ||
    params.boot !== undefined ||
    params.shutdown !== undefined ||
    params.standby_w !== undefined ||
    params.failed_w !== undefined
  );
}

/** Throttled by command, or held at the throttled point by a limit (server-limits.ts). */
export function slowed(state: ServerState): boolean {
  return state.mode === "throttled" || limitsThrottle(state.params, state.limits);
}

/** The P-state in effect: the one set, or a slower one under a power cap. */
function activePstate(state: ServerState): number {
  return cappedPstate(state.params, state.limits, state.pstate);
}

export function effectiveSpeed(state: ServerState): number {
  const { power, throttle_speed } = state.params;
  if (!slowed(state)) return pstateSpeed(power, activePstate(state));
  return power?.model === "pstate" ? pstateSpeed(power, slowestPstate(power)) : throttle_speed;
}

/**
 * The draw of every powered component for the current mode at `busy` units in service and the components' cores
 * (lost-work charges compare with none: server-work.ts; leap mode averages it over
 * the quasi-steady queue's law of busy units: nodes/leap/server.ts).
 */
export function powerDraw(
  state: ServerState,
  busy = state.busy,
  componentMillicores = state.cpu.millicores,
): [component: string, watts: number][] {
  const { power, gpus, boot } = state.params;
  const running = state.mode === "on" || state.mode === "throttled";
  const draw: [string, number][] = [];
  if (boot !== undefined) draw.push(["boot", state.mode === "booting" ? boot.power_w : 0]);
  const { shutdown, standby_w, failed_w } = state.params;
  if (shutdown !== undefined) draw.push(["shutdown", state.mode === "shutting_down" ? shutdown.power_w : 0]);
  // Only servers that set these get the component, so existing results keep their bytes.
  if (standby_w !== undefined || failed_w !== undefined)
    draw.push(["standby", state.mode === "off" ? (standby_w ?? 0) : state.mode === "failed" ? (failed_w ?? 0) : 0]);
  if (power !== undefined) {
    let w = 0;
    if (running) {
      const utilisation = cpuUtilisation(componentMillicores, onGpus(state.params) ? 0 : busy, state.params.cores);
      if (slowed(state) && power.model === "pstate") w = curveWatts(power, utilisation, slowestPstate(power));
      else if (slowed(state)) {
        const idle = curveWatts(power, 0, state.pstate);
        w = idle + (curveWatts(power, utilisation, state.pstate) - idle) * state.params.throttle_speed;
      } else w = curveWatts(power, utilisation, activePstate(state));
    }
    draw.push(["cpu", w]);
  }
  if (gpus !== undefined) {
    const busyGpus = onGpus(state.params) ? busy : 0;
    draw.push(["gpu", running ? gpus.count * gpus.idle_w + (gpus.max_w - gpus.idle_w) * busyGpus : 0]);
  }
  return draw;
}
