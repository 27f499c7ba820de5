/**
 * A server in leap mode: its request queue is a fast subsystem. Per step, with the arrival rate λ̂ and the
 * server's slow variables (state, P-state, throttling: the exact model's own state machine, commands and power
 * curve), the queue is quasi-steady while it has no backlog and ρ̂ < 1: every request that arrived is answered in
 * the step, with a sojourn drawn from the stationary law (queue-laws.ts) carried in its flow's virtual clock,
 * losses by the M/M/c/K blocking probability, utilisation λ̂·E[S]/c for power. At ρ̂ >= 1 (or while a backlog is
 * left) the queue is a fluid: requests wait in FIFO order, all units work, and Poisson(cμΔ) services complete per
 * step, so the backlog grows by about (λ − cμ)·Δ and drains.
 *
 * λ̂ follows the rate of the streams that feed the server (stream-rates.ts: the propensities the senders drew
 * their counts from) with a first-order lag of the queue's relaxation time, as the queue's own mean follows a load
 * change. Arrivals without a known stream rate fall back to the counts' rate smoothed (smoothingWeight): near
 * saturation a single step's count is too noisy a rate for the steep laws there.
 *
 * Irreversibility ledger: admitted arrivals are spread over the queue lengths they find (PASTA, the stationary
 * law) and counted as arrival n→n+1 with as many service n+1→n: the stationary fluxes of a birth–death chain.
 */
import type { ActorContext, LeapBehaviour, LeapStep } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { DROP_REASON, onGpus, powerDraw, serverModel, type ServerParams, type ServerState } from "../models/server.ts";
import { meanNs, sampleNs } from "../models/distributions.ts";
import { responseBytes } from "../models/response.ts";
import {
  blocking,
  psStretch,
  relaxationNs,
  sampleWait,
  scv,
  stateLaw,
  utilisation,
  type Station,
} from "./queue-laws.ts";
import { binomial, multinomial, poisson } from "../runtime/sampling.ts";
import { newPortQueues, StepOutbox, type PortQueues } from "./ports.ts";
import { observeStream, totalRatePerNs, type StreamRates } from "./stream-rates.ts";
import {
  dropLeapParents,
  heldGroups,
  newLeapCalls,
  startLeapCalls,
  takeLeapResponses,
  type LeapCalls,
} from "./calls.ts";

const SLOW_FACTOR = 10;
/** Queue lengths tracked one by one in the ledger; longer ones are counted at the last. */
const LEDGER_STATES = 64;

interface Held {
  packet: SimPacket;
  admittedNs: number;
  /** Its wait in the fluid queue, fixed when it joined (FIFO: the work ahead of it over the service rate). */
  waitNs: number;
}

interface LeapServerState {
  inner: ServerState;
  /** λ̂: the arrival rate the queue's law uses (per ns), 2·S1 − S2 of the two smoothings below. */
  lambdaPerNs: number;
  smoothedPerNs: number;
  twiceSmoothedPerNs: number;
  /** λ averaged SLOW_FACTOR times longer: sets how much a step's count moves λ̂. */
  slowLambdaPerNs: number;
  backlog: Held[];
  backlogCount: number;
  /** Probability of k busy units over the last step (the power until the next step, e.g. after a command). */
  busyLaw: number[];
  ports: PortQueues;
  streams: StreamRates;
  calls: LeapCalls;
}

/**
 * How far one step's count moves λ̂: the step over the smoothing time, which is the longer of fast_ratio
 * relaxation times and the time to see N = 3(ρ/(1 − ρ))²/ε arrivals. The mean wait is convex in λ with relative
 * curvature about 2(ρ/(1 − ρ))²/λ², so a rate estimated from N arrivals (three times more for the noisier
 * double smoothing) biases it by about ε (noise beyond that averages out over steps). 1 (no memory) when there is no rate yet or the queue is overloaded.
 */
function smoothingWeight(s: Station, leap: LeapStep): number {
  const rho = utilisation(s);
  if (!(s.lambda > 0) || rho >= 1) return 1;
  const arrivalsNeeded = (3 * (rho / (1 - rho)) ** 2) / leap.epsilon; // ×3: 2·S1 − S2 is about three times noisier than S1
  const smoothingNs = Math.max(leap.fastRatio * relaxationNs(s), arrivalsNeeded / s.lambda);
  return Math.min(1, leap.stepNs / smoothingNs);
}

function serviceOf(params: ServerParams) {
  return onGpus(params) ? params.gpus!.service! : params.service;
}

function stationOf(state: LeapServerState, lambdaPerNs = state.lambdaPerNs): Station {
  const params = state.inner.params;
  const units = onGpus(params) ? params.gpus!.count : params.cores;
  const dist = serviceOf(params);
  return {
    c: units,
    lambda: lambdaPerNs,
    mu: state.inner.speed / meanNs(dist),
    cs2: scv(dist),
    room: params.queue_limit ?? Number.POSITIVE_INFINITY,
  };
}

/** Service is over `heldNs` after now (virtual): downstream calls next, or the response. */
function respond(request: SimPacket, heldNs: number, state: LeapServerState, out: StepOutbox, ctx: ActorContext): void {
  const calls = state.inner.params.calls;
  if (calls.length > 0) startLeapCalls(calls, state.calls, request, heldNs, state.lambdaPerNs * 1e9, out, ctx);
  else answer(request, heldNs, state, out, ctx);
}

function answer(request: SimPacket, heldNs: number, state: LeapServerState, out: StepOutbox, ctx: ActorContext): void {
  ctx.consume(request);
  const response = ctx.createPacket({
    dst: request.src,
    species: Species.SPECIES_RESPONSE,
    sizeBytes: responseBytes(request, state.inner.params.response_bytes),
    flowId: request.flowId,
    flowCreatedNs: request.flowCreatedNs,
    kind: request.kind,
    traceparent: request.traceparent,
    multiplicity: request.multiplicity,
  });
  out.add(response, ctx.route(request.src), heldNs);
}

function serviceSampleNs(state: LeapServerState, ctx: ActorContext): number {
  return sampleNs(serviceOf(state.inner.params), ctx.rng) / state.inner.speed;
}

function recordService(state: LeapServerState, waitNs: number, count: number, ctx: ActorContext): void {
  ctx.record("queue_wait_ns", waitNs, count);
  ctx.record(
    onGpus(state.inner.params) ? "busy_gpu_ns" : "busy_core_ns",
    meanNs(serviceOf(state.inner.params)) / state.inner.speed,
    count,
  );
}

/** Quasi-steady step: every admitted request is answered now with a sojourn from the stationary law. */
/** Splits a packet into min(multiplicity, parts) parts of near-equal size (each gets its own sojourn sample). */
function evenParts(packet: SimPacket, parts: number, ctx: ActorContext): SimPacket[] {
  const n = Math.min(packet.multiplicity, parts);
  const out: SimPacket[] = [];
  for (let i = n; i > 1; i--) out.push(ctx.split(packet, Math.floor(packet.multiplicity / i)));
  out.push(packet);
  return out;
}

function quasiSteady(
  state: LeapServerState,
  arrivals: SimPacket[],
  s: Station,
  samples: number,
  out: StepOutbox,
  ctx: ActorContext,
): number {
  const finite = s.room !== Number.POSITIVE_INFINITY;
  const law = stateLaw(s);
  const pBlock = finite ? blocking(s) : 0;
  const stretch = state.inner.params.discipline === "ps" ? psStretch(s) : 0;
  let admitted = 0;
  for (const packet of arrivals) {
    const lost = binomial(packet.multiplicity, pBlock, ctx.rng);
    if (lost === packet.multiplicity) {
      ctx.drop(packet, "queue_full");
      continue;
    }
    if (lost > 0) ctx.drop(ctx.split(packet, lost), "queue_full");
    admitted += packet.multiplicity;
    for (const part of evenParts(packet, samples, ctx)) {
      if (stretch > 0) {
        // Processor sharing: no wait; a request of size x stays x·E[T]/E[S] (the conditional mean, exact for one unit).
        recordService(state, 0, part.multiplicity, ctx);
        respond(part, serviceSampleNs(state, ctx) * stretch, state, out, ctx);
        continue;
      }
      const waitNs = sampleWait(s, ctx.rng, finite ? law : null);
      recordService(state, waitNs, part.multiplicity, ctx);
      respond(part, waitNs + serviceSampleNs(state, ctx), state, out, ctx);
    }
  }
  const found = law.slice(0, finite ? s.c + s.room : law.length);
  const weights = found.slice(0, LEDGER_STATES);
  weights[weights.length - 1]! += found.slice(LEDGER_STATES).reduce((a, b) => a + b, 0);
  multinomial(admitted, weights, ctx.rng).forEach((k, n) => {
    if (k === 0) return;
    ctx.countTransition("arrival", n, n + 1, k);
    ctx.countTransition("service", n + 1, n, k);
  });
  return admitted;
}

/** Fluid step: arrivals join the FIFO backlog, Poisson(cμΔ) services complete from its head. */
function fluid(
  state: LeapServerState,
  arrivals: SimPacket[],
  s: Station,
  out: StepOutbox,
  ctx: ActorContext,
  leap: LeapStep,
): number {
  const level = state.backlogCount;
  const capacity = s.c + s.room;
  let admitted = 0;
  for (const packet of arrivals) {
    const excess = state.backlogCount + packet.multiplicity - capacity;
    if (excess >= packet.multiplicity) {
      ctx.drop(packet, "queue_full");
      continue;
    }
    if (excess > 0) ctx.drop(ctx.split(packet, excess), "queue_full");
    // Waits behind everything ahead that is not yet in service; the c at the head start at once.
    const waitNs = Math.max(0, state.backlogCount - s.c + 1) / (s.c * s.mu);
    state.backlog.push({ packet, admittedNs: ctx.nowNs, waitNs });
    state.backlogCount += packet.multiplicity;
    admitted += packet.multiplicity;
  }
  let services = Math.min(state.backlogCount, poisson(s.c * s.mu * leap.stepNs, ctx.rng));
  const served = services;
  while (services > 0) {
    const head = state.backlog[0]!;
    const part = ctx.split(head.packet, Math.min(services, head.packet.multiplicity));
    if (part === head.packet) state.backlog.shift();
    services -= part.multiplicity;
    state.backlogCount -= part.multiplicity;
    recordService(state, head.waitNs, part.multiplicity, ctx);
    respond(part, head.waitNs + serviceSampleNs(state, ctx) - (ctx.nowNs - head.admittedNs), state, out, ctx);
  }
  if (admitted > 0) ctx.countTransition("arrival", level, level + 1, admitted);
  if (served > 0) ctx.countTransition("service", level + 1, level, served);
  return served;
}

/** Law of the number of busy units: min(n, c) under the stationary law of n (PASTA: what arrivals find = time average). */
function busyLaw(s: Station): number[] {
  const busy = stateLaw(s).slice(0, s.c);
  busy.push(Math.max(0, 1 - busy.reduce((a, b) => a + b, 0)));
  return busy;
}

/**
 * Sets each component's draw to its mean over the busy law: the exact time average of the power the exact model
 * would draw in the stationary queue (linear or not: SPECpower, P-states, GPUs).
 */
function setExpectedPower(state: LeapServerState, ctx: ActorContext): void {
  const totals = new Map<string, number>();
  state.busyLaw.forEach((p, k) => {
    if (p === 0 && k > 0) return;
    for (const [component, watts] of powerDraw(state.inner, k))
      totals.set(component, (totals.get(component) ?? 0) + p * watts);
  });
  for (const [component, watts] of totals) ctx.setPower(component, Math.max(0, watts));
}

function dropBacklog(state: LeapServerState, reason: string, ctx: ActorContext): void {
  for (const held of state.backlog) ctx.drop(held.packet, reason);
  state.backlog = [];
  state.backlogCount = 0;
  dropLeapParents(state.calls, reason, ctx);
}

/**
 * λ̂ moves towards the streams' rate by step / (relaxation time) per step (all the way when the queue relaxes
 * within a step, or when the rate overloads it: the fluid regime takes over then).
 */
function followStreams(state: LeapServerState, ratePerNs: number, leap: LeapStep): void {
  const target = stationOf(state, Math.max(ratePerNs, state.lambdaPerNs));
  const weight = utilisation(target) >= 1 ? 1 : Math.min(1, leap.stepNs / relaxationNs(target));
  state.lambdaPerNs += weight * (ratePerNs - state.lambdaPerNs);
  state.smoothedPerNs = state.twiceSmoothedPerNs = state.slowLambdaPerNs = state.lambdaPerNs;
}

/** λ̂ from counts alone: Brown's double exponential smoothing (2·S1 − S2 follows a ramp without lag). */
function smoothCounts(state: LeapServerState, count: number, leap: LeapStep): void {
  // The weight comes from a slower estimate: were it λ̂'s own, high excursions (smaller weight) would last
  // longer than low ones and bias λ̂ upwards.
  const weight = smoothingWeight(stationOf(state, state.slowLambdaPerNs), leap);
  state.smoothedPerNs += weight * (count / leap.stepNs - state.smoothedPerNs);
  state.twiceSmoothedPerNs += weight * (state.smoothedPerNs - state.twiceSmoothedPerNs);
  state.lambdaPerNs = Math.max(0, 2 * state.smoothedPerNs - state.twiceSmoothedPerNs);
  state.slowLambdaPerNs += (weight / SLOW_FACTOR) * (count / leap.stepNs - state.slowLambdaPerNs);
}

export const serverLeap: LeapBehaviour<ServerParams, LeapServerState> = {
  initial(params, ctx) {
    return {
      inner: serverModel.initial(params, ctx) as ServerState,
      lambdaPerNs: 0,
      smoothedPerNs: 0,
      twiceSmoothedPerNs: 0,
      slowLambdaPerNs: 0,
      backlog: [],
      backlogCount: 0,
      busyLaw: [1],
      ports: newPortQueues(ctx.ports.length),
      streams: {},
      calls: newLeapCalls(params.calls, ctx),
    };
  },

  step(state, inbox, ctx, leap) {
    const refused = DROP_REASON[state.inner.mode];
    const arrivals: SimPacket[] = [];
    const responses: SimPacket[] = [];
    let count = 0;
    for (const packet of inbox) {
      if (packet.species === Species.SPECIES_RESPONSE) responses.push(packet);
      else if (packet.species !== Species.SPECIES_REQUEST) ctx.drop(packet, "unexpected_species");
      else if (refused !== undefined) ctx.drop(packet, refused);
      else {
        arrivals.push(packet);
        count += packet.multiplicity;
        observeStream(state.streams, packet, ctx.nowNs);
      }
    }
    const out = new StepOutbox();
    for (const parent of takeLeapResponses(state.inner.params.calls, state.calls, responses, out, ctx))
      answer(parent, 0, state, out, ctx);
    if (refused !== undefined) {
      out.flush(ctx, leap, state.ports);
      return;
    }
    const streamRate = totalRatePerNs(state.streams, ctx.nowNs, leap.stepNs);
    if (streamRate !== null) followStreams(state, streamRate, leap);
    else smoothCounts(state, count, leap);
    const s = stationOf(state);
    if (state.backlogCount === 0 && utilisation(s) < 1) {
      quasiSteady(state, arrivals, s, leap.samples, out, ctx);
      state.busyLaw = busyLaw(s);
    } else {
      fluid(state, arrivals, s, out, ctx, leap);
      state.busyLaw = new Array<number>(s.c).fill(0).concat(1); // all units work while a backlog is left
    }
    setExpectedPower(state, ctx);
    out.flush(ctx, leap, state.ports);
  },

  onTimer(state, tag, arg, ctx) {
    serverModel.onTimer(state.inner, tag, arg, ctx);
    setExpectedPower(state, ctx);
  },

  onCommand(state, command, args, ctx) {
    serverModel.onCommand!(state.inner, command, args, ctx);
    const refused = DROP_REASON[state.inner.mode];
    if (refused !== undefined) {
      dropBacklog(state, refused, ctx);
      state.busyLaw = [1];
    }
    setExpectedPower(state, ctx);
  },

  queued(state) {
    return state.backlog.length + heldGroups(state.calls);
  },
};
