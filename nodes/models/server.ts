/**
 * A server with a FIFO request queue and `cores` identical cores: an M/G/c station. A request is held from its
 * arrival until its service ends (and, with downstream `calls`, until their responses are back), then consumed
 * and answered with a response to its source. With `gpus.service`, requests run on the GPUs instead.
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
import { count, duration, size, watts } from "../../scenario/units.ts";
import { callsSchema, dropWaitingParents, initialCallState, startCalls, takeCallResponse, type CallState } from "./downstream-calls.ts";
import { dequeue, dropWaiting, enqueue, newRequestQueue, waitingCount, type RequestQueue } from "./request-queue.ts";
import { durationDistribution, sampleNs } from "./distributions.ts";
import { curveWatts, powerCurve, pstateSpeed, slowestPstate } from "./power-curves.ts";
import { applyLimitCommand, cappedPstate, limitCommands, limitParams, limitsThrottle, newLimits, type ServerLimits } from "./server-limits.ts";
import { answerHostCpu, cpuUtilisation, loseComponentWork, newHostCpu, type HostCpu } from "./host-cpu.ts";
import { answer, responseBytes } from "./response.ts";

const SERVER_MODES = ["on", "off", "booting", "failed", "throttled"] as const;
/** Shutting down is entered only by power_off (never an initial state). */
type ServerMode = (typeof SERVER_MODES)[number] | "shutting_down";

export const serverParams = z
  .object({
    cores: count(1, "expected a positive whole number of cores").default(1),
    service: durationDistribution,
    /** Requests that may wait (not counting those in service); arrivals beyond it are dropped. */
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
    throttle_speed: z.number({ error: "expected a fraction in (0, 1]" }).gt(0, { error: "expected a fraction in (0, 1]" }).max(1, { error: "expected a fraction in (0, 1]" }).default(0.5),
    calls: callsSchema,
    /** inlet_limit_c, inlet_hysteresis_k: thermal throttling (server-limits.ts). */
    ...limitParams,
  })
  .strict();
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
  busy: number;
  /** Bumped whenever a boot starts or is cut short, so a stale boot timer is ignored. */
  bootEpoch: number;
  calls: CallState;
  /** Cores used by the software components placed on this server (host-cpu.ts). */
  cpu: HostCpu;
  /** Inlet-temperature limit and power cap (server-limits.ts). */
  limits: ServerLimits;
  /** The state last set as a level (`state:<name>` is 1 while in it; "" before the first). */
  levelState: string;
}

const SERVICE_DONE = 1;
const BOOT_DONE = 2;
const SHUTDOWN_DONE = 3;

export const DROP_REASON: Partial<Record<ServerMode, string>> = { off: "server_off", failed: "server_failed", booting: "server_booting", shutting_down: "server_shutting_down" };

export function onGpus(params: ServerParams): boolean {
  return params.gpus?.service !== undefined;
}

/** Throttled by command, or held at the throttled point by a limit (server-limits.ts). */
function slowed(state: ServerState): boolean {
  return state.mode === "throttled" || limitsThrottle(state.params, state.limits);
}

/** The P-state in effect: the one set, or a slower one under a power cap. */
function activePstate(state: ServerState): number {
  return cappedPstate(state.params, state.limits, state.pstate);
}

function effectiveSpeed(state: ServerState): number {
  const { power, throttle_speed } = state.params;
  if (!slowed(state)) return pstateSpeed(power, activePstate(state));
  return power?.model === "pstate" ? pstateSpeed(power, slowestPstate(power)) : throttle_speed;
}

/**
 * The draw of every powered component for the current mode at `busy` units in service (leap mode averages it over
 * the quasi-steady queue's law of busy units: nodes/leap/server.ts).
 */
export function powerDraw(state: ServerState, busy = state.busy): [component: string, watts: number][] {
  const { power, gpus, boot } = state.params;
  const running = state.mode === "on" || state.mode === "throttled";
  const draw: [string, number][] = [];
  if (boot !== undefined) draw.push(["boot", state.mode === "booting" ? boot.power_w : 0]);
  const { shutdown, standby_w, failed_w } = state.params;
  if (shutdown !== undefined) draw.push(["shutdown", state.mode === "shutting_down" ? shutdown.power_w : 0]);
  // Only servers that set these get the component, so existing results keep their bytes.
  if (standby_w !== undefined || failed_w !== undefined) draw.push(["standby", state.mode === "off" ? (standby_w ?? 0) : state.mode === "failed" ? (failed_w ?? 0) : 0]);
  if (power !== undefined) {
    let w = 0;
    if (running) {
      const utilisation = cpuUtilisation(state.cpu, onGpus(state.params) ? 0 : busy, state.params.cores);
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

/** The fraction of the serving units (cores, or GPUs when requests run on them) in use; 0 unless running. */
function utilisation(state: ServerState): number {
  if (state.mode !== "on" && state.mode !== "throttled") return 0;
  return onGpus(state.params) ? state.busy / state.params.gpus!.count : cpuUtilisation(state.cpu, state.busy, state.params.cores);
}

/** The state a per-server time series shows: the mode, with "throttled" also while a limit slows the server. */
function stateName(state: ServerState): string {
  return state.mode === "on" && slowed(state) ? "throttled" : state.mode;
}

/**
 * Sets the levels behind the per-server time series (results tables, metrics): utilisation in parts per million,
 * requests waiting, requests held (waiting, in service, awaiting downstream) and the state. After every change.
 */
function trackLevels(state: ServerState, ctx: ActorContext): void {
  ctx.setLevel("utilisation_ppm", Math.round(utilisation(state) * 1e6));
  ctx.setLevel("waiting", waitingCount(state.queue));
  ctx.setLevel("held", serverQueued(state));
  const name = stateName(state);
  if (name === state.levelState) return;
  if (state.levelState !== "") ctx.setLevel(`state:${state.levelState}`, 0);
  ctx.setLevel(`state:${name}`, 1);
  state.levelState = name;
}

/** Sets the draw of every powered component for the current mode and utilisation. */
function applyPower(state: ServerState, ctx: ActorContext): void {
  for (const [component, watts] of powerDraw(state)) ctx.setPower(component, watts);
}

function startService(state: ServerState, index: number, request: SimPacket, arrivedNs: number, ctx: ActorContext): void {
  const unit = state.units[index]!;
  unit.request = request;
  unit.arrivedNs = arrivedNs;
  unit.startedNs = ctx.nowNs;
  unit.lastNs = ctx.nowNs;
  const service = onGpus(state.params) ? state.params.gpus!.service! : state.params.service;
  unit.remainingWorkNs = sampleNs(service, ctx.rng);
  state.busy++;
  ctx.record("queue_wait_ns", ctx.nowNs - arrivedNs);
  unit.doneNs = ctx.schedule(Math.round(unit.remainingWorkNs / state.speed), SERVICE_DONE, index);
}

/** Index of the first free core (or GPU), -1 when all are busy. */
function firstIdleUnit(units: readonly Unit[]): number {
  for (let i = 0; i < units.length; i++) if (units[i]!.request === null) return i;
  return -1;
}

/** Changes the speed now: work in service keeps what it has done and finishes the rest at the new speed. */
function setSpeed(state: ServerState, speed: number, ctx: ActorContext): void {
  if (speed === state.speed) return;
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

function serviceDone(state: ServerState, index: number, ctx: ActorContext): void {
  const unit = state.units[index]!;
  const request = unit.request;
  if (request === null || unit.doneNs !== ctx.nowNs) return; // rescheduled by a speed change, or dropped
  unit.request = null;
  state.busy--;
  ctx.record(onGpus(state.params) ? "busy_gpu_ns" : "busy_core_ns", ctx.nowNs - unit.startedNs);
  if (state.params.calls.length > 0) startCalls(state.params.calls, state.calls, request, ctx);
  else respond(state, request, ctx);
  const next = dequeue(state.queue);
  if (next !== null) startService(state, index, next.packet, next.arrivedNs, ctx);
  applyPower(state, ctx);
}

/** Everything the server holds is lost (power off or failure). */
function dropHeld(state: ServerState, reason: string, ctx: ActorContext): void {
  const before = serverQueued(state);
  dropWaiting(state.queue, reason, ctx);
  for (const unit of state.units) {
    if (unit.request !== null) ctx.drop(unit.request, reason);
    unit.request = null;
  }
  state.busy = 0;
  dropWaitingParents(state.calls, reason, ctx);
  loseComponentWork(state.cpu, reason);
  if (before > 0) ctx.countTransition(reason, before, 0);
}

function enterMode(state: ServerState, mode: ServerMode, ctx: ActorContext): void {
  if ((mode === "off" && state.mode !== "shutting_down") || mode === "failed" || mode === "shutting_down") dropHeld(state, DROP_REASON[mode]!, ctx);
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

export const serverModel: ActorModel<ServerParams, ServerState> = {
  kind: "server",

  initial(params, ctx) {
    const unitCount = onGpus(params) ? params.gpus!.count : params.cores;
    const units = Array.from({ length: unitCount }, (): Unit => ({ request: null, arrivedNs: 0, startedNs: 0, lastNs: 0, remainingWorkNs: 0, doneNs: 0 }));
    const pstate = params.power?.model === "pstate" ? params.power.initial : 0;
    const state: ServerState = { params, mode: "off", pstate, speed: 1, queue: newRequestQueue(), units, busy: 0, bootEpoch: 0, calls: initialCallState(params.calls, ctx), cpu: newHostCpu(), limits: newLimits(), levelState: "" };
    enterMode(state, params.initial_state, ctx);
    trackLevels(state, ctx);
    return state;
  },

  onPacket(state, packet, ctx) {
    handlePacket(state, packet, ctx);
    trackLevels(state, ctx);
  },

  onTimer(state, tag, arg, ctx) {
    if (tag === SERVICE_DONE) serviceDone(state, arg, ctx);
    else if (tag === BOOT_DONE && state.mode === "booting" && arg === state.bootEpoch) enterMode(state, "on", ctx);
    else if (tag === SHUTDOWN_DONE && state.mode === "shutting_down" && arg === state.bootEpoch) enterMode(state, "off", ctx);
    trackLevels(state, ctx);
  },

  onCommand(state, command, args, ctx) {
    handleCommand(state, command, args, ctx);
    trackLevels(state, ctx);
  },

  /** A component placed on this server asks for or returns CPU (host-cpu.ts); the draw follows at once. */
  onLocalCall(state, request, _from, ctx) {
    const reply = answerHostCpu(state.cpu, request, DROP_REASON[state.mode] ?? null, state.speed);
    applyPower(state, ctx);
    trackLevels(state, ctx);
    return reply;
  },

  queued: serverQueued,
};

function handlePacket(state: ServerState, packet: SimPacket, ctx: ActorContext): void {
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
  const mode = state.mode;
  switch (command) {
    case "power_on":
      if (mode === "off") powerUp(state, ctx);
      break;
    case "power_off":
      if (mode !== "off" && mode !== "failed" && mode !== "shutting_down") enterMode(state, state.params.shutdown === undefined ? "off" : "shutting_down", ctx);
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
      if (power?.model !== "pstate" || index >= power.states.length) throw new Error(`${ctx.self.id}: set_pstate ${index}: the server has no such P-state`);
      state.pstate = index;
      if (mode === "on") setSpeed(state, effectiveSpeed(state), ctx);
      applyPower(state, ctx);
      break;
    }
    default:
      throw new Error(`${ctx.self.id}: the server has no command "${command}"`);
  }
}

/** Requests held: waiting, in service, and waiting for downstream responses (the queue length of queueing theory). */
function serverQueued(state: ServerState): number {
  return waitingCount(state.queue) + state.busy + state.calls.waiting;
}
