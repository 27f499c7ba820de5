/**
 * A leaping c-unit request queue (a fast subsystem): what a server's request queue (server.ts) and a software
 * component's slots (component.ts) share. Per step, with the arrival rate λ̂ and the owner's slow variables (its
 * `Station`: units, service rate, waiting room), the queue is quasi-steady while it has no backlog and ρ̂ < 1:
 * every request that arrived is answered in the step, with a sojourn drawn from the stationary law (queue-laws.ts)
 * carried in its flow's virtual clock, losses by the M/M/c/K blocking probability. At ρ̂ >= 1 (or while a backlog
 * is left) the queue is a fluid: requests wait in FIFO order, all units work, and Poisson(cμΔ) services complete
 * per step, so the backlog grows by about (λ − cμ)·Δ and drains.
 *
 * λ̂ follows the rate of the streams that feed the queue (stream-rates.ts: the propensities the senders drew
 * their counts from) with a first-order lag of the queue's relaxation time, as the queue's own mean follows a load
 * change. Arrivals without a known stream rate fall back to the counts' rate smoothed (smoothingWeight): near
 * saturation a single step's count is too noisy a rate for the steep laws there. The streams also say how regular
 * the arrivals are (their SCV, or a pool of replicas joined by shortest queue): the waits' law takes that shape;
 * utilisation, power and the ledger's state law do not depend on it.
 *
 * Irreversibility ledger: admitted arrivals are spread over the queue lengths they find (PASTA, the stationary
 * law) and counted as arrival n→n+1 with as many service n+1→n: the stationary fluxes of a birth–death chain.
 */
import type { ActorContext, LeapStep } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { binomial, multinomial, poisson } from "../runtime/sampling.ts";
import { blocking, psStretch, relaxationNs, sampleWait, stateLaw, utilisation, type Station } from "./queue-laws.ts";
import { arrivalShape, observeStream, POISSON, totalRatePerNs, type StreamRates } from "./stream-rates.ts";

const SLOW_FACTOR = 10;
/** Queue lengths tracked one by one in the ledger; longer ones are counted at the last. */
const LEDGER_STATES = 64;

interface Held {
  packet: SimPacket;
  admittedNs: number;
  /** Its wait in the fluid queue, fixed when it joined (FIFO: the work ahead of it over the service rate). */
  waitNs: number;
}

export interface LeapQueue {
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
  streams: StreamRates;
}

/** What the queue's owner supplies: its station at a rate, and the service of admitted requests. */
export interface QueueOwner {
  /** The station at arrival rate `lambdaPerNs` (units, service rate, SCV, room: the owner's slow variables). */
  station(lambdaPerNs: number): Station;
  /** Processor sharing (no wait; a request stays its size times E[T]/E[S]). */
  ps: boolean;
  /**
   * The station whose law gives an admitted request's wait, when it is not the owner's own (a dynamically shared
   * pool of cores: host-share.ts); unlimited rooms only.
   */
  waitStation?(own: Station): Station;
  /**
   * `part` was admitted and waits `waitNs`: the owner records it, draws its service (times `stretch`) and sends
   * it on `waitNs + service·stretch + shiftNs` after now (virtual).
   */
  serve(part: SimPacket, waitNs: number, stretch: number, shiftNs: number): void;
}

export function newLeapQueue(): LeapQueue {
  return {
    lambdaPerNs: 0,
    smoothedPerNs: 0,
    twiceSmoothedPerNs: 0,
    slowLambdaPerNs: 0,
    backlog: [],
    backlogCount: 0,
    busyLaw: [1],
    streams: {},
  };
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

/** Splits a packet into min(multiplicity, parts) parts of near-equal size (each gets its own sojourn sample). */
export function evenParts(packet: SimPacket, parts: number, ctx: ActorContext): SimPacket[] {
  const n = Math.min(packet.multiplicity, parts);
  const out: SimPacket[] = [];
  for (let i = n; i > 1; i--) out.push(ctx.split(packet, Math.floor(packet.multiplicity / i)));
  out.push(packet);
  return out;
}

/** Quasi-steady step: every admitted request is answered now with a sojourn from the stationary law. */
function quasiSteady(owner: QueueOwner, arrivals: SimPacket[], s: Station, samples: number, ctx: ActorContext): void {
  const finite = s.room !== Number.POSITIVE_INFINITY;
  const law = stateLaw(s);
  const pBlock = finite ? blocking(s) : 0;
  const stretch = owner.ps ? psStretch(s) : 0;
  const waits = finite || owner.waitStation === undefined ? s : owner.waitStation(s);
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
      // Processor sharing: no wait; a request of size x stays x·E[T]/E[S] (the conditional mean, exact for one unit).
      if (stretch > 0) owner.serve(part, 0, stretch, 0);
      else owner.serve(part, sampleWait(waits, ctx.rng, finite ? law : null), 1, 0);
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
}

/** Fluid step: arrivals join the FIFO backlog, Poisson(cμΔ) services complete from its head. */
function fluid(q: LeapQueue, owner: QueueOwner, arrivals: SimPacket[], s: Station, ctx: ActorContext, leap: LeapStep) {
  const level = q.backlogCount;
  const capacity = s.c + s.room;
  let admitted = 0;
  for (const packet of arrivals) {
    const excess = q.backlogCount + packet.multiplicity - capacity;
    if (excess >= packet.multiplicity) {
      ctx.drop(packet, "queue_full");
      continue;
    }
    if (excess > 0) ctx.drop(ctx.split(packet, excess), "queue_full");
    // Waits behind everything ahead that is not yet in service; the c at the head start at once.
    const waitNs = Math.max(0, q.backlogCount - s.c + 1) / (s.c * s.mu);
    q.backlog.push({ packet, admittedNs: ctx.nowNs, waitNs });
    q.backlogCount += packet.multiplicity;
    admitted += packet.multiplicity;
  }
  let services = Math.min(q.backlogCount, poisson(s.c * s.mu * leap.stepNs, ctx.rng));
  const served = services;
  while (services > 0) {
    const head = q.backlog[0]!;
    const part = ctx.split(head.packet, Math.min(services, head.packet.multiplicity));
    if (part === head.packet) q.backlog.shift();
    services -= part.multiplicity;
    q.backlogCount -= part.multiplicity;
    owner.serve(part, head.waitNs, 1, -(ctx.nowNs - head.admittedNs));
  }
  if (admitted > 0) ctx.countTransition("arrival", level, level + 1, admitted);
  if (served > 0) ctx.countTransition("service", level + 1, level, served);
}

/** Law of the number of busy units: min(n, c) under the stationary law of n (PASTA: what arrivals find = time average). */
function busyLaw(s: Station): number[] {
  const busy = stateLaw(s).slice(0, s.c);
  busy.push(Math.max(0, 1 - busy.reduce((a, b) => a + b, 0)));
  return busy;
}

/**
 * λ̂ moves towards the streams' rate by step / (relaxation time) per step (all the way when the queue relaxes
 * within a step, or when the rate overloads it: the fluid regime takes over then).
 */
function followStreams(q: LeapQueue, owner: QueueOwner, ratePerNs: number, leap: LeapStep): void {
  const target = owner.station(Math.max(ratePerNs, q.lambdaPerNs));
  const weight = utilisation(target) >= 1 ? 1 : Math.min(1, leap.stepNs / relaxationNs(target));
  q.lambdaPerNs += weight * (ratePerNs - q.lambdaPerNs);
  q.smoothedPerNs = q.twiceSmoothedPerNs = q.slowLambdaPerNs = q.lambdaPerNs;
}

/** λ̂ from counts alone: Brown's double exponential smoothing (2·S1 − S2 follows a ramp without lag). */
function smoothCounts(q: LeapQueue, owner: QueueOwner, count: number, leap: LeapStep): void {
  // The weight comes from a slower estimate: were it λ̂'s own, high excursions (smaller weight) would last
  // longer than low ones and bias λ̂ upwards.
  const weight = smoothingWeight(owner.station(q.slowLambdaPerNs), leap);
  q.smoothedPerNs += weight * (count / leap.stepNs - q.smoothedPerNs);
  q.twiceSmoothedPerNs += weight * (q.smoothedPerNs - q.twiceSmoothedPerNs);
  q.lambdaPerNs = Math.max(0, 2 * q.smoothedPerNs - q.twiceSmoothedPerNs);
  q.slowLambdaPerNs += (weight / SLOW_FACTOR) * (count / leap.stepNs - q.slowLambdaPerNs);
}

/**
 * One step of the queue with this step's admitted-for-consideration `arrivals` (requests the owner did not
 * refuse): updates λ̂, serves quasi-steadily or as a fluid, and sets `busyLaw` for the owner's power.
 */
export function stepQueue(
  q: LeapQueue,
  owner: QueueOwner,
  arrivals: SimPacket[],
  ctx: ActorContext,
  leap: LeapStep,
): void {
  let count = 0;
  for (const packet of arrivals) {
    count += packet.multiplicity;
    observeStream(q.streams, packet, ctx.nowNs);
  }
  const streamRate = totalRatePerNs(q.streams, ctx.nowNs, leap.stepNs);
  if (streamRate !== null) followStreams(q, owner, streamRate, leap);
  else smoothCounts(q, owner, count, leap);
  const s = { ...owner.station(q.lambdaPerNs), ...(streamRate !== null ? arrivalShape(q.streams) : POISSON) };
  if (q.backlogCount === 0 && utilisation(s) < 1) {
    quasiSteady(owner, arrivals, s, leap.samples, ctx);
    q.busyLaw = busyLaw(s);
  } else {
    fluid(q, owner, arrivals, s, ctx, leap);
    q.busyLaw = new Array<number>(s.c).fill(0).concat(1); // all units work while a backlog is left
  }
}

/** Drops the fluid backlog (the owner lost power or crashed). */
export function dropQueue(q: LeapQueue, reason: string, ctx: ActorContext): void {
  for (const held of q.backlog) ctx.drop(held.packet, reason);
  q.backlog = [];
  q.backlogCount = 0;
  q.busyLaw = [1];
}
