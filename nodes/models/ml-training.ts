/**
 * A worker of a data-parallel ML training job with ring all-reduce. Every step: a compute phase (forward and
 * backward pass) with the GPUs at full power, then the gradient all-reduce over the ring of workers: 2(N−1)
 * rounds in which each worker sends one chunk (model_bytes / N) to its successor and waits for its predecessor's
 * chunk before the next round (reduce-scatter, then all-gather). GPUs draw idle power while communicating.
 * Records `step_time_ns`, `allreduce_ns` and `step_energy_uj` (GPU energy of the step).
 *
 * Failures (opt-in, ml-restart.ts): with `checkpoint`, every `every` steps the worker writes a checkpoint (GPUs idle
 * for `time`); with `restart`, a worker that crashes and recovers restarts the job from its last checkpoint (or
 * from the start) after a backoff, and tells the other workers, which go back to that step too. Each worker
 * records the work it lost: `wasted_energy_uj` and `lost_training_ns`. Without `restart`, a crashed worker stalls
 * the ring as before.
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count, size, watts } from "../../spec/units.ts";
import { durationDistribution, sampleNs } from "./distributions.ts";
import {
  CHECKPOINT_DONE,
  checkpointDue,
  checkpointParams,
  gpuDraw,
  isRestartNotice,
  newRestartState,
  onWorkerCommand,
  restartParams,
  restartPoint,
  RESTART,
  restartNow,
  takeNotice,
  type RestartState,
} from "./ml-restart.ts";
import { lazy } from "../../spec/lazy.ts";

export const mlTrainingParams = lazy(() =>
  z
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
      /** Write a checkpoint every `every` steps, the GPUs idle for `time` (ml-restart.ts). */
      checkpoint: checkpointParams.optional(),
      /** Restart the job from the last checkpoint after a crash, `backoff` × `multiplier`^(restarts so far) later. */
      restart: restartParams.optional(),
    })
    .strict(),
);
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
  /** Chunks received ahead of time (reordered or from a faster predecessor): sequence number → generation. */
  arrived: Record<number, number>;
  /** Checkpoints, restarts and the energy since the last restart point (ml-restart.ts). */
  life: RestartState;
}

const COMPUTE_DONE = 1;

export function startStep(state: WorkerState, ctx: ActorContext): void {
  if (state.params.steps !== undefined && state.step >= state.params.steps) {
    gpuDraw(state.life, state.params.gpus.count * state.params.gpus.idle_w, ctx);
    restartPoint(state.life, state.step, ctx.nowNs, true); // the trained model is kept: nothing left to lose
    return;
  }
  const { gpus } = state.params;
  state.round = -1;
  state.stepStartNs = ctx.nowNs;
  state.computeNs = sampleNs(state.params.compute_time, ctx.rng);
  gpuDraw(state.life, gpus.count * gpus.max_w, ctx);
  ctx.schedule(state.computeNs, COMPUTE_DONE, state.life.generation);
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
    // A restartable job tags its chunks with the generation (restarts so far), so stale ones are told apart.
    ...(state.params.restart === undefined ? {} : { flowId: state.life.generation }),
  });
  ctx.send(chunk, state.nextPort);
}

/** Consumes the predecessor's chunks for the rounds in turn; finishes the step after the last. */
function advance(state: WorkerState, ctx: ActorContext): void {
  while (state.round >= 0 && state.arrived[seq(state, state.round)] === state.life.generation) {
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
      if (checkpointDue(state.params, state.step)) {
        gpuDraw(state.life, gpus.count * gpus.idle_w, ctx);
        ctx.schedule(state.params.checkpoint!.time, CHECKPOINT_DONE, state.life.generation);
      } else startStep(state, ctx);
      return;
    }
    sendChunk(state, ctx);
  }
}

/** The job goes back to `step` (a checkpoint) in the current generation and starts it now. */
function goBack(state: WorkerState, step: number, ctx: ActorContext): void {
  state.step = step;
  for (const key of Object.keys(state.arrived))
    if (state.arrived[Number(key)]! < state.life.generation) delete state.arrived[Number(key)];
  startStep(state, ctx);
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
      life: newRestartState(),
    };
    startStep(state, ctx);
    return state;
  },

  onTimer(state, tag, arg, ctx) {
    if (tag === CHECKPOINT_DONE && arg === state.life.generation) {
      restartPoint(state.life, state.step, ctx.nowNs);
      startStep(state, ctx);
    } else if (tag === RESTART) {
      goBack(state, restartNow(state.life, state.params, ctx), ctx);
      return;
    }
    if (tag !== COMPUTE_DONE || arg !== state.life.generation) return; // stale: from before a restart
    const { gpus } = state.params;
    gpuDraw(state.life, gpus.count * gpus.idle_w, ctx);
    state.round = 0;
    sendChunk(state, ctx);
    advance(state, ctx);
  },

  onPacket(state, packet: SimPacket, ctx) {
    if (state.params.restart !== undefined && isRestartNotice(packet)) {
      ctx.consume(packet);
      const step = takeNotice(state.life, packet, ctx);
      if (step !== null) goBack(state, step, ctx);
      return;
    }
    if (packet.species !== Species.SPECIES_TRANSFER) {
      ctx.drop(packet, "unexpected_species");
      return;
    }
    ctx.consume(packet);
    const generation = state.params.restart === undefined ? 0 : packet.flowId;
    if (generation < state.life.generation) return; // from before a restart: its step is redone
    state.arrived[packet.kind] = generation;
    advance(state, ctx);
  },

  onCommand(state, command, _args, ctx) {
    onWorkerCommand(state.life, state.params, command, ctx);
  },

  queued() {
    return 0;
  },
};
