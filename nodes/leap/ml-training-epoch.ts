/**
 * The job's progress in leap mode as a pure function of time, per epoch: from the job's start, or from a restart
 * at its checkpoint, until it ends or stalls (a worker crashed: the ring cannot finish a step without it). Within
 * an epoch the job repeats blocks of `every` steps and one checkpoint (GPUs idle), as exact mode writes one after
 * every `every`-th step; a step is compute (the worker's GPUs busy its mean compute time), a wait for the slowest
 * worker, then the rounds (ml-training-law.ts).
 */
import type { RingLaw } from "./ml-training-law.ts";

export interface Epoch {
  /** Restarts of the job before this epoch (the exact model's generation). */
  generation: number;
  /** When the ring (re)started its first step, and at which step (a checkpoint, or 0). */
  originNs: number;
  fromStep: number;
  /** When this worker joined the epoch (the restart notice's arrival; the origin for the worker that restarts). */
  joinNs: number;
  /** When the ring stalled (a worker crashed); Infinity while it runs. */
  stallNs: number;
  /** This worker is the one that crashed: its compute and a checkpoint it was writing stop at the stall. */
  crashed: boolean;
}

export function firstEpoch(): Epoch {
  return { generation: 0, originNs: 0, fromStep: 0, joinNs: 0, stallNs: Number.POSITIVE_INFINITY, crashed: false };
}

/** Progress `tau` ns after an epoch's origin: steps and rounds completed (relative), busy time, phase. */
interface Relative {
  steps: number;
  rounds: number;
  busyNs: number;
  /** Checkpoints written (each after `every` steps). */
  checkpoints: number;
  /** Time into the current step (compute first), or -1 while writing a checkpoint or when the job is done. */
  intoStepNs: number;
  /** When the job's last step ended (relative), Infinity while steps are left. */
  finishedNs: number;
}

function blockNs(law: RingLaw): number {
  return law.every * law.stepNs + law.checkpointNs;
}

function relative(law: RingLaw, left: number, tau: number): Relative {
  const finite = Number.isFinite(law.every);
  const blocks = finite ? Math.floor(tau / blockNs(law)) : 0;
  const inBlock = tau - (blocks > 0 ? blocks * blockNs(law) : 0);
  const whole = Math.min(law.every, Math.floor(inBlock / law.stepNs));
  const steps = (blocks > 0 ? blocks * law.every : 0) + whole;
  if (steps >= left) {
    const before = finite ? Math.floor((left - 1) / law.every) : 0;
    const finishedNs =
      (before > 0 ? before * blockNs(law) : 0) + (left - (before > 0 ? before * law.every : 0)) * law.stepNs;
    const checkpoints = finite ? Math.floor(left / law.every) : 0;
    return {
      steps: left,
      rounds: left * law.rounds,
      busyNs: left * law.computeNs,
      checkpoints,
      intoStepNs: -1,
      finishedNs,
    };
  }
  const done = { steps, checkpoints: blocks, finishedNs: Number.POSITIVE_INFINITY };
  if (whole === law.every)
    return { ...done, rounds: steps * law.rounds, busyNs: steps * law.computeNs, intoStepNs: -1 };
  const into = inBlock - whole * law.stepNs;
  const rounds =
    into <= law.roundsFromNs ? 0 : Math.min(law.rounds, Math.floor((into - law.roundsFromNs) / law.roundNs));
  return {
    ...done,
    rounds: steps * law.rounds + rounds,
    busyNs: steps * law.computeNs + Math.min(into, law.computeNs),
    intoStepNs: into,
  };
}

function at(law: RingLaw, e: Epoch, t: number): Relative {
  return relative(law, law.limit - e.fromStep, Math.max(0, t - e.originNs));
}

/** Steps and rounds the ring has completed in the epoch by `t` (relative to its origin): none after a stall. */
export function completedAt(law: RingLaw, e: Epoch, t: number): { steps: number; rounds: number } {
  const r = at(law, e, Math.min(t, e.stallNs));
  return { steps: r.steps, rounds: r.rounds };
}

/**
 * GPU busy time in the epoch by `t`. After a stall the crashed worker computes no more; the others finish the
 * compute they were in (then wait, idle, for chunks that do not come), as in exact mode.
 */
export function busyAt(law: RingLaw, e: Epoch, t: number): number {
  if (t <= e.stallNs) return at(law, e, t).busyNs;
  if (e.stallNs <= e.originNs) return 0; // stalled before it began
  const stalled = at(law, e, e.stallNs);
  if (e.crashed || stalled.intoStepNs < 0) return stalled.busyNs;
  return at(law, e, Math.min(t, e.stallNs + Math.max(0, law.computeNs - stalled.intoStepNs))).busyNs;
}

/** Whether the worker's GPUs compute at `t` (the exact model's draw at that instant). */
export function computingAt(law: RingLaw, e: Epoch, t: number): boolean {
  return busyAt(law, e, t + 1) > busyAt(law, e, t);
}

/** GPU energy (J) over [from, to) in the epoch: idle draw throughout, plus (max − idle) while busy. */
export function gpuEnergyJ(
  law: RingLaw,
  gpus: { count: number; idle_w: number; max_w: number },
  e: Epoch,
  from: number,
  to: number,
): number {
  const busyNs = busyAt(law, e, to) - busyAt(law, e, from);
  return gpus.count * (gpus.idle_w * (to - from) + (gpus.max_w - gpus.idle_w) * busyNs) * 1e-9;
}

/**
 * The point a failure at `t` would send this worker back to, as ml-restart.ts keeps it: the last checkpoint
 * written (others finish writing one the stall caught; the crashed worker does not), else the worker's joining
 * of the epoch; `finished` once the job's steps are done (nothing left to lose).
 */
export function restartPointAt(
  law: RingLaw,
  e: Epoch,
  t: number,
): { step: number; sinceNs: number; finished: boolean } {
  const stalled = at(law, e, Math.min(t, e.stallNs));
  if (Number.isFinite(stalled.finishedNs) && e.originNs + stalled.finishedNs <= t)
    return { step: e.fromStep + stalled.steps, sinceNs: e.originNs + stalled.finishedNs, finished: true };
  let writtenBy = Math.min(t, e.stallNs);
  if (t > e.stallNs && !e.crashed && stalled.intoStepNs < 0 && Number.isFinite(law.every))
    writtenBy = Math.min(t, e.originNs + (stalled.checkpoints + 1) * blockNs(law)); // the write in progress ends
  const written = at(law, e, writtenBy).checkpoints;
  const writtenNs = e.originNs + written * blockNs(law);
  if (written > 0 && writtenNs > e.joinNs)
    return { step: e.fromStep + written * law.every, sinceNs: writtenNs, finished: false };
  return { step: e.fromStep, sinceNs: e.joinNs, finished: false };
}
