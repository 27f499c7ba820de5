/**
 * A server with a FIFO request queue and `cores` identical cores: an M/G/c station; with `discipline: ps` the
 * cores are shared by every request held instead (processor sharing, processor-sharing.ts). A request is held
 * from its arrival until its service ends (and, with downstream `calls`, until their responses are back), then
 * consumed and answered with a response to its source. With `gpus.service`, requests run on the GPUs instead.
 *
 * Power (optional): CPU watts follow a curve of utilisation (power-curves.ts) and GPU watts their utilisation;
 * the draw is set whenever utilisation or state changes, so energy is exact. States: on, throttled (slower),
 * booting (boot power for the boot time), shutting down (shutdown power for the shutdown time, after power_off
 * when `shutdown` is set), off (`standby_w`, default 0 W) and failed (`failed_w`, default 0 W); in all of these
 * arriving requests are dropped, and held ones when the server goes off, fails or starts shutting down.
 * Commands switch states: power_on, power_off, fail, repair (and the runtime's crash/recover), throttle,
 * unthrottle, set_pstate {index}; set_inlet {celsius}, set_power_cap {watts} and clear_power_cap act through an
 * inlet limit and a power cap on the operating point (server-limits.ts).
 */
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { initialCallState, takeCallResponse } from "./downstream-calls.ts";
import { ARRIVAL, enqueue, newRequestQueue } from "./request-queue.ts";
import { sampleNs } from "./distributions.ts";
import { onGpus, powerDraw } from "./server-power.ts";
import { trackLevels } from "./server-levels.ts";
import { newLimits } from "./server-limits.ts";
import { answerHostCpu, idleHostCpu, ownHostCpu, type HostCpuRequest } from "./host-cpu.ts";
import { admission, GRANT_CORES, ownMayStart, scheduleGrants } from "./core-line.ts";
import { newLostWork } from "./lost-work.ts";
import { admitShared, newPsSet, PS_DONE } from "./processor-sharing.ts";
import type { ServerParams } from "./server-params.ts";
import {
  BOOT_DONE,
  DROP_REASON,
  SERVICE_DONE,
  SHUTDOWN_DONE,
  serverQueued,
  type ServerState,
  type Unit,
} from "./server-state.ts";
import {
  applyPower,
  charge,
  firstIdleUnit,
  QUEUE_WAIT,
  respond,
  serviceDone,
  sharedDone,
  startService,
  startWaiting,
} from "./server-work.ts";
import { enterMode, handleCommand } from "./server-modes.ts";
import { ZERO_NS } from "../runtime/time-fields.ts";

export { onGpus, powerDraw, DROP_REASON };
export { serverCommands, serverParams, type ServerMode, type ServerParams } from "./server-params.ts";
export type { ServerState } from "./server-state.ts";

function handlePacket(state: ServerState, packet: SimPacket, ctx: ActorContext): void {
  charge(state, ctx);
  if (packet.species === Species.SPECIES_RESPONSE) {
    const parent = takeCallResponse(state.params.calls, state.calls, packet, ctx);
    if (parent !== null) respond(state, parent, ctx);
    return;
  }
  if (packet.species !== Species.SPECIES_REQUEST) {
    ctx.drop(packet, "unexpected_species");
    return;
  }
  const refused = DROP_REASON[state.mode];
  if (refused !== undefined) {
    ctx.drop(packet, refused);
    return;
  }
  const before = serverQueued(state);
  if (state.params.discipline === "ps") {
    const limit = state.params.queue_limit;
    if (limit !== undefined && state.busy >= state.params.cores + limit) {
      ctx.drop(packet, "queue_full");
      return;
    }
    ctx.countTransitionId(ARRIVAL, before, before + 1);
    admitShared(state.ps, packet, sampleNs(state.params.service, ctx.rng), state.speed, state.params.cores, ctx);
    state.busy++;
    ctx.recordId(QUEUE_WAIT, 0);
    applyPower(state, ctx);
    return;
  }
  const idle = firstIdleUnit(state.units);
  if (idle >= 0 && ownMayStart(state)) {
    ctx.countTransitionId(ARRIVAL, before, before + 1);
    startService(state, idle, packet, ctx.nowNs, ctx);
    applyPower(state, ctx);
    return;
  }
  enqueue(state.queue, packet, state.params.queue_limit, before, ctx);
}

export const serverModel: ActorModel<ServerParams, ServerState> = {
  kind: "server",

  initial(params, ctx) {
    const unitCount = onGpus(params) ? params.gpus!.count : params.cores;
    const units = Array.from(
      { length: unitCount },
      (): Unit => ({
        request: null,
        arrivedNs: ZERO_NS,
        startedNs: ZERO_NS,
        lastNs: ZERO_NS,
        remainingWorkNs: 0,
        doneNs: ZERO_NS,
        energyJ: 0,
      }),
    );
    const pstate = params.power?.model === "pstate" ? params.power.initial : 0;
    const state: ServerState = {
      params,
      mode: "off",
      pstate,
      speed: 1,
      queue: newRequestQueue(),
      units,
      busy: 0,
      ps: newPsSet(),
      bootEpoch: 0,
      calls: initialCallState(params.calls, ctx),
      cpu: idleHostCpu(),
      limits: newLimits(),
      lostWork: params.account_lost_work === true ? newLostWork() : null,
      levelState: "",
      levelsSet: [-1, -1, -1],
    };
    enterMode(state, params.initial_state, ctx);
    trackLevels(state, serverQueued(state), ctx);
    return state;
  },

  onPacket(state, packet, ctx) {
    handlePacket(state, packet, ctx);
    trackLevels(state, serverQueued(state), ctx);
  },

  onTimer(state, tag, arg, ctx) {
    charge(state, ctx);
    if (tag === SERVICE_DONE) serviceDone(state, arg, ctx);
    else if (tag === PS_DONE) sharedDone(state, arg, ctx);
    else if (tag === GRANT_CORES) {
      if (startWaiting(state, ctx)) applyPower(state, ctx);
    } else if (tag === BOOT_DONE && state.mode === "booting" && arg === state.bootEpoch) enterMode(state, "on", ctx);
    else if (tag === SHUTDOWN_DONE && state.mode === "shutting_down" && arg === state.bootEpoch)
      enterMode(state, "off", ctx);
    trackLevels(state, serverQueued(state), ctx);
  },

  onCommand(state, command, args, ctx) {
    handleCommand(state, command, args, ctx);
    trackLevels(state, serverQueued(state), ctx);
  },

  /**
   * A component placed on this server asks for or returns CPU (host-cpu.ts); the draw follows at once. With dynamic
   * core sharing, cores a release frees go to the waiting line in a timer at this instant (core-line.ts).
   */
  onLocalCall(state, request, from, ctx) {
    charge(state, ctx);
    const refusal = DROP_REASON[state.mode] ?? null;
    const reply = answerHostCpu(ownHostCpu(state), request, from, ctx.nowNs, refusal, state.speed, admission(state));
    if (state.lostWork === null) delete reply.charge; // charges are kept only with account_lost_work
    if ((request as HostCpuRequest).op === "release") scheduleGrants(state, ctx);
    applyPower(state, ctx);
    trackLevels(state, serverQueued(state), ctx);
    return reply;
  },

  queued: serverQueued,
};
