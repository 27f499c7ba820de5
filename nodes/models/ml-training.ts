/**
 * A worker of a data-parallel ML training job with ring all-reduce. Every step: a compute phase (forward and
 * backward pass) with the GPUs at full power, then the gradient all-reduce over the ring of workers: 2(N−1)
 * rounds in which each worker sends one chunk (model_bytes / N) to its successor and waits for its predecessor's
 * chunk before the next round (reduce-scatter, then all-gather). GPUs draw idle power while communicating.
 * Records `step_time_ns`, `allreduce_ns` and `step_energy_uj` (GPU energy of the step).
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count, size, watts } from "../../spec/units.ts";
import { durationDistribution, sampleNs } from "./distributions.ts";

export const mlTrainingParams = z
  .object({
    /** Every worker of the job in ring order (the same list on each worker, including itself). */
    ring: z
      .array(z.string({ error: "expected the id of an actor" }), { error: "expected a list of worker ids" })
      .min(2, { error: "expected at least two workers" }),
    gpus: z
      .object({ count: count(1), idle_w: watts(), max_w: watts() })
      .strict()
      .refine((g) => g.max_w >= g.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] }),
    /** Forward and backward pass of one step at full GPU power. */
    compute_time: durationDistribution,
    /** Gradient size that is all-reduced every step. */
    model_bytes: size(),
    /** Steps to train; unlimited (until the run ends) when omitted. */
    steps: count(1).optional(),
    /** Trainable parameters N of the model, for the training floor 2·N·D·k_B·T (summary thermodynamics.training). */
    parameters: count(1).optional(),
    /** Training examples this worker processes per step (its share of the global batch): D = steps × this. */
    examples_per_step: count(1).optional(),
  })
  .strict();
export type MlTrainingParams = z.output<typeof mlTrainingParams>;

interface WorkerState {
  params: MlTrainingParams;
  next: number;
  nextPort: number;
  rounds: number;
  chunkBytes: number;
  step: number;
  /** Rounds of the current step's all-reduce done (-1 while computing). */
  round: number;
  stepStartNs: number;
  computeNs: number;
  /** Chunks received ahead of time (reordered or from a faster predecessor), by sequence number. */
  arrived: Record<number, true>;
}

const COMPUTE_DONE = 1;

function startStep(state: WorkerState, ctx: ActorContext): void {
  if (state.params.steps !== undefined && state.step >= state.params.steps) {
    ctx.setPower("gpu", state.params.gpus.count * state.params.gpus.idle_w);
    return;
  }
  const { gpus } = state.params;
  state.round = -1;
  state.stepStartNs = ctx.nowNs;
  state.computeNs = sampleNs(state.params.compute_time, ctx.rng);
  ctx.setPower("gpu", gpus.count * gpus.max_w);
  ctx.schedule(state.computeNs, COMPUTE_DONE);
}

/** Sequence number of a chunk: unique per (step, round), carried in the packet's kind. */
function seq(state: WorkerState, round: number): number {
  return state.step * state.rounds + round;
}

function sendChunk(state: WorkerState, ctx: ActorContext): void {
  const chunk = ctx.createPacket({
    dst: state.next,
    species: Species.SPECIES_TRANSFER,
    sizeBytes: state.chunkBytes,
    kind: seq(state, state.round),
  });
  ctx.send(chunk, state.nextPort);
}

/** Consumes the predecessor's chunks for the rounds in turn; finishes the step after the last. */
function advance(state: WorkerState, ctx: ActorContext): void {
  while (state.round >= 0 && state.arrived[seq(state, state.round)]) {
    delete state.arrived[seq(state, state.round)];
    state.round++;
    if (state.round === state.rounds) {
      const { gpus } = state.params;
      const stepNs = ctx.nowNs - state.stepStartNs;
      ctx.record("step_time_ns", stepNs);
      ctx.record("allreduce_ns", stepNs - state.computeNs);
      ctx.record(
        "step_energy_uj",
        (gpus.count * (gpus.max_w * state.computeNs + gpus.idle_w * (stepNs - state.computeNs))) / 1e3,
      );
      state.step++;
      startStep(state, ctx);
      return;
    }
    sendChunk(state, ctx);
  }
}

export const mlTrainingModel: ActorModel<MlTrainingParams, WorkerState> = {
  kind: "ml_training",

  initial(params, ctx) {
    const position = params.ring.indexOf(ctx.self.id);
    if (position < 0) throw new Error(`${ctx.self.id}: not in its own ring`);
    const next = ctx.actorIndex(params.ring[(position + 1) % params.ring.length]!);
    const n = params.ring.length;
    const state: WorkerState = {
      params,
      next,
      nextPort: ctx.route(next),
      rounds: 2 * (n - 1),
      chunkBytes: Math.ceil(params.model_bytes / n),
      step: 0,
      round: -1,
      stepStartNs: 0,
      computeNs: 0,
      arrived: {},
    };
    startStep(state, ctx);
    return state;
  },

  onTimer(state, tag, _arg, ctx) {
    if (tag !== COMPUTE_DONE) return;
    const { gpus } = state.params;
    ctx.setPower("gpu", gpus.count * gpus.idle_w);
    state.round = 0;
    sendChunk(state, ctx);
    advance(state, ctx);
  },

  onPacket(state, packet: SimPacket, ctx) {
    if (packet.species !== Species.SPECIES_TRANSFER) {
      ctx.drop(packet, "unexpected_species");
      return;
    }
    ctx.consume(packet);
    state.arrived[packet.kind] = true;
    advance(state, ctx);
  },

  queued() {
    return 0;
  },
};
