/**
 * Checkpoints and restarts of a training job (ml-training.ts), and the energy of the work a failure loses.
 *
 * - Checkpoint (`checkpoint: {every, time}`): after every `every`-th step the worker writes a checkpoint, its
 *   GPUs idle for `time`; once written, that step is the job's restart point.
 * - Crash (the runtime's `crash`): with `restart`, the worker's GPUs draw nothing while it is down (the host is
 *   down), and it records what it lost.
 * - Recover: after `backoff` × `multiplier`^(restarts this worker made before) with its GPUs idle, the worker
 *   restarts the job from its last checkpoint (step 0 without one) in a new generation, and sends every other
 *   worker a restart notice (a 64-byte control packet: generation and step). A worker that hears of a newer
 *   generation records what it lost and goes back to that step at once. Chunks carry their generation; older
 *   ones are ignored.
 * - Lost work: what a worker spent since its restart point (the end of its last checkpoint, its last restart, or
 *   the start): `wasted_energy_uj` (GPU energy, including the time it stalled waiting for a failed peer) and
 *   `lost_training_ns`; a restart counts `restarts`. Once the job's steps are done, nothing is left to lose.
 *
 * Two workers of one job failing at overlapping times are restarted by whichever notice is newest; the steps each
 * goes back to are then not reconciled (not modelled).
 */
import { z } from "zod";
import type { ActorContext } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count, duration } from "../../spec/units.ts";
import { lazy } from "../../spec/lazy.ts";

export const checkpointParams = lazy(() =>
  z
    .object({ every: count(1, "expected a positive whole number of steps"), time: duration({ positive: false }) })
    .strict(),
);

export const restartParams = lazy(() =>
  z
    .object({
      backoff: duration({ positive: false }),
      multiplier: z
        .number({ error: "expected a number of at least 1" })
        .min(1, { error: "expected at least 1" })
        .default(1),
    })
    .strict(),
);

interface RestartConfig {
  gpus: { count: number; idle_w: number };
  ring: readonly string[];
  checkpoint?: z.output<typeof checkpointParams> | undefined;
  restart?: z.output<typeof restartParams> | undefined;
}

/** Timer tags (ml-training.ts uses 1 for the end of compute). */
export const CHECKPOINT_DONE = 2;
export const RESTART = 3;

const NOTICE_BYTES = 64;

export interface RestartState {
  /** Restarts of the job this worker has joined. */
  generation: number;
  /** Restarts this worker started itself (the backoff grows with them). */
  ownRestarts: number;
  /** The step the job goes back to, and when this worker's current stretch of work began. */
  checkpointStep: number;
  sinceNs: number;
  /** GPU energy since `sinceNs`, integrated at every change of the draw. */
  sinceJ: number;
  gpuW: number;
  lastNs: number;
  /** The job's steps are done: a failure loses nothing. */
  finished: boolean;
}

export function newRestartState(): RestartState {
  return {
    generation: 0,
    ownRestarts: 0,
    checkpointStep: 0,
    sinceNs: 0,
    sinceJ: 0,
    gpuW: 0,
    lastNs: 0,
    finished: false,
  };
}

function accrue(life: RestartState, nowNs: number): void {
  life.sinceJ += life.gpuW * (nowNs - life.lastNs) * 1e-9;
  life.lastNs = nowNs;
}

/** Sets the GPUs' draw, keeping the energy since the restart point. */
export function gpuDraw(life: RestartState, watts: number, ctx: ActorContext): void {
  accrue(life, ctx.nowNs);
  life.gpuW = watts;
  ctx.setPower("gpu", watts);
}

/** From now on the job would come back to `step` (a checkpoint written, a restart, or the steps all done). */
export function restartPoint(life: RestartState, step: number, nowNs: number, finished = false): void {
  accrue(life, nowNs);
  life.checkpointStep = step;
  life.sinceNs = nowNs;
  life.sinceJ = 0;
  life.finished = finished;
}

export function checkpointDue(params: RestartConfig, step: number): boolean {
  return params.checkpoint !== undefined && step % params.checkpoint.every === 0;
}

function recordLost(life: RestartState, ctx: ActorContext): void {
  accrue(life, ctx.nowNs);
  if (life.finished) return;
  ctx.record("wasted_energy_uj", Math.round(life.sinceJ * 1e6));
  ctx.record("lost_training_ns", ctx.nowNs - life.sinceNs);
}

/** The runtime's crash and recover (a restartable job only; otherwise a crashed worker stalls the ring). */
export function onWorkerCommand(life: RestartState, params: RestartConfig, command: string, ctx: ActorContext): void {
  if (command !== "crash" && command !== "recover")
    throw new Error(`${ctx.self.id}: an ml_training worker has no command "${command}"`);
  if (params.restart === undefined) return;
  if (command === "crash") {
    recordLost(life, ctx);
    gpuDraw(life, 0, ctx);
    return;
  }
  gpuDraw(life, params.gpus.count * params.gpus.idle_w, ctx);
  if (life.finished) return;
  const { backoff, multiplier } = params.restart;
  ctx.schedule(Math.round(backoff * multiplier ** life.ownRestarts), RESTART, life.generation);
}

/** The backoff is over: a new generation from the last checkpoint, announced to the others; returns its step. */
export function restartNow(life: RestartState, params: RestartConfig, ctx: ActorContext): number {
  life.ownRestarts++;
  life.generation++;
  for (const id of params.ring) {
    if (id === ctx.self.id) continue;
    const dst = ctx.actorIndex(id);
    const notice = ctx.createPacket({
      dst,
      species: Species.SPECIES_CONTROL,
      sizeBytes: NOTICE_BYTES,
      flowId: life.generation,
      kind: life.checkpointStep,
    });
    ctx.send(notice, ctx.route(dst));
  }
  ctx.record("restarts", 1);
  restartPoint(life, life.checkpointStep, ctx.nowNs);
  return life.checkpointStep;
}

export function isRestartNotice(packet: SimPacket): boolean {
  return packet.species === Species.SPECIES_CONTROL;
}

/** A restart notice: the step to go back to when it is news (a newer generation), else null. */
export function takeNotice(life: RestartState, notice: SimPacket, ctx: ActorContext): number | null {
  if (notice.flowId <= life.generation) return null;
  recordLost(life, ctx);
  life.generation = notice.flowId;
  restartPoint(life, notice.kind, ctx.nowNs);
  return notice.kind;
}
