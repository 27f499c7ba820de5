/**
 * A worker of a ring all-reduce training job in leap mode. Its rounds (microseconds) are far shorter than a step,
 * so the job advances analytically: a step takes compute + 2(N−1) rounds, a round the mean worker-to-successor
 * path delay of the ring; with a random compute time the ring's cycle time (ml-training-law.ts). Every worker derives the job's progress from
 * the same law, the same scenario links and the same notices of crashes and restarts (ml-training-faults.ts), so
 * the ring stays consistent across hosts. Per leap step a worker:
 * - counts the steps completed since its last step as exact mode does (`step_time_ns`, `allreduce_ns`,
 *   `step_energy_uj`, weighted by the count);
 * - sends the chunks its rounds put on the wire as one packet towards its successor whose multiplicity is the
 *   rounds completed, so link energy, links.csv and the ledgers see those bytes;
 * - draws the GPU power averaged over the coming step (its mean busy fraction × max + the rest × idle): the
 *   energy integral is exact for the law.
 * Approximations (docs/leap.md): the step law with random compute times; no contention with other traffic on
 * shared links; the links as loaded (delay and bandwidth faults on ring links are not seen); the others learn of
 * a crash by a notice that takes the path's steps of pipeline.
 */
import type { ActorContext, LeapBehaviour, LeapStep } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import type { MlTrainingParams } from "../models/ml-training.ts";
import { completedAt, firstEpoch, gpuEnergyJ } from "./ml-training-epoch.ts";
import { crash, type JobView, recordLost, recover, takeNotice } from "./ml-training-faults.ts";
import { ringLaw } from "./ml-training-law.ts";

interface LeapWorker {
  job: JobView;
  next: number;
  nextPort: number;
  chunkBytes: number;
  /** Steps and rounds of the current epoch already counted (relative to its origin). */
  stepsDone: number;
  roundsDone: number;
  /** The leap step (ns): the worker acts at its middles. */
  leapStepNs: number;
}

/** Counts the steps and rounds the epoch completed by `t` that are not counted yet. */
function countTo(w: LeapWorker, t: number, ctx: ActorContext): void {
  const { law, params, epoch } = w.job;
  const done = completedAt(law, epoch, t);
  const steps = done.steps - w.stepsDone;
  if (steps > 0) {
    const { count, idle_w, max_w } = params.gpus;
    const waitNs = law.stepNs - law.computeNs;
    ctx.record("step_time_ns", law.stepNs, steps);
    ctx.record("allreduce_ns", waitNs, steps);
    ctx.record("step_energy_uj", (count * (max_w * law.computeNs + idle_w * waitNs)) / 1e3, steps);
    w.stepsDone = done.steps;
  }
  const rounds = done.rounds - w.roundsDone;
  if (rounds > 0) {
    const chunk = ctx.createPacket({
      dst: w.next,
      species: Species.SPECIES_TRANSFER,
      sizeBytes: w.chunkBytes,
      multiplicity: rounds,
    });
    ctx.send(chunk, w.nextPort);
    w.roundsDone = done.rounds;
  }
}

/** Accounts the job up to `t`, joining a restart whose time has come on the way. */
function accountTo(w: LeapWorker, t: number, ctx: ActorContext): void {
  const job = w.job;
  const pending = job.pending;
  if (pending !== null && pending.joinNs <= t) {
    countTo(w, pending.joinNs, ctx);
    if (pending.own) ctx.record("restarts", 1);
    else recordLost(job, job.epoch, pending.joinNs, ctx);
    const { own: _own, ...epoch } = pending;
    job.epoch = epoch;
    job.pending = null;
    w.stepsDone = 0;
    w.roundsDone = 0;
  }
  countTo(w, t, ctx);
}

/** GPU draw averaged over [from, to): the current epoch, then the one this worker joins. */
function meanGpuW(w: LeapWorker, from: number, to: number): number {
  const { law, params, epoch, pending } = w.job;
  if (w.job.stuckW !== null) return w.job.stuckW;
  let joules: number;
  if (pending !== null && pending.joinNs < to) {
    const join = Math.max(from, pending.joinNs);
    joules = gpuEnergyJ(law, params.gpus, epoch, from, join) + gpuEnergyJ(law, params.gpus, pending, join, to);
  } else joules = gpuEnergyJ(law, params.gpus, epoch, from, to);
  return joules / ((to - from) * 1e-9);
}

/** The first mid-step after `nowNs`, when the adapter next steps the worker. */
function nextMidNs(nowNs: number, stepNs: number): number {
  return Math.ceil((nowNs + 1 - stepNs / 2) / stepNs) * stepNs + stepNs / 2;
}

export const mlTrainingLeap: LeapBehaviour<MlTrainingParams, LeapWorker> = {
  initial(params, ctx, leap) {
    const n = params.ring.length;
    const position = params.ring.indexOf(ctx.self.id);
    if (position < 0) throw new Error(`${ctx.self.id}: not in its own ring`);
    const ring = params.ring.map((id) => ctx.actorIndex(id));
    const next = ring[(position + 1) % n]!;
    const job: JobView = {
      params,
      law: ringLaw(params, ring, leap.links),
      ring,
      self: ring[position]!,
      epoch: firstEpoch(),
      pending: null,
      ownRestarts: 0,
      announced: 0,
      resumeStep: 0,
      stuckW: null,
    };
    const worker: LeapWorker = {
      job,
      next,
      nextPort: ctx.route(next),
      chunkBytes: Math.ceil(params.model_bytes / n),
      stepsDone: 0,
      roundsDone: 0,
      leapStepNs: leap.stepNs,
    };
    // Until the first mid-step (adapter.ts), when the worker first acts.
    ctx.setPower("gpu", meanGpuW(worker, ctx.nowNs, leap.stepNs / 2));
    return worker;
  },

  step(w, inbox: SimPacket[], ctx: ActorContext, leap: LeapStep) {
    for (const packet of inbox) {
      if (packet.species === Species.SPECIES_TRANSFER) ctx.consume(packet);
      else if (packet.species === Species.SPECIES_CONTROL) {
        ctx.consume(packet);
        if (packet.replyBytes === 0 || w.job.params.restart !== undefined) takeNotice(w.job, packet, leap.links);
      } else ctx.drop(packet, "unexpected_species");
    }
    accountTo(w, ctx.nowNs, ctx);
    ctx.setPower("gpu", meanGpuW(w, ctx.nowNs, ctx.nowNs + leap.stepNs));
  },

  onCommand(w, command, _args, ctx) {
    if (command === "crash") {
      accountTo(w, ctx.nowNs, ctx);
      crash(w.job, ctx.nowNs, ctx);
    } else if (command === "recover") {
      recover(w.job, ctx.nowNs, ctx);
      ctx.setPower("gpu", meanGpuW(w, ctx.nowNs, nextMidNs(ctx.nowNs, w.leapStepNs)));
    } else throw new Error(`${ctx.self.id}: an ml_training worker has no command "${command}" in leap mode`);
  },

  queued() {
    return 0;
  },
};
