/**
 * Worker crashes and restarts of a training job in leap mode, with exact mode's semantics (ml-restart.ts):
 * - A crash (at a step boundary) stalls the ring: the crashed worker records the work lost since its restart point
 *   (with `restart`) and draws nothing while down; it tells the other workers when the ring stalled (a stall
 *   notice: in exact mode they learn it by the chunks that stop coming). They finish the compute they were in, then
 *   idle. Without `restart` the ring stays stalled; the crashed worker's GPUs keep the draw they had (as in exact
 *   mode, where its timers are lost).
 * - On recover the worker idles for its backoff, then restarts the job from its last checkpoint in a new
 *   generation. It announces the restart at once (a restart notice: generation, restart time, step), so workers
 *   whose notice path is shorter than the backoff join it exactly when exact mode's notice would reach them;
 *   each records the work it lost up to then.
 * - A crash during the backoff cancels the announced restart (a stall notice at its restart time), as exact mode
 *   loses the restart's timer.
 * Notices are 64-byte control packets, as exact mode's restart notices: flowId = the time (ns) they announce,
 * kind = the generation, replyBytes = 0 for a stall, 2·step + 1 for a restart from `step`.
 */
import type { ActorContext } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import type { LinkSpec } from "../runtime/topology.ts";
import type { MlTrainingParams } from "../models/ml-training.ts";
import { computingAt, type Epoch, gpuEnergyJ, restartPointAt } from "./ml-training-epoch.ts";
import type { RingLaw } from "./ml-training-law.ts";
import { pathNs } from "./ml-training-paths.ts";

const NOTICE_BYTES = 64;

/** A worker's view of its job: the epoch it is in and one it will join (a restart announced ahead). */
export interface JobView {
  params: MlTrainingParams;
  law: RingLaw;
  /** The ring as actor indices, and this worker's. */
  ring: number[];
  self: number;
  epoch: Epoch;
  pending: (Epoch & { own: boolean }) | null;
  /** Restarts this worker started itself (its backoff grows with them), and the last generation it announced. */
  ownRestarts: number;
  announced: number;
  /** Where this worker's crash sends the job back to (the step at its crash). */
  resumeStep: number;
  /** Without `restart`: the draw a crashed worker keeps (W); null otherwise. */
  stuckW: number | null;
}

function notify(job: JobView, timeNs: number, generation: number, replyBytes: number, ctx: ActorContext): void {
  for (const dst of job.ring) {
    if (dst === job.self) continue;
    const notice = ctx.createPacket({
      dst,
      species: Species.SPECIES_CONTROL,
      sizeBytes: NOTICE_BYTES,
      flowId: timeNs,
      kind: generation,
      replyBytes,
    });
    ctx.send(notice, ctx.route(dst));
  }
}

/** Records what this worker loses when the job goes back at `t` (nothing once its steps are done). */
export function recordLost(job: JobView, e: Epoch, t: number, ctx: ActorContext): void {
  const point = restartPointAt(job.law, e, t);
  if (point.finished) return;
  ctx.record("wasted_energy_uj", Math.round(gpuEnergyJ(job.law, job.params.gpus, e, point.sinceNs, t) * 1e6));
  ctx.record("lost_training_ns", t - point.sinceNs);
}

/** The crash, at `t` (after the progress up to `t` is accounted): stall the ring, count the loss, tell the others. */
export function crash(job: JobView, t: number, ctx: ActorContext): void {
  const { gpus, restart } = job.params;
  const e = job.epoch;
  if (restart === undefined) {
    const computing = computingAt(job.law, e, t);
    job.stuckW = gpus.count * (computing ? gpus.max_w : gpus.idle_w);
  }
  e.stallNs = Math.min(e.stallNs, t);
  e.crashed = true;
  if (job.pending?.own) {
    // Down during its backoff: its restart does not happen (exact mode loses the timer); the others forget it.
    notify(job, job.pending.originNs, job.pending.generation, 0, ctx);
    job.ownRestarts--;
  }
  job.pending = null; // a restart this worker had not joined yet: it is down (exact mode drops the notice)
  job.resumeStep = restartPointAt(job.law, e, t).step;
  if (restart !== undefined) recordLost(job, e, t, ctx);
  ctx.setPower("gpu", job.stuckW ?? 0);
  notify(job, t, e.generation, 0, ctx);
}

/** Recovery at `t`: with `restart`, a new epoch from the last checkpoint after the backoff, announced now. */
export function recover(job: JobView, t: number, ctx: ActorContext): void {
  const { restart } = job.params;
  if (restart === undefined || restartPointAt(job.law, job.epoch, t).finished) return;
  const originNs = t + Math.round(restart.backoff * restart.multiplier ** job.ownRestarts);
  job.ownRestarts++;
  const generation = Math.max(job.epoch.generation, job.announced) + 1;
  job.announced = generation;
  const fromStep = job.resumeStep;
  job.pending = { generation, originNs, fromStep, joinNs: originNs, stallNs: Infinity, crashed: false, own: true };
  notify(job, originNs, generation, 2 * fromStep + 1, ctx);
}

/** A notice from another worker: a stall of an epoch it shares, or a newer restart to join. */
export function takeNotice(job: JobView, notice: SimPacket, links: readonly LinkSpec[]): void {
  const generation = notice.kind;
  const timeNs = notice.flowId;
  if (notice.replyBytes === 0) {
    if (job.pending?.generation === generation && timeNs <= job.pending.originNs) job.pending = null; // cancelled
    for (const e of [job.epoch, job.pending])
      if (e !== null && e.generation === generation) e.stallNs = Math.min(e.stallNs, timeNs);
    return;
  }
  if (generation <= Math.max(job.epoch.generation, job.pending?.generation ?? -1)) return;
  const joinNs = timeNs + pathNs(links, notice.src, job.self, NOTICE_BYTES);
  const fromStep = (notice.replyBytes - 1) / 2;
  job.pending = { generation, originNs: timeNs, fromStep, joinNs, stallNs: Infinity, crashed: false, own: false };
}
