/**
 * Error bars for σ̂ from a run cut into B batches (docs/thermo.md): the point estimate always comes from the pooled
 * counts; the standard error from batch means (spread of per-batch σ̂, never their average as the estimate) and
 * from a delete-one-batch jackknife, which also removes most of the O(1/T) bias.
 */
import {
  checkCount,
  estimateFromPaired,
  resolveOptions,
  sigmaOfPairedCounts,
  type EstimatorOptions,
  type PairedCounts,
  type SigmaEstimate,
  type TransitionCount,
} from "./estimators.ts";
import { indexPairs } from "./pairs.ts";

export interface CountBatch {
  durationS: number;
  counts: readonly TransitionCount[];
}

export interface JackknifeResult {
  stderr: number;
  bias: number;
  biasCorrected: number;
}

/** Delete-one jackknife of a statistic: `full` on all data, `leaveOneOut[b]` without batch b. */
export function jackknife(full: number, leaveOneOut: ArrayLike<number>): JackknifeResult {
  const b = leaveOneOut.length;
  if (b < 2) throw new RangeError("jackknife needs at least 2 batches");
  let mean = 0;
  for (let i = 0; i < b; i++) mean += leaveOneOut[i]! / b;
  let ss = 0;
  for (let i = 0; i < b; i++) ss += (leaveOneOut[i]! - mean) ** 2;
  const bias = (b - 1) * (mean - full);
  return { stderr: Math.sqrt(((b - 1) / b) * ss), bias, biasCorrected: full - bias };
}

/** Mean and standard error of the mean of per-batch values. */
export function batchMeanStderr(values: ArrayLike<number>): { mean: number; stderr: number } {
  const b = values.length;
  if (b < 2) throw new RangeError("batch means need at least 2 batches");
  let mean = 0;
  for (let i = 0; i < b; i++) mean += values[i]! / b;
  let ss = 0;
  for (let i = 0; i < b; i++) ss += (values[i]! - mean) ** 2;
  return { mean, stderr: Math.sqrt(ss / (b - 1) / b) };
}

export interface EdgeStderr {
  netCurrentPerS: number;
  sigmaKbPerS: number;
}

export interface SigmaWithErrors {
  /** From the pooled counts of all batches. */
  estimate: SigmaEstimate;
  batches: number;
  /** Mean of per-batch σ̂ (biased: shown for diagnosis only) and the batch-means standard error. */
  batchMeans: { meanKbPerS: number; stderrKbPerS: number };
  jackknife: { stderrKbPerS: number; biasKbPerS: number; biasCorrectedKbPerS: number };
  /** Jackknife standard errors aligned with estimate.edges. */
  edgeStderr: EdgeStderr[];
}

export function estimateSigmaWithErrors(
  batches: readonly CountBatch[],
  options: EstimatorOptions = {},
): SigmaWithErrors {
  const nb = batches.length;
  if (nb < 2) throw new RangeError("need at least 2 batches");
  const { alpha } = resolveOptions(options);
  const all = batches.flatMap((b) => b.counts);
  for (const c of all) checkCount(c);
  // One pairing of all batches' counts; each batch's counts summed onto it by their pair index, in count order.
  const { pairs, pairOf, reversed } = indexPairs(all);
  const np = pairs.length;
  let item = 0;
  const per = batches.map((b): PairedCounts => {
    const forward = new Float64Array(np);
    const reverse = new Float64Array(np);
    for (const end = item + b.counts.length; item < end; item++)
      if (reversed[item] === 1) reverse[pairOf[item]!]! += all[item]!.count;
      else forward[pairOf[item]!]! += all[item]!.count;
    return { pairs, forward, reverse };
  });
  const pooled: PairedCounts = { pairs, forward: new Float64Array(np), reverse: new Float64Array(np) };
  let totalS = 0;
  for (const [b, batch] of batches.entries()) {
    if (!(batch.durationS > 0)) throw new RangeError(`batches[${b}].durationS must be > 0`);
    totalS += batch.durationS;
    for (let k = 0; k < np; k++)
      (pooled.forward[k]! += per[b]!.forward[k]!), (pooled.reverse[k]! += per[b]!.reverse[k]!);
  }
  const estimate = estimateFromPaired(pooled, totalS, options);
  const fullPerPair = new Float64Array(np);
  sigmaOfPairedCounts(pooled.forward, pooled.reverse, totalS, alpha, fullPerPair);

  const perBatch = per.map((c, b) => sigmaOfPairedCounts(c.forward, c.reverse, batches[b]!.durationS, alpha));
  const loo = new Float64Array(nb);
  const looPair = Array.from({ length: nb }, () => new Float64Array(np));
  const looCurrent = Array.from({ length: nb }, () => new Float64Array(np));
  const fwd = new Float64Array(np);
  const rev = new Float64Array(np);
  for (let b = 0; b < nb; b++) {
    const t = totalS - batches[b]!.durationS;
    for (let k = 0; k < np; k++) {
      fwd[k] = pooled.forward[k]! - per[b]!.forward[k]!;
      rev[k] = pooled.reverse[k]! - per[b]!.reverse[k]!;
      looCurrent[b]![k] = (fwd[k]! - rev[k]!) / t;
    }
    loo[b] = sigmaOfPairedCounts(fwd, rev, t, alpha, looPair[b]);
  }
  const jk = jackknife(estimate.sigmaKbPerS, loo);
  const bm = batchMeanStderr(perBatch);
  const column = (rows: Float64Array[], k: number): number[] => rows.map((r) => r[k]!);
  // The estimate's edges are some of the pairs, in pairing order and oriented as they are.
  let next = 0;
  const edgeStderr = estimate.edges.map((e) => {
    while (pairs[next]!.from !== e.from || pairs[next]!.to !== e.to || pairs[next]!.mechanism !== e.mechanism) next++;
    const k = next++;
    return {
      netCurrentPerS: jackknife(e.netCurrentPerS, column(looCurrent, k)).stderr,
      sigmaKbPerS: jackknife(fullPerPair[k]!, column(looPair, k)).stderr,
    };
  });
  return {
    estimate,
    batches: nb,
    batchMeans: { meanKbPerS: bm.mean, stderrKbPerS: bm.stderr },
    jackknife: { stderrKbPerS: jk.stderr, biasKbPerS: jk.bias, biasCorrectedKbPerS: jk.biasCorrected },
    edgeStderr,
  };
}
