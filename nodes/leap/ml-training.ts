/**
 * A worker of a ring all-reduce training job in leap mode. Its rounds (microseconds) are far shorter than a step,
 * so the job advances analytically: one step of training takes compute + 2(N−1) rounds, a round the mean
 * worker-to-successor path delay of the ring (serialization of one chunk, model_bytes / N, plus latency, per hop,
 * store-and-forward: the closed form exact mode satisfies on an idle network). Every worker derives the job's
 * progress from the same closed form and the same scenario links, so the ring stays consistent across hosts
 * with no extra messages. Per leap step a worker:
 * - counts the steps completed since its last step as exact mode does (`step_time_ns`, `allreduce_ns`,
 *   `step_energy_uj`, weighted by the count);
 * - sends the chunks its rounds put on the wire as one packet towards its successor whose multiplicity is the
 *   rounds completed, so link energy, links.csv and the ledgers see those bytes;
 * - draws the GPU power averaged over the coming step (busy fraction × max + the rest × idle): the energy
 *   integral is exact for the closed form.
 * Approximations (docs/leap.md): a deterministic compute time (support.ts refuses others); no contention with
 * other traffic on shared links; the links as loaded (delay and bandwidth faults on ring links are not seen); no
 * restarts or crashes (checkpoints: the GPUs idle for their time after every `every`-th step, as in exact mode).
 */
import type { ActorContext, LeapBehaviour, LeapStep } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import type { LinkSpec } from "../runtime/topology.ts";
import { meanNs } from "../models/distributions.ts";
import type { MlTrainingParams } from "../models/ml-training.ts";

interface LeapWorker {
  params: MlTrainingParams;
  next: number;
  nextPort: number;
  rounds: number;
  chunkBytes: number;
  computeNs: number;
  roundNs: number;
  /** When this worker last accounted for the job's progress. */
  lastNs: number;
}

/** Wire time of one chunk on one hop: serialization (rounded up to the ns, as exact mode does) + latency. */
function hopNs(link: LinkSpec, chunkBytes: number): number {
  const serialization = link.bandwidthBps > 0 ? Math.ceil((chunkBytes * 8 * 1e9) / link.bandwidthBps) : 0;
  return serialization + link.latencyNs;
}

/** Delay of a chunk from actor `from` to `to` over the fewest hops (ties: links in scenario order). */
export function pathNs(links: readonly LinkSpec[], from: number, to: number, chunkBytes: number): number {
  const best = new Map<number, number>([[from, 0]]);
  let frontier = [from];
  while (frontier.length > 0 && !best.has(to)) {
    const next: number[] = [];
    for (const node of frontier)
      for (const link of links) {
        const other = link.a === node ? link.b : link.b === node ? link.a : -1;
        if (other < 0 || best.has(other)) continue;
        best.set(other, best.get(node)! + hopNs(link, chunkBytes));
        next.push(other);
      }
    frontier = next;
  }
  const ns = best.get(to);
  if (ns === undefined) throw new Error(`no path from actor ${from} to actor ${to}`);
  return ns;
}

function stepNs(w: LeapWorker): number {
  return w.computeNs + w.rounds * w.roundNs;
}

/**
 * The job's progress at `t`: steps and rounds completed, and GPU busy time since the start. With checkpoints the
 * job repeats blocks of `every` steps and one checkpoint (GPUs idle), as exact mode writes one after every
 * `every`-th step.
 */
export function progress(w: LeapWorker, t: number): { steps: number; rounds: number; busyNs: number } {
  const limit = w.params.steps ?? Number.POSITIVE_INFINITY;
  const every = w.params.checkpoint?.every ?? Number.POSITIVE_INFINITY;
  const blockNs = every * stepNs(w) + (w.params.checkpoint?.time ?? 0);
  const blocks = Number.isFinite(every) ? Math.floor(t / blockNs) : 0;
  const inBlock = t - (blocks > 0 ? blocks * blockNs : 0);
  const whole = Math.min(every, Math.floor(inBlock / stepNs(w)));
  const steps = (blocks > 0 ? blocks * every : 0) + whole;
  if (steps >= limit) return { steps: limit, rounds: limit * w.rounds, busyNs: limit * w.computeNs };
  if (whole === every) return { steps, rounds: steps * w.rounds, busyNs: steps * w.computeNs }; // checkpointing
  const into = inBlock - whole * stepNs(w);
  const rounds = into <= w.computeNs ? 0 : Math.min(w.rounds, Math.floor((into - w.computeNs) / w.roundNs));
  return {
    steps,
    rounds: steps * w.rounds + rounds,
    busyNs: steps * w.computeNs + Math.min(into, w.computeNs),
  };
}

/** GPU draw averaged over [from, to). */
function meanGpuW(w: LeapWorker, from: number, to: number): number {
  const { count, idle_w, max_w } = w.params.gpus;
  const busy = progress(w, to).busyNs - progress(w, from).busyNs;
  return count * (idle_w + ((max_w - idle_w) * busy) / (to - from));
}

export const mlTrainingLeap: LeapBehaviour<MlTrainingParams, LeapWorker> = {
  initial(params, ctx, leap) {
    const n = params.ring.length;
    const position = params.ring.indexOf(ctx.self.id);
    if (position < 0) throw new Error(`${ctx.self.id}: not in its own ring`);
    const next = ctx.actorIndex(params.ring[(position + 1) % n]!);
    const chunkBytes = Math.ceil(params.model_bytes / n);
    // A chunk's wait for its predecessor chains the workers: over many steps the ring's period is the compute
    // plus 2(N−1) times the mean segment delay (the max-plus cycle mean), the same on every worker.
    const ids = params.ring.map((id) => ctx.actorIndex(id));
    const ringNs = ids.reduce((sum, a, i) => sum + pathNs(leap.links, a, ids[(i + 1) % n]!, chunkBytes), 0);
    const roundNs = ringNs / n;
    const worker: LeapWorker = {
      params,
      next,
      nextPort: ctx.route(next),
      rounds: 2 * (n - 1),
      chunkBytes,
      computeNs: meanNs(params.compute_time),
      roundNs,
      lastNs: ctx.nowNs,
    };
    // Until the first mid-step (adapter.ts), when the worker first acts.
    ctx.setPower("gpu", meanGpuW(worker, ctx.nowNs, leap.stepNs / 2));
    return worker;
  },

  step(w, inbox: SimPacket[], ctx: ActorContext, leap: LeapStep) {
    for (const packet of inbox) {
      if (packet.species === Species.SPECIES_TRANSFER) ctx.consume(packet);
      else ctx.drop(packet, "unexpected_species");
    }
    const before = progress(w, w.lastNs);
    const now = progress(w, ctx.nowNs);
    w.lastNs = ctx.nowNs;
    const steps = now.steps - before.steps;
    if (steps > 0) {
      const { count, idle_w, max_w } = w.params.gpus;
      const allreduceNs = w.rounds * w.roundNs;
      ctx.record("step_time_ns", stepNs(w), steps);
      ctx.record("allreduce_ns", allreduceNs, steps);
      ctx.record("step_energy_uj", (count * (max_w * w.computeNs + idle_w * allreduceNs)) / 1e3, steps);
    }
    const rounds = now.rounds - before.rounds;
    if (rounds > 0) {
      const chunk = ctx.createPacket({
        dst: w.next,
        species: Species.SPECIES_TRANSFER,
        sizeBytes: w.chunkBytes,
        multiplicity: rounds,
      });
      ctx.send(chunk, w.nextPort);
    }
    ctx.setPower("gpu", meanGpuW(w, ctx.nowNs, ctx.nowNs + leap.stepNs));
  },

  onCommand(_w, command, _args, ctx) {
    throw new Error(`${ctx.self.id}: an ml_training worker's "${command}" is not modelled in leap mode yet`);
  },

  queued() {
    return 0;
  },
};
