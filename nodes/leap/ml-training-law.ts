/**
 * The step law of a ring all-reduce job in leap mode (docs/leap.md, "ML training"). A step is compute, then
 * 2(N−1) rounds in which every worker waits for its predecessor's chunk. The round is the ring's mean segment
 * delay (the max-plus cycle mean exact mode settles to on an idle network), so a step is compute + 2(N−1)
 * rounds. With a random compute time the ring waits for its slowest worker: the step is the ring's long-run cycle
 * time (ml-training-cycle.ts), of which the rounds take the last 2(N−1) × the mean segment; each worker's GPUs
 * are busy its own draw, the mean.
 */
import type { LinkSpec } from "../runtime/topology.ts";
import { meanNs } from "../models/distributions.ts";
import type { MlTrainingParams } from "../models/ml-training.ts";
import { ringCycleNs } from "./ml-training-cycle.ts";
import { pathNs } from "./ml-training-paths.ts";

/** What every worker of the job derives alike from the scenario: the ring's timing. */
export interface RingLaw {
  /** A worker's mean compute time: its GPUs' busy time per step. */
  computeNs: number;
  /** When a step's rounds start: the step less 2(N−1) rounds (at least the compute). */
  roundsFromNs: number;
  rounds: number;
  roundNs: number;
  stepNs: number;
  /** Steps between checkpoints (Infinity without) and a checkpoint's duration. */
  every: number;
  checkpointNs: number;
  /** Steps to train (Infinity when unlimited). */
  limit: number;
}

/** The job's law from its parameters and the scenario's links (the ring as actor indices). */
export function ringLaw(params: MlTrainingParams, ring: readonly number[], links: readonly LinkSpec[]): RingLaw {
  const n = ring.length;
  const chunkBytes = Math.ceil(params.model_bytes / n);
  // A chunk's wait for its predecessor chains the workers: over many steps the ring's period is the compute
  // plus 2(N−1) times the mean segment delay (the max-plus cycle mean), the same on every worker.
  const ringNs = ring.reduce((sum, a, i) => sum + pathNs(links, a, ring[(i + 1) % n]!, chunkBytes), 0);
  const rounds = 2 * (n - 1);
  const roundNs = ringNs / n;
  const computeNs = meanNs(params.compute_time);
  const stepNs =
    params.compute_time.distribution === "deterministic"
      ? computeNs + rounds * roundNs
      : ringCycleNs(params.compute_time, ring, links, chunkBytes);
  return {
    computeNs,
    roundsFromNs: Math.max(computeNs, stepNs - rounds * roundNs),
    rounds,
    roundNs,
    stepNs,
    every: params.checkpoint?.every ?? Number.POSITIVE_INFINITY,
    checkpointNs: params.checkpoint?.time ?? 0,
    limit: params.steps ?? Number.POSITIVE_INFINITY,
  };
}
