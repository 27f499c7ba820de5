/**
 * Processor sharing (`discipline: ps`): every request a server holds is in service at once, the `cores` shared
 * equally, so with n requests each progresses at speed · min(1, cores / n) (egalitarian PS; with one core the
 * M/G/1-PS queue, whose mean response time E[S]/(1 − ρ) does not depend on the service distribution's shape).
 *
 * Work is kept in full-speed nanoseconds. Between events the share is constant, so the set is brought up to date
 * (`advance`) before every change, and one timer stands for the next completion: the job with the least work
 * left. A change of the set or the speed bumps `epoch`, which makes the pending timer stale.
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";

/** The timer tag of the next completion (its argument is the epoch it was scheduled in). */
export const PS_DONE = 4;

export interface PsJob {
  request: SimPacket;
  arrivedNs: number;
  remainingWorkNs: number;
  /** Core time the job has had so far (ns of one core). */
  coreNs: number;
  /** Energy charged to the job (lost-work.ts). */
  energyJ: number;
}

export interface PsSet {
  jobs: PsJob[];
  lastNs: number;
  epoch: number;
}

export function newPsSet(): PsSet {
  return { jobs: [], lastNs: 0, epoch: 0 };
}

/** Share of one core each job has with `n` jobs on `cores` cores. */
function share(n: number, cores: number): number {
  return n <= cores ? 1 : cores / n;
}

/** Does the work of [lastNs, nowNs) at `speed`. */
function advance(ps: PsSet, nowNs: number, speed: number, cores: number): void {
  const dt = nowNs - ps.lastNs;
  ps.lastNs = nowNs;
  if (dt <= 0 || ps.jobs.length === 0) return;
  const s = share(ps.jobs.length, cores);
  for (const job of ps.jobs) {
    job.remainingWorkNs -= dt * s * speed;
    job.coreNs += dt * s;
  }
}

/**
 * Takes out the job that is due now (the least work left; the earliest admitted on ties), or null when the timer
 * is stale. Call after `advance`.
 */
function takeDue(ps: PsSet, epoch: number): PsJob | null {
  if (epoch !== ps.epoch || ps.jobs.length === 0) return null;
  let due = 0;
  for (let i = 1; i < ps.jobs.length; i++) if (ps.jobs[i]!.remainingWorkNs < ps.jobs[due]!.remainingWorkNs) due = i;
  return ps.jobs.splice(due, 1)[0]!;
}

/** Makes the pending completion stale and schedules the next one at `speed` (whole ns), if any job is left. */
function reschedule(ps: PsSet, speed: number, cores: number, ctx: ActorContext): void {
  ps.epoch++;
  if (ps.jobs.length === 0) return;
  let least = Number.POSITIVE_INFINITY;
  for (const job of ps.jobs) least = Math.min(least, job.remainingWorkNs);
  ctx.schedule(Math.max(0, Math.round(least / (share(ps.jobs.length, cores) * speed))), PS_DONE, ps.epoch);
}

/** A request of `workNs` (full-speed ns) joins the shared cores now. */
export function admitShared(
  ps: PsSet,
  request: SimPacket,
  workNs: number,
  speed: number,
  cores: number,
  ctx: ActorContext,
): void {
  advance(ps, ctx.nowNs, speed, cores);
  ps.jobs.push({ request, arrivedNs: ctx.nowNs, remainingWorkNs: workNs, coreNs: 0, energyJ: 0 });
  reschedule(ps, speed, cores, ctx);
}

/** The PS_DONE timer of `epoch`: the finished job (the next completion is scheduled), or null when stale. */
export function takeShared(ps: PsSet, epoch: number, speed: number, cores: number, ctx: ActorContext): PsJob | null {
  advance(ps, ctx.nowNs, speed, cores);
  const job = takeDue(ps, epoch);
  if (job !== null) reschedule(ps, speed, cores, ctx);
  return job;
}

/** The speed changes now from `before` to `after`: work done so far counts at the old speed. */
export function changeSharedSpeed(ps: PsSet, before: number, after: number, cores: number, ctx: ActorContext): void {
  advance(ps, ctx.nowNs, before, cores);
  if (ps.jobs.length > 0) reschedule(ps, after, cores, ctx);
}

/** Everything in service is lost (power off, failure): returns the jobs, brought up to date, for the caller to drop. */
export function loseShared(ps: PsSet, speed: number, cores: number, nowNs: number): PsJob[] {
  advance(ps, nowNs, speed, cores);
  const lost = ps.jobs;
  ps.jobs = [];
  ps.epoch++;
  return lost;
}
