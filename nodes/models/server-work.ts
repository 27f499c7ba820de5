/**
 * A server's work on its cores (or GPUs): starting and finishing service, speed changes mid-service, and the draw
 * that follows (server.ts describes the model).
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { startCalls } from "./downstream-calls.ts";
import { oldestArrivedNs, takeOldest, waitingCount } from "./request-queue.ts";
import { sampleNs } from "./distributions.ts";
import { cpuWatts, drawPower, drawsPower, gpuWatts, onGpus } from "./server-power.ts";
import { answer, responseBytes } from "./response.ts";
import { chargeWork, shareDraw, type Charged, type LostWork } from "./lost-work.ts";
import { changeSharedSpeed, takeShared } from "./processor-sharing.ts";
import { grantCores, sharesCoresDynamically } from "./core-line.ts";
import { SERVICE_DONE, serverQueued, type ServerState, type Unit } from "./server-state.ts";
import { mechanismId, metricId } from "../runtime/names.ts";

// Handles of the metrics and mechanism counted on every request (names.ts).
export const QUEUE_WAIT = metricId("queue_wait_ns");
const BUSY_CORE = metricId("busy_core_ns");
const BUSY_GPU = metricId("busy_gpu_ns");
const SERVICE = mechanismId("service");

/** Sets the draw of every powered component for the current mode and utilisation (no list: this runs per event). */
export function applyPower(state: ServerState, ctx: ActorContext): void {
  // Most servers of a large fabric model no power: skip them on each of their events.
  if (state.lostWork === null && !drawsPower(state.params)) return;
  drawPower(state, ctx);
  if (state.lostWork !== null) shareWork(state, state.lostWork);
}

/** The draw of the work units (CPU and GPUs) at `busy` units in service and the components' cores. */
function workWatts(state: ServerState, busy: number, componentMillicores: number): number {
  return cpuWatts(state, busy, componentMillicores) + gpuWatts(state, busy);
}

/**
 * Shares the draw the work in service adds among it (lost-work.ts). Without components' work: P(busy) − P(0) in
 * equal shares. With it: the CPU part of P(busy, components) − P(0, none) by cores held (a request of the
 * server's own holds one core; one on the GPUs gets the GPU part instead), so the charges sum to the added draw.
 */
function shareWork(state: ServerState, lost: LostWork): void {
  const millicores = state.cpu.millicores;
  const leaseCores = millicores / 1000;
  if (leaseCores === 0) {
    shareDraw(lost, workWatts(state, state.busy, millicores) - workWatts(state, 0, millicores), state.busy);
    return;
  }
  if (onGpus(state.params)) {
    const perLeaseCore = (cpuWatts(state, state.busy, millicores) - cpuWatts(state, 0, 0)) / leaseCores;
    shareDraw(lost, gpuWatts(state, state.busy) - gpuWatts(state, 0), state.busy, perLeaseCore);
    return;
  }
  const ownCores = state.params.discipline === "ps" ? Math.min(state.busy, state.params.cores) : state.busy;
  const perCore = (workWatts(state, state.busy, millicores) - workWatts(state, 0, 0)) / (ownCores + leaseCores);
  shareDraw(lost, perCore * ownCores, state.busy, perCore);
}

/** The requests in service and what they have been charged. */
function inService(state: ServerState): Charged[] {
  return state.params.discipline === "ps" ? state.ps.jobs : state.units.filter((u) => u.request !== null);
}

/** With `account_lost_work`, charges the work in service up to now; call first in every event. */
export function charge(state: ServerState, ctx: ActorContext): void {
  if (state.lostWork !== null) chargeWork(state.lostWork, inService(state), state.cpu.leases, ctx.nowNs);
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
  ctx.recordId(QUEUE_WAIT, ctx.nowNs - arrivedNs);
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
  ctx.recordId(BUSY_CORE, Math.round(job.coreNs));
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
  ctx.countTransitionId(SERVICE, before + 1, before);
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
  ctx.recordId(onGpus(state.params) ? BUSY_GPU : BUSY_CORE, ctx.nowNs - unit.startedNs);
  finishService(state, request, ctx);
  if (sharesCoresDynamically(state)) startWaiting(state, ctx);
  else if (waitingCount(state.queue) > 0) {
    const arrivedNs = oldestArrivedNs(state.queue);
    startService(state, index, takeOldest(state.queue), arrivedNs, ctx);
  }
  applyPower(state, ctx);
}

/** Dynamic core sharing: serves the line of waiting work (core-line.ts); whether anything started. */
export function startWaiting(state: ServerState, ctx: ActorContext): boolean {
  return grantCores(
    state,
    (next) => startService(state, firstIdleUnit(state.units), next.packet, next.arrivedNs, ctx),
    ctx,
  );
}
