/**
 * The step law of a ring all-reduce job in leap mode (docs/leap.md, "ML training"). A step is compute, then
 * 2(N−1) rounds in which every worker waits for its predecessor's chunk. The round is the ring's mean segment
 * delay (the max-plus cycle mean exact mode settles to on an idle network). With a random compute time the
 * all-reduce cannot start before the slowest worker's compute ends, so a step takes E[max of N compute draws]
 * (the expected maximum of N i.i.d. draws) + 2(N−1) rounds; each worker's GPUs are busy its own draw, the mean.
 */
import jStat from "jstat";
import type { LinkSpec } from "../runtime/topology.ts";
import { type Distribution, meanNs } from "../models/distributions.ts";
import type { MlTrainingParams } from "../models/ml-training.ts";

/** What every worker of the job derives alike from the scenario: the ring's timing. */
export interface RingLaw {
  /** A worker's mean compute time: its GPUs' busy time per step. */
  computeNs: number;
  /** E[max] of the N workers' compute times: when the all-reduce of a step starts. */
  slowestNs: number;
  rounds: number;
  roundNs: number;
  stepNs: number;
  /** Steps between checkpoints (Infinity without) and a checkpoint's duration. */
  every: number;
  checkpointNs: number;
  /** Steps to train (Infinity when unlimited). */
  limit: number;
}

/** Wire time of one chunk on one hop: serialization (rounded up to the ns, as exact mode does) + latency. */
function hopNs(link: LinkSpec, chunkBytes: number): number {
  const serialization = link.bandwidthBps > 0 ? Math.ceil((chunkBytes * 8 * 1e9) / link.bandwidthBps) : 0;
  return serialization + link.latencyNs;
}

/** Delay of `bytes` from actor `from` to `to` over the fewest hops (ties: links in scenario order). */
export function pathNs(links: readonly LinkSpec[], from: number, to: number, bytes: number): number {
  const best = new Map<number, number>([[from, 0]]);
  let frontier = [from];
  while (frontier.length > 0 && !best.has(to)) {
    const next: number[] = [];
    for (const node of frontier)
      for (const link of links) {
        const other = link.a === node ? link.b : link.b === node ? link.a : -1;
        if (other < 0 || best.has(other)) continue;
        best.set(other, best.get(node)! + hopNs(link, bytes));
        next.push(other);
      }
    frontier = next;
  }
  const ns = best.get(to);
  if (ns === undefined) throw new Error(`no path from actor ${from} to actor ${to}`);
  return ns;
}

/** Simpson's rule over [a, b] with an even number of intervals. */
function simpson(f: (x: number) => number, a: number, b: number, intervals: number): number {
  const h = (b - a) / intervals;
  let sum = f(a) + f(b);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * E[max of n i.i.d. draws] of a duration distribution (ns): exact for deterministic, exponential (mean × H_n)
 * and empirical laws (Σ v_k (F(v_k)ⁿ − F(v_{k−1})ⁿ)); for the lognormal, the order-statistic integral
 * ∫ median·e^{σz} n φ(z) Φ(z)^{n−1} dz by Simpson's rule (relative error below 1e-9 for the shapes in use).
 */
export function expectedMaxNs(d: Distribution, n: number): number {
  switch (d.distribution) {
    case "deterministic":
      return d.value;
    case "exponential": {
      let harmonic = 0;
      for (let k = 1; k <= n; k++) harmonic += 1 / k;
      return d.mean * harmonic;
    }
    case "empirical": {
      const total = d.cumulative.at(-1)!;
      const order = d.values.map((v, i) => ({ v, w: d.cumulative[i]! - (i > 0 ? d.cumulative[i - 1]! : 0) }));
      order.sort((x, y) => x.v - y.v);
      let below = 0;
      let sum = 0;
      for (const { v, w } of order) {
        const at = below + w / total;
        sum += v * (at ** n - below ** n);
        below = at;
      }
      return sum;
    }
    case "lognormal": {
      const { median, sigma } = d;
      const density = (z: number) =>
        median *
        Math.exp(sigma * z) *
        n *
        (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) *
        jStat.normal.cdf(z, 0, 1) ** (n - 1);
      return simpson(density, -10, Math.max(10, sigma + 10), 20_000);
    }
  }
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
  const slowestNs = expectedMaxNs(params.compute_time, n);
  return {
    computeNs: meanNs(params.compute_time),
    slowestNs,
    rounds,
    roundNs,
    stepNs: slowestNs + rounds * roundNs,
    every: params.checkpoint?.every ?? Number.POSITIVE_INFINITY,
    checkpointNs: params.checkpoint?.time ?? 0,
    limit: params.steps ?? Number.POSITIVE_INFINITY,
  };
}
