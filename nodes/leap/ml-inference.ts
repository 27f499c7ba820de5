/**
 * An ML inference server (nodes/models/ml-inference.ts) in leap mode: its batching queue is a fast subsystem.
 * Batches take milliseconds, far less than a step, so per step the queue is in quasi-steady state given the slow
 * variable, the arrival rate λ̂ (the streams' rates the senders drew their counts from, stream-rates.ts, followed
 * with a lag of the queue's relaxation time; counts smoothed when no stream says its rate):
 *
 * - *Quasi-steady* (no backlog, λ̂ below what full batches serve back to back): the stationary law of the batch
 *   queue (batch-law.ts: its embedded Markov chain, exact for one GPU and `max_wait: 0`). Arrivals are dropped
 *   with its blocking probability (`queue_full`, binomial), every admitted request is answered in the step with
 *   a sampled wait and batch (`samples` parts per packet, each with its own draw), and the GPU draws
 *   idle + (max − idle)·U, U the law's busy fraction (piecewise constant per step: the exact time average).
 * - *Fluid* (λ̂ at or above capacity, or a backlog left): full batches of B run back to back, ⌊time / s(B)⌋ per
 *   step (the remainder carried); requests join a FIFO backlog (at most `queue_limit`, the rest dropped) and wait
 *   for the full batches ahead of them plus half a batch (the running one's mean residual). The GPU is busy for
 *   the batches run.
 *
 * Records as exact mode does: `queue_wait_ns` per request, `batch_size` and `busy_gpu_ns` per batch (a request
 * sampled in a batch of n stands for 1/n of it; whole batches are recorded, the fractions carried to later steps).
 * The exact model counts no state transitions, so neither does this (the ledgers see the same packets and power).
 */
import type { ActorContext, LeapBehaviour, LeapStep } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { binomial } from "../runtime/sampling.ts";
import type { MlInferenceParams } from "../models/ml-inference.ts";
import { responseBytes } from "../models/response.ts";
import { batchLaw, batchNs, capacityPerNs, sampleBatch, type BatchLaw, type Batcher } from "./batch-law.ts";
import { newPortQueues, StepOutbox, type PortQueues } from "./ports.ts";
import { evenParts } from "./station.ts";
import { arrivalShape, observeStream, totalRatePerNs, type ArrivalShape, type StreamRates } from "./stream-rates.ts";

/**
 * λ̂ may move ε·(1 − ρ)/10 (relative) before the law is solved again: the mean wait's relative change is about
 * the rate's over (1 − ρ), so the law's waits stay within ε/10 of those at the current rate.
 */
const LAW_TOLERANCE = 0.1;

interface Held {
  packet: SimPacket;
  admittedNs: number;
  waitNs: number;
}

interface LeapInferenceState {
  params: MlInferenceParams;
  batcher: Batcher;
  /** λ̂ (per ns). */
  lambdaPerNs: number;
  streams: StreamRates;
  law: BatchLaw | null;
  backlog: Held[];
  backlogCount: number;
  /** Fluid regime: GPU time left over from the last step towards the next full batch (ns). */
  carryNs: number;
  /** Batches of each size served but not yet recorded (fractions of a batch, see above). */
  batches: number[];
  ports: PortQueues;
}

/** Relaxation time of the batch queue: a full batch's time over (1 − √ρ)², as an M/M/1's (Morse 1955). */
function relaxationNs(b: Batcher, lambda: number): number {
  const rho = lambda / capacityPerNs(b);
  return rho >= 1 ? Number.POSITIVE_INFINITY : batchNs(b, b.maxSize) / (1 - Math.sqrt(rho)) ** 2;
}

/**
 * Most phases of an Erlang arrival stream solved for, and most phases × max_size (the chain's band grows with
 * both): round robin over more replicas is taken as this many (a little less smooth: waits slightly overstated).
 */
const MAX_PHASES = 16;
const MAX_PHASE_ITEMS = 256;

/**
 * The arrival stream as Erlang phases: k when every k-th of a Poisson stream arrives here (a round-robin balancer
 * over k replicas: c_a² = 1/k), 1 (Poisson) otherwise, including mixed streams and shortest-queue pools (a bias:
 * docs/leap.md).
 */
function erlangPhases(shape: ArrivalShape, maxSize: number): number {
  if (shape.pool > 1) return 1;
  const k = Math.round(1 / shape.ca2);
  if (!(k > 1 && Math.abs(k * shape.ca2 - 1) < 1e-9)) return 1;
  return Math.max(1, Math.min(k, MAX_PHASES, Math.floor(MAX_PHASE_ITEMS / maxSize)));
}

/** λ̂ follows the streams' rate with the queue's relaxation lag, or smooths counts over about 1/ε arrivals. */
function updateRate(state: LeapInferenceState, arrivals: SimPacket[], ctx: ActorContext, leap: LeapStep): void {
  let count = 0;
  for (const packet of arrivals) {
    count += packet.multiplicity;
    observeStream(state.streams, packet, ctx.nowNs);
  }
  const stream = totalRatePerNs(state.streams, ctx.nowNs, leap.stepNs);
  state.batcher.phases = stream === null ? 1 : erlangPhases(arrivalShape(state.streams), state.batcher.maxSize);
  if (stream !== null) {
    // All the way when the queue relaxes within a step, or when the rate overloads it (the fluid takes over).
    const relaxNs = relaxationNs(state.batcher, Math.max(stream, state.lambdaPerNs));
    const weight = Number.isFinite(relaxNs) ? Math.min(1, leap.stepNs / relaxNs) : 1;
    state.lambdaPerNs += weight * (stream - state.lambdaPerNs);
  } else {
    const weight = state.lambdaPerNs > 0 ? Math.min(1, leap.stepNs * state.lambdaPerNs * leap.epsilon) : 1;
    state.lambdaPerNs += weight * (count / leap.stepNs - state.lambdaPerNs);
  }
  // Requests are there, so is a rate (a stream that says 0 would leave them unserved).
  if (count > 0 && !(state.lambdaPerNs > 0)) state.lambdaPerNs = count / leap.stepNs;
}

function lawAt(state: LeapInferenceState, leap: LeapStep): BatchLaw {
  const law = state.law;
  const slack = LAW_TOLERANCE * leap.epsilon * (1 - state.lambdaPerNs / capacityPerNs(state.batcher));
  const same = law !== null && law.batcher.phases === state.batcher.phases;
  if (same && Math.abs(state.lambdaPerNs - law.lambda) <= slack * law.lambda) return law;
  state.law = batchLaw({ ...state.batcher }, state.lambdaPerNs);
  return state.law;
}

function answer(request: SimPacket, heldNs: number, state: LeapInferenceState, out: StepOutbox, ctx: ActorContext) {
  out.answer(request, responseBytes(request, state.params.response_bytes), heldNs, ctx);
}

function setGpuPower(state: LeapInferenceState, busy: number, ctx: ActorContext): void {
  const { count, idle_w, max_w } = state.params.gpus;
  ctx.setPower("gpu", count * idle_w + (max_w - idle_w) * busy);
}

/** Quasi-steady step: returns the GPU's busy fraction. */
function quasiSteady(
  state: LeapInferenceState,
  arrivals: SimPacket[],
  out: StepOutbox,
  ctx: ActorContext,
  leap: LeapStep,
) {
  const law = lawAt(state, leap);
  for (const packet of arrivals) {
    const lost = binomial(packet.multiplicity, law.blocking, ctx.rng);
    if (lost === packet.multiplicity) {
      ctx.drop(packet, "queue_full");
      continue;
    }
    if (lost > 0) ctx.drop(ctx.split(packet, lost), "queue_full");
    for (const part of evenParts(packet, leap.samples, ctx)) {
      const { waitNs, size } = sampleBatch(law, ctx.rng);
      ctx.record("queue_wait_ns", waitNs, part.multiplicity);
      state.batches[size]! += part.multiplicity / size;
      answer(part, waitNs + batchNs(state.batcher, size), state, out, ctx);
    }
  }
  return law.busy;
}

/** Fluid step: full batches back to back from the FIFO backlog; returns the GPU's busy fraction. */
function fluid(state: LeapInferenceState, arrivals: SimPacket[], out: StepOutbox, ctx: ActorContext, leap: LeapStep) {
  const b = state.batcher;
  const fullNs = batchNs(b, b.maxSize);
  for (const packet of arrivals) {
    const excess = state.backlogCount + packet.multiplicity - b.limit;
    if (excess >= packet.multiplicity) {
      ctx.drop(packet, "queue_full");
      continue;
    }
    if (excess > 0) ctx.drop(ctx.split(packet, excess), "queue_full");
    const waitNs = (Math.floor(state.backlogCount / b.maxSize) + 0.5) * fullNs;
    state.backlog.push({ packet, admittedNs: ctx.nowNs, waitNs });
    state.backlogCount += packet.multiplicity;
  }
  const budgetNs = leap.stepNs + state.carryNs;
  const runs = fullNs > 0 ? Math.floor(budgetNs / fullNs) : Number.POSITIVE_INFINITY;
  let room = Math.min(state.backlogCount, runs * b.maxSize);
  const used = fullNs > 0 ? Math.ceil(room / b.maxSize) : 0;
  state.carryNs = used < runs ? 0 : budgetNs - runs * fullNs;
  while (room > 0) {
    const head = state.backlog[0]!;
    const part = ctx.split(head.packet, Math.min(room, head.packet.multiplicity));
    if (part === head.packet) state.backlog.shift();
    room -= part.multiplicity;
    state.backlogCount -= part.multiplicity;
    ctx.record("queue_wait_ns", head.waitNs, part.multiplicity);
    state.batches[b.maxSize]! += part.multiplicity / b.maxSize;
    answer(part, head.waitNs + fullNs - (ctx.nowNs - head.admittedNs), state, out, ctx);
  }
  return Math.min(1, (used * fullNs) / leap.stepNs);
}

/** Records the whole batches served; fractions wait for later steps. */
function recordBatches(state: LeapInferenceState, ctx: ActorContext): void {
  state.batches.forEach((pending, size) => {
    const whole = Math.floor(pending + 1e-9);
    if (whole < 1) return;
    ctx.record("batch_size", size, whole);
    ctx.record("busy_gpu_ns", batchNs(state.batcher, size), whole);
    state.batches[size] = pending - whole;
  });
}

function dropBacklog(state: LeapInferenceState, reason: string, ctx: ActorContext): void {
  for (const held of state.backlog) ctx.drop(held.packet, reason);
  state.backlog = [];
  state.backlogCount = 0;
  state.carryNs = 0;
}

export const mlInferenceLeap: LeapBehaviour<MlInferenceParams, LeapInferenceState> = {
  initial(params, ctx) {
    const state: LeapInferenceState = {
      params,
      batcher: {
        maxSize: params.batch.max_size,
        baseNs: params.batch_time.base,
        perItemNs: params.batch_time.per_item,
        limit: params.queue_limit ?? Number.POSITIVE_INFINITY,
        phases: 1,
      },
      lambdaPerNs: 0,
      streams: {},
      law: null,
      backlog: [],
      backlogCount: 0,
      carryNs: 0,
      batches: new Array<number>(params.batch.max_size + 1).fill(0),
      ports: newPortQueues(ctx.ports.length),
    };
    setGpuPower(state, 0, ctx);
    return state;
  },

  step(state, inbox, ctx, leap) {
    const arrivals: SimPacket[] = [];
    for (const packet of inbox) {
      if (packet.species !== Species.SPECIES_REQUEST) ctx.drop(packet, "unexpected_species");
      else if (state.batcher.limit === 0)
        ctx.drop(packet, "queue_full"); // no room even for one
      else arrivals.push(packet);
    }
    updateRate(state, arrivals, ctx, leap);
    const out = new StepOutbox();
    let busy = 0;
    if (state.backlogCount === 0 && state.lambdaPerNs < capacityPerNs(state.batcher)) {
      if (arrivals.length > 0) busy = quasiSteady(state, arrivals, out, ctx, leap);
      else if (state.lambdaPerNs > 0) busy = lawAt(state, leap).busy;
      state.carryNs = 0;
    } else busy = fluid(state, arrivals, out, ctx, leap);
    setGpuPower(state, busy, ctx);
    recordBatches(state, ctx);
    out.flush(ctx, leap, state.ports);
  },

  onCommand(state, command, _args, ctx) {
    if (command === "crash") dropBacklog(state, "actor_down", ctx);
    else if (command !== "recover")
      throw new Error(`${ctx.self.id}: an ml_inference server has no command "${command}"`);
  },

  queued(state) {
    return state.backlog.length;
  },
};

/** Largest batch leap mode solves the queue's chain for (a solve takes one to a few seconds at B = 128, ρ = 0.99). */
const MAX_BATCH = 128;

/**
 * Why the batch-queue law cannot take an ml_inference actor (field path first), or null when it leaps. Such an
 * actor is not refused: it runs its exact model inside the leap run (exact-in-leap.ts, scenario/leap-hybrid.ts).
 */
export function mlInferenceNeedsExact(params: MlInferenceParams): string | null {
  // Several GPUs sharing one queue, or a batch timer (the oldest request's age becomes part of the state): no
  // exact law is solved for those yet, and an approximate one was not validated.
  if (params.gpus.count !== 1) return "gpus.count: the leap law takes ml_inference with one GPU only";
  if (params.batch.max_wait > 0) return "batch.max_wait: the leap law takes ml_inference with max_wait 0 only";
  if (params.batch.max_size > MAX_BATCH)
    return `batch.max_size: the leap law takes ml_inference batches of at most ${MAX_BATCH}`;
  return null;
}
