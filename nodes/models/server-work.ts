/**
 * A server's work on its cores (or GPUs): starting and finishing service, speed changes mid-service, and the draw
 * that follows (server.ts describes the model).
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { startCalls } from "./downstream-calls.ts";
import { dequeue } from "./request-queue.ts";
import { sampleNs } from "./distributions.ts";
import { onGpus, powerDraw } from "./server-power.ts";
import { answer, responseBytes } from "./response.ts";
import { chargeWork, shareDraw, type Charged } from "./lost-work.ts";
import { changeSharedSpeed, takeShared } from "./processor-sharing.ts";
import { SERVICE_DONE, serverQueued, type ServerState, type Unit } from "./server-state.ts";

/** Sets the draw of every powered component for the current mode and utilisation. */
export function applyPower(state: ServerState, ctx: ActorContext): void {
  const draw = powerDraw(state);
  for (const [component, watts] of draw) ctx.setPower(component, watts);
  if (state.lostWork !== null) shareDraw(state.lostWork, workWatts(draw) - workWatts(powerDraw(state, 0)), state.busy);
}

function workWatts(draw: [string, number][]): number {
  let w = 0;
  for (const [component, watts] of draw) if (component === "cpu" || component === "gpu") w += watts;
  return w;
}

/** The requests in service and what they have been charged. */
function inService(state: ServerState): Charged[] {
  return state.params.discipline === "ps" ? state.ps.jobs : state.units.filter((u) => u.request !== null);
}

/** With `account_lost_work`, charges the work in service up to now; call first in every event. */
export function charge(state: ServerState, ctx: ActorContext): void {
  if (state.lostWork !== null) chargeWork(state.lostWork, inService(state), ctx.nowNs);
}

export function startService(
  state: ServerState,
  index: number,
  request: SimPacket,
  arrivedNs: number,
  ctx: ActorContext,
): void {
  const unit = state.units[index]!;
  unit.request = request;
  unit.arrivedNs = arrivedNs;
  unit.startedNs = ctx.nowNs;
  unit.lastNs = ctx.nowNs;
  const service = onGpus(state.params) ? state.params.gpus!.service! : state.params.service;
  unit.remainingWorkNs = sampleNs(service, ctx.rng);
  unit.energyJ = 0;
  state.busy++;
  ctx.record("queue_wait_ns", ctx.nowNs - arrivedNs);
  unit.doneNs = ctx.schedule(Math.round(unit.remainingWorkNs / state.speed), SERVICE_DONE, index);
}

/** Index of the first free core (or GPU), -1 when all are busy. */
export function firstIdleUnit(units: readonly Unit[]): number {
  for (let i = 0; i < units.length; i++) if (units[i]!.request === null) return i;
  return -1;
}

export function sharedDone(state: ServerState, epoch: number, ctx: ActorContext): void {
  const job = takeShared(state.ps, epoch, state.speed, state.params.cores, ctx);
  if (job === null) return; // stale: the set or the speed changed since
  state.busy--;
  ctx.record("busy_core_ns", Math.round(job.coreNs));
  finishService(state, job.request, ctx);
  applyPower(state, ctx);
}

/** Changes the speed now: work in service keeps what it has done and finishes the rest at the new speed. */
export function setSpeed(state: ServerState, speed: number, ctx: ActorContext): void {
  if (speed === state.speed) return;
  if (state.params.discipline === "ps") {
    changeSharedSpeed(state.ps, state.speed, speed, state.params.cores, ctx);
    state.speed = speed;
    return;
  }
  state.units.forEach((unit, index) => {
    if (unit.request === null) return;
    unit.remainingWorkNs = Math.max(0, unit.remainingWorkNs - (ctx.nowNs - unit.lastNs) * state.speed);
    unit.lastNs = ctx.nowNs;
    unit.doneNs = ctx.schedule(Math.round(unit.remainingWorkNs / speed), SERVICE_DONE, index); // the earlier timer no longer matches doneNs
  });
  state.speed = speed;
}

export function respond(state: ServerState, request: SimPacket, ctx: ActorContext): void {
  const before = serverQueued(state);
  ctx.countTransition("service", before + 1, before);
  answer(request, responseBytes(request, state.params.response_bytes), ctx);
}

/** Service is over: downstream calls next, or the response. */
export function finishService(state: ServerState, request: SimPacket, ctx: ActorContext): void {
  if (state.params.calls.length > 0) startCalls(state.params.calls, state.calls, request, ctx);
  else respond(state, request, ctx);
}

export function serviceDone(state: ServerState, index: number, ctx: ActorContext): void {
  const unit = state.units[index]!;
  const request = unit.request;
  if (request === null || unit.doneNs !== ctx.nowNs) return; // rescheduled by a speed change, or dropped
  unit.request = null;
  state.busy--;
  ctx.record(onGpus(state.params) ? "busy_gpu_ns" : "busy_core_ns", ctx.nowNs - unit.startedNs);
  finishService(state, request, ctx);
  const next = dequeue(state.queue);
  if (next !== null) startService(state, index, next.packet, next.arrivedNs, ctx);
  applyPower(state, ctx);
}
