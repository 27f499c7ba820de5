/**
 * An ML inference server that batches requests on its GPUs. A free GPU starts a batch when `max_size` requests
 * wait, or when the oldest has waited `max_wait` (then with whatever waits, up to max_size). A batch of n takes
 * base + n × per_item and answers all its requests at its end. GPU power follows the number of busy GPUs.
 * Records `batch_size`, `queue_wait_ns` and `busy_gpu_ns`.
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count, duration, size, watts } from "../../spec/units.ts";
import { answer, responseBytes } from "./response.ts";
import { lazy } from "../../spec/lazy.ts";

export const mlInferenceParams = lazy(() =>
  z
    .object({
      gpus: z
        .object({ count: count(1), idle_w: watts(), max_w: watts() })
        .strict()
        .refine((g) => g.max_w >= g.idle_w, { error: "max_w must be at least idle_w", path: ["max_w"] }),
      batch: z.object({ max_size: count(1), max_wait: duration({ positive: false }).default(0) }).strict(),
      /** Time of a batch of n: base + n × per_item. */
      batch_time: z.object({ base: duration({ positive: false }), per_item: duration({ positive: false }) }).strict(),
      response_bytes: size().default(1000),
      /** Requests that may wait; arrivals beyond it are dropped (`queue_full`). */
      queue_limit: count(0).optional(),
    })
    .strict(),
);
export type MlInferenceParams = z.output<typeof mlInferenceParams>;

interface InferenceState {
  params: MlInferenceParams;
  waiting: SimPacket[];
  arrivedNs: number[];
  /** Batch on each GPU (empty when idle) and its start. */
  batches: SimPacket[][];
  startedNs: number[];
  busy: number;
  held: number;
  /** A MAX_WAIT timer is pending. */
  waitArmed: boolean;
}

const BATCH_DONE = 1;
const MAX_WAIT = 2;

function setGpuPower(state: InferenceState, ctx: ActorContext): void {
  const { gpus } = state.params;
  ctx.setPower("gpu", gpus.count * gpus.idle_w + (gpus.max_w - gpus.idle_w) * state.busy);
}

/** Starts batches on free GPUs while the batching rule allows; otherwise waits for the oldest request's deadline. */
function tryStart(state: InferenceState, ctx: ActorContext): void {
  const { batch, batch_time } = state.params;
  while (state.waiting.length > 0) {
    const gpu = state.batches.findIndex((b) => b.length === 0);
    if (gpu < 0) return;
    const deadlineNs = state.arrivedNs[0]! + batch.max_wait;
    if (state.waiting.length < batch.max_size && ctx.nowNs < deadlineNs) {
      if (!state.waitArmed) {
        state.waitArmed = true;
        ctx.schedule(deadlineNs - ctx.nowNs, MAX_WAIT);
      }
      return;
    }
    const n = Math.min(batch.max_size, state.waiting.length);
    for (const arrived of state.arrivedNs.splice(0, n)) ctx.record("queue_wait_ns", ctx.nowNs - arrived);
    state.batches[gpu] = state.waiting.splice(0, n);
    state.startedNs[gpu] = ctx.nowNs;
    state.busy++;
    ctx.record("batch_size", n);
    ctx.schedule(batch_time.base + n * batch_time.per_item, BATCH_DONE, gpu);
    setGpuPower(state, ctx);
  }
}

export const mlInferenceModel: ActorModel<MlInferenceParams, InferenceState> = {
  kind: "ml_inference",

  initial(params, ctx) {
    const state: InferenceState = {
      params,
      waiting: [],
      arrivedNs: [],
      batches: Array.from({ length: params.gpus.count }, () => []),
      startedNs: new Array<number>(params.gpus.count).fill(0),
      busy: 0,
      held: 0,
      waitArmed: false,
    };
    setGpuPower(state, ctx);
    return state;
  },

  onPacket(state, packet, ctx) {
    if (packet.species !== Species.SPECIES_REQUEST) {
      ctx.drop(packet, "unexpected_species");
      return;
    }
    const limit = state.params.queue_limit;
    if (limit !== undefined && state.waiting.length >= limit) {
      ctx.drop(packet, "queue_full");
      return;
    }
    state.waiting.push(packet);
    state.arrivedNs.push(ctx.nowNs);
    state.held++;
    tryStart(state, ctx);
  },

  onTimer(state, tag, gpu, ctx) {
    if (tag === MAX_WAIT) state.waitArmed = false;
    else if (tag === BATCH_DONE) {
      const done = state.batches[gpu]!;
      state.batches[gpu] = [];
      state.busy--;
      state.held -= done.length;
      ctx.record("busy_gpu_ns", ctx.nowNs - state.startedNs[gpu]!);
      for (const request of done) {
        answer(request, responseBytes(request, state.params.response_bytes), ctx);
      }
      setGpuPower(state, ctx);
    }
    tryStart(state, ctx);
  },

  queued(state) {
    return state.held;
  },
};
