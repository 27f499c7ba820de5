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
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count, duration, size, watts } from "../../spec/units.ts";
import {
  callsSchema,
  dropWaitingParents,
  initialCallState,
  startCalls,
  takeCallResponse,
  type CallState,
} from "./downstream-calls.ts";
import { dequeue, dropWaiting, enqueue, newRequestQueue, waitingCount, type RequestQueue } from "./request-queue.ts";
import { durationDistribution, sampleNs } from "./distributions.ts";
import { powerCurve } from "./power-curves.ts";
import { effectiveSpeed, onGpus, powerDraw } from "./server-power.ts";
import { trackLevels } from "./server-levels.ts";
import { applyLimitCommand, limitCommands, limitParams, newLimits, type ServerLimits } from "./server-limits.ts";
import { answerHostCpu, loseComponentWork, newHostCpu, type HostCpu } from "./host-cpu.ts";
import { answer, responseBytes } from "./response.ts";
import { chargeWork, newLostWork, recordLost, shareDraw, type Charged, type LostWork } from "./lost-work.ts";
import {
  admitShared,
  changeSharedSpeed,
  loseShared,
  newPsSet,
  PS_DONE,
  takeShared,
  type PsSet,
} from "./processor-sharing.ts";

export { onGpus, powerDraw };

const SERVER_MODES = ["on", "off", "booting", "failed", "throttled"] as const;
/** Shutting down is entered only by power_off (never an initial state). */
export type ServerMode = (typeof SERVER_MODES)[number] | "shutting_down";

export const serverParams = z
  .object({
    cores: count(1, "expected a positive whole number of cores").default(1),
    service: durationDistribution,
    /** fifo: a request waits for a free core; ps: all requests share the cores at once (processor sharing). */
    discipline: z.enum(["fifo", "ps"], { error: "expected fifo or ps" }).default("fifo"),
    /** Requests that may wait (not counting those in service; with ps, those beyond `cores`); arrivals beyond it are dropped. */
    queue_limit: count(0, "expected a non-negative whole number").optional(),
    /** Response size when the request does not ask for one. */
    response_bytes: size().default(1000),
    power: powerCurve.optional(),
    gpus: z
      .object({
        count: count(1),
        idle_w: watts(),
        max_w: watts(),
        /** When set, requests are served on the GPUs (one each) instead of the cores. */
        service: durationDistribution.optional(),
      })
      .strict()
      .refine((g) => g.max_w >= g.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] })
      .optional(),
    /** Power-on (and repair) takes `time` at `power_w` before the server serves. */
    boot: z.object({ time: duration(), power_w: watts() }).strict().optional(),
    /** Power-off takes `time` at `power_w` (what it held is lost at once; arrivals are refused) before off. */
    shutdown: z.object({ time: duration(), power_w: watts() }).strict().optional(),
    /** Draw while off (standby: BMC, NIC wake-on-LAN), and while failed (a hung host still draws). */
    standby_w: watts().optional(),
    failed_w: watts().optional(),
    initial_state: z.enum(SERVER_MODES, { error: `expected one of ${SERVER_MODES.join(", ")}` }).default("on"),
    /** Speed when throttled, as a fraction of full speed (curves without P-states; DVFS throttles to the slowest). */
    throttle_speed: z
      .number({ error: "expected a fraction in (0, 1]" })
      .gt(0, { error: "expected a fraction in (0, 1]" })
      .max(1, { error: "expected a fraction in (0, 1]" })
      .default(0.5),
    calls: callsSchema,
    /** Charge requests in service their energy and record what is lost to failures (lost-work.ts). */
    account_lost_work: z.boolean({ error: "expected true or false" }).optional(),
    /** inlet_limit_c, inlet_hysteresis_k: thermal throttling (server-limits.ts). */
    ...limitParams,
  })
  .strict()
  .refine((p) => p.discipline === "fifo" || p.gpus?.service === undefined, {
    error: "processor sharing applies to cores, not to requests served on GPUs",
    path: ["discipline"],
  });
export type ServerParams = z.output<typeof serverParams>;

/** Arguments of the server's own commands (the coordinator validates them). */
export const serverCommands = {
  power_on: z.object({}).strict(),
  power_off: z.object({}).strict(),
  fail: z.object({}).strict(),
  repair: z.object({}).strict(),
  throttle: z.object({}).strict(),
  unthrottle: z.object({}).strict(),
  set_pstate: z.object({ index: count(0) }).strict(),
  /** set_inlet, set_power_cap, clear_power_cap (server-limits.ts). */
  ...limitCommands,
};

/** One core (or GPU). Work is kept in full-speed nanoseconds so a speed change mid-service rescales the rest. */
interface Unit {
  request: SimPacket | null;
  arrivedNs: number;
  startedNs: number;
  lastNs: number;
  remainingWorkNs: number;
  doneNs: number;
  /** Energy charged to the request in service (lost-work.ts). */
  energyJ: number;
}

export interface ServerState {
  params: ServerParams;
  mode: ServerMode;
  pstate: number;
  /** Current speed relative to full speed. */
  speed: number;
  /** Requests waiting for a free core. */
  queue: RequestQueue;
  units: Unit[];
  /** Requests in service (with processor sharing: every request held, all in `ps`). */
  busy: number;
  ps: PsSet;
  /** Bumped whenever a boot starts or is cut short, so a stale boot timer is ignored. */
  bootEpoch: number;
  calls: CallState;
  /** Cores used by the software components placed on this server (host-cpu.ts). */
  cpu: HostCpu;
  /** Inlet-temperature limit and power cap (server-limits.ts). */
  limits: ServerLimits;
  /** Energy charged to the work in service, with `account_lost_work` (lost-work.ts). */
  lostWork: LostWork | null;
  /** The state last set as a level (`state:<name>` is 1 while in it; "" before the first): server-levels.ts. */
  levelState: string;
}

const SERVICE_DONE = 1;
const BOOT_DONE = 2;
const SHUTDOWN_DONE = 3;

export const DROP_REASON: Partial<Record<ServerMode, string>> = {
  off: "server_off",
  failed: "server_failed",
  booting: "server_booting",
  shutting_down: "server_shutting_down",
};

/** Sets the draw of every powered component for the current mode and utilisation. */
function applyPower(state: ServerState, ctx: ActorContext): void {
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
function charge(state: ServerState, ctx: ActorContext): void {
  if (state.lostWork !== null) chargeWork(state.lostWork, inService(state), ctx.nowNs);
}

function startService(
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
function firstIdleUnit(units: readonly Unit[]): number {
  for (let i = 0; i < units.length; i++) if (units[i]!.request === null) return i;
  return -1;
}

function sharedDone(state: ServerState, epoch: number, ctx: ActorContext): void {
  const job = takeShared(state.ps, epoch, state.speed, state.params.cores, ctx);
  if (job === null) return; // stale: the set or the speed changed since
  state.busy--;
  ctx.record("busy_core_ns", Math.round(job.coreNs));
  finishService(state, job.request, ctx);
  applyPower(state, ctx);
}

/** Changes the speed now: work in service keeps what it has done and finishes the rest at the new speed. */
function setSpeed(state: ServerState, speed: number, ctx: ActorContext): void {
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

function respond(state: ServerState, request: SimPacket, ctx: ActorContext): void {
  const before = serverQueued(state);
  ctx.countTransition("service", before + 1, before);
  answer(request, responseBytes(request, state.params.response_bytes), ctx);
}

/** Service is over: downstream calls next, or the response. */
function finishService(state: ServerState, request: SimPacket, ctx: ActorContext): void {
  if (state.params.calls.length > 0) startCalls(state.params.calls, state.calls, request, ctx);
  else respond(state, request, ctx);
}

function serviceDone(state: ServerState, index: number, ctx: ActorContext): void {
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

/** Everything the server holds is lost (power off or failure). */
function dropHeld(state: ServerState, reason: string, ctx: ActorContext): void {
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
  loseComponentWork(state.cpu, reason);
  if (before > 0) ctx.countTransition(reason, before, 0);
}

function enterMode(state: ServerState, mode: ServerMode, ctx: ActorContext): void {
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
function powerUp(state: ServerState, ctx: ActorContext): void {
  enterMode(state, state.params.boot === undefined ? "on" : "booting", ctx);
}

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
    ctx.countTransition("arrival", before, before + 1);
    admitShared(state.ps, packet, sampleNs(state.params.service, ctx.rng), state.speed, state.params.cores, ctx);
    state.busy++;
    ctx.record("queue_wait_ns", 0);
    applyPower(state, ctx);
    return;
  }
  const idle = firstIdleUnit(state.units);
  if (idle >= 0) {
    ctx.countTransition("arrival", before, before + 1);
    startService(state, idle, packet, ctx.nowNs, ctx);
    applyPower(state, ctx);
    return;
  }
  enqueue(state.queue, packet, state.params.queue_limit, before, ctx);
}

function handleCommand(state: ServerState, command: string, args: unknown, ctx: ActorContext): void {
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

export const serverModel: ActorModel<ServerParams, ServerState> = {
  kind: "server",

  initial(params, ctx) {
    const unitCount = onGpus(params) ? params.gpus!.count : params.cores;
    const units = Array.from(
      { length: unitCount },
      (): Unit => ({ request: null, arrivedNs: 0, startedNs: 0, lastNs: 0, remainingWorkNs: 0, doneNs: 0, energyJ: 0 }),
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
      cpu: newHostCpu(),
      limits: newLimits(),
      lostWork: params.account_lost_work === true ? newLostWork() : null,
      levelState: "",
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
    else if (tag === BOOT_DONE && state.mode === "booting" && arg === state.bootEpoch) enterMode(state, "on", ctx);
    else if (tag === SHUTDOWN_DONE && state.mode === "shutting_down" && arg === state.bootEpoch)
      enterMode(state, "off", ctx);
    trackLevels(state, serverQueued(state), ctx);
  },

  onCommand(state, command, args, ctx) {
    handleCommand(state, command, args, ctx);
    trackLevels(state, serverQueued(state), ctx);
  },

  /** A component placed on this server asks for or returns CPU (host-cpu.ts); the draw follows at once. */
  onLocalCall(state, request, _from, ctx) {
    charge(state, ctx);
    const reply = answerHostCpu(state.cpu, request, DROP_REASON[state.mode] ?? null, state.speed);
    applyPower(state, ctx);
    trackLevels(state, serverQueued(state), ctx);
    return reply;
  },

  queued: serverQueued,
};

/** Requests held: waiting, in service, and waiting for downstream responses (the queue length of queueing theory). */
function serverQueued(state: ServerState): number {
  return waitingCount(state.queue) + state.busy + state.calls.waiting;
}
