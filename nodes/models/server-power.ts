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

/** Who takes a server's draw, component by component: an ActorContext (its `setPower`), or a list. */
export interface DrawSink {
  setPower(component: string, watts: number): void;
}

/**
 * Hands `sink` the draw of every powered component for the current mode at `busy` units in service and the
 * components' cores (lost-work charges compare with none: server-work.ts; leap mode averages it over the
 * quasi-steady queue's law of busy units: nodes/leap/server.ts). On every event of a powered server: builds nothing.
 */
export function drawPower(
  state: ServerState,
  sink: DrawSink,
  busy = state.busy,
  componentMillicores = state.cpu.millicores,
): void {
  const { power, gpus, boot, shutdown, standby_w, failed_w } = state.params;
  const mode = state.mode;
  if (boot !== undefined) sink.setPower("boot", mode === "booting" ? boot.power_w : 0);
  if (shutdown !== undefined) sink.setPower("shutdown", mode === "shutting_down" ? shutdown.power_w : 0);
  // Only servers that set these get the component, so existing results keep their bytes.
  if (standby_w !== undefined || failed_w !== undefined)
    sink.setPower("standby", mode === "off" ? (standby_w ?? 0) : mode === "failed" ? (failed_w ?? 0) : 0);
  if (power !== undefined) sink.setPower("cpu", cpuWatts(state, busy, componentMillicores));
  if (gpus !== undefined) sink.setPower("gpu", gpuWatts(state, busy));
}

function running(state: ServerState): boolean {
  return state.mode === "on" || state.mode === "throttled";
}

/** The CPU's draw (0 without a power curve). */
export function cpuWatts(state: ServerState, busy: number, componentMillicores: number): number {
  const power = state.params.power;
  if (power === undefined || !running(state)) return 0;
  const utilisation = cpuUtilisation(componentMillicores, onGpus(state.params) ? 0 : busy, state.params.cores);
  if (!slowed(state)) return curveWatts(power, utilisation, activePstate(state));
  if (power.model === "pstate") return curveWatts(power, utilisation, slowestPstate(power));
  const idle = curveWatts(power, 0, state.pstate);
  return idle + (curveWatts(power, utilisation, state.pstate) - idle) * state.params.throttle_speed;
}

/** The GPUs' draw (0 without GPUs). */
export function gpuWatts(state: ServerState, busy: number): number {
  const gpus = state.params.gpus;
  if (gpus === undefined || !running(state)) return 0;
  const busyGpus = onGpus(state.params) ? busy : 0;
  return gpus.count * gpus.idle_w + (gpus.max_w - gpus.idle_w) * busyGpus;
}

/** `drawPower` as a list of (component, watts), in the order it hands them over. */
export function powerDraw(
  state: ServerState,
  busy = state.busy,
  componentMillicores = state.cpu.millicores,
): [component: string, watts: number][] {
  const list = new DrawList();
  drawPower(state, list, busy, componentMillicores);
  return list.draw;
}

class DrawList implements DrawSink {
  readonly draw: [string, number][] = [];
  setPower(component: string, watts: number): void {
    this.draw.push([component, watts]);
  }
}
