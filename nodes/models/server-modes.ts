/**
 * A server's modes and commands: power on and off (with boot and shutdown phases), failure and repair, throttling,
 * P-states and limits, and what is lost on the way (server.ts describes the model).
 */
import type { ActorContext } from "../runtime/actor.ts";
import { dropWaitingParents } from "./downstream-calls.ts";
import { dropWaiting } from "./request-queue.ts";
import { effectiveSpeed } from "./server-power.ts";
import { applyLimitCommand } from "./server-limits.ts";
import { loseComponentWork, ownHostCpu } from "./host-cpu.ts";
import { tellLost } from "./core-line.ts";
import { recordLost } from "./lost-work.ts";
import { loseShared } from "./processor-sharing.ts";
import { serverCommands, type ServerMode } from "./server-params.ts";
import { BOOT_DONE, DROP_REASON, SHUTDOWN_DONE, serverQueued, type ServerState } from "./server-state.ts";
import { applyPower, charge, setSpeed } from "./server-work.ts";

/** Everything the server holds is lost (power off or failure). */
export function dropHeld(state: ServerState, reason: string, ctx: ActorContext): void {
  const before = serverQueued(state);
  dropWaiting(state.queue, reason, ctx);
  for (const unit of state.units) {
    if (unit.request === null) continue;
    if (state.lostWork !== null) recordLost(unit, ctx.nowNs - unit.startedNs, ctx);
    ctx.drop(unit.request, reason);
    unit.request = null;
  }
  for (const job of loseShared(state.ps, state.speed, state.params.cores, ctx.nowNs)) {
    if (state.lostWork !== null) recordLost(job, job.coreNs, ctx);
    ctx.drop(job.request, reason);
  }
  state.busy = 0;
  dropWaitingParents(state.calls, reason, ctx);
  tellLost(loseComponentWork(ownHostCpu(state), reason, ctx.nowNs), reason, ctx);
  if (before > 0) ctx.countTransition(reason, before, 0);
}

export function enterMode(state: ServerState, mode: ServerMode, ctx: ActorContext): void {
  if ((mode === "off" && state.mode !== "shutting_down") || mode === "failed" || mode === "shutting_down")
    dropHeld(state, DROP_REASON[mode]!, ctx);
  if (mode !== state.mode) state.bootEpoch++; // leaving or restarting a boot or shutdown cancels its timer
  state.mode = mode;
  if (mode === "booting") ctx.schedule(state.params.boot?.time ?? 0, BOOT_DONE, state.bootEpoch);
  if (mode === "shutting_down") ctx.schedule(state.params.shutdown?.time ?? 0, SHUTDOWN_DONE, state.bootEpoch);
  setSpeed(state, effectiveSpeed(state), ctx);
  applyPower(state, ctx);
}

/** Power-on and repair boot first when the server has a boot phase. */
export function powerUp(state: ServerState, ctx: ActorContext): void {
  enterMode(state, state.params.boot === undefined ? "on" : "booting", ctx);
}

export function handleCommand(state: ServerState, command: string, args: unknown, ctx: ActorContext): void {
  charge(state, ctx);
  const mode = state.mode;
  switch (command) {
    case "power_on":
      if (mode === "off") powerUp(state, ctx);
      break;
    case "power_off":
      if (mode !== "off" && mode !== "failed" && mode !== "shutting_down")
        enterMode(state, state.params.shutdown === undefined ? "off" : "shutting_down", ctx);
      break;
    case "fail":
    case "crash":
      if (mode !== "failed") enterMode(state, "failed", ctx);
      break;
    case "repair":
    case "recover":
      if (mode === "failed") powerUp(state, ctx);
      break;
    case "throttle":
      if (mode === "on") enterMode(state, "throttled", ctx);
      break;
    case "unthrottle":
      if (mode === "throttled") enterMode(state, "on", ctx);
      break;
    case "set_inlet":
    case "set_power_cap":
    case "clear_power_cap":
      applyLimitCommand(state.params, state.limits, command, args, state.pstate, ctx);
      setSpeed(state, effectiveSpeed(state), ctx);
      applyPower(state, ctx);
      break;
    case "set_pstate": {
      const { index } = serverCommands.set_pstate.parse(args);
      const power = state.params.power;
      if (power?.model !== "pstate" || index >= power.states.length)
        throw new Error(`${ctx.self.id}: set_pstate ${index}: the server has no such P-state`);
      state.pstate = index;
      if (mode === "on") setSpeed(state, effectiveSpeed(state), ctx);
      applyPower(state, ctx);
      break;
    }
    default:
      throw new Error(`${ctx.self.id}: the server has no command "${command}"`);
  }
}
