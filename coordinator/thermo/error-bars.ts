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
import { Pairer } from "./pairs.ts";

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

/**
 * `batches[b].counts` is read once per batch (a batch may make its counts when read: the ledger snapshots do) and
 * kept only as pair indices and counts, so a long run's batches are not all held as objects at once. The per-batch
 * and leave-one-out sums are made again from those, batch by batch, rather than kept as a row per batch and pair,
 * in the order the whole-matrix form added them (so every figure is the same to the last bit).
 */
export function estimateSigmaWithErrors(
  batches: readonly CountBatch[],
  options: EstimatorOptions = {},
): SigmaWithErrors {
  const nb = batches.length;
  if (nb < 2) throw new RangeError("need at least 2 batches");
  const { alpha } = resolveOptions(options);
  // One pairing of all batches' counts, in count order.
  const pairer = new Pairer();
  const items = batches.map((b) => {
    const counts = b.counts;
    for (const c of counts) checkCount(c);
    const pair = new Int32Array(counts.length);
    const reversed = new Uint8Array(counts.length);
    const count = new Float64Array(counts.length);
    counts.forEach((c, i) => {
      pair[i] = pairer.pairOf(c);
      reversed[i] = pairer.pairs[pair[i]!]!.from === c.from ? 0 : 1;
      count[i] = c.count;
    });
    return { pair, reversed, count };
  });
  const { pairs } = pairer;
  const np = pairs.length;
  // Batch b's counts summed onto the pairing, in count order (into one reused pair of rows).
  const batch: PairedCounts = { pairs, forward: new Float64Array(np), reverse: new Float64Array(np) };
  const sumBatch = (b: number): PairedCounts => {
    const { pair, reversed, count } = items[b]!;
    batch.forward.fill(0);
    batch.reverse.fill(0);
    for (let i = 0; i < pair.length; i++)
      if (reversed[i] === 1) batch.reverse[pair[i]!]! += count[i]!;
      else batch.forward[pair[i]!]! += count[i]!;
    return batch;
  };
  const pooled: PairedCounts = { pairs, forward: new Float64Array(np), reverse: new Float64Array(np) };
  const perBatch = new Float64Array(nb);
  let totalS = 0;
  for (const [b, { durationS }] of batches.entries()) {
    if (!(durationS > 0)) throw new RangeError(`batches[${b}].durationS must be > 0`);
    totalS += durationS;
    const one = sumBatch(b);
    for (let k = 0; k < np; k++) (pooled.forward[k]! += one.forward[k]!), (pooled.reverse[k]! += one.reverse[k]!);
    perBatch[b] = sigmaOfPairedCounts(one.forward, one.reverse, durationS, alpha);
  }
  const estimate = estimateFromPaired(pooled, totalS, options);
  const fullPerPair = new Float64Array(np);
  sigmaOfPairedCounts(pooled.forward, pooled.reverse, totalS, alpha, fullPerPair);

  // Leave-one-out: σ̂ without batch b, each pair's share and net current. `jackknife` takes the mean over the
  // batches first and the squares about it next, so per pair they are two passes over the batches.
  const loo = new Float64Array(nb);
  const looPair = new Float64Array(np);
  const looCurrent = new Float64Array(np);
  const fwd = new Float64Array(np);
  const rev = new Float64Array(np);
  const leaveOut = (b: number): void => {
    const t = totalS - batches[b]!.durationS;
    const one = sumBatch(b);
    for (let k = 0; k < np; k++) {
      fwd[k] = pooled.forward[k]! - one.forward[k]!;
      rev[k] = pooled.reverse[k]! - one.reverse[k]!;
      looCurrent[k] = (fwd[k]! - rev[k]!) / t;
    }
    loo[b] = sigmaOfPairedCounts(fwd, rev, t, alpha, looPair);
  };
  const meanPair = new Float64Array(np);
  const meanCurrent = new Float64Array(np);
  for (let b = 0; b < nb; b++) {
    leaveOut(b);
    for (let k = 0; k < np; k++) (meanPair[k]! += looPair[k]! / nb), (meanCurrent[k]! += looCurrent[k]! / nb);
  }
  const ssPair = new Float64Array(np);
  const ssCurrent = new Float64Array(np);
  for (let b = 0; b < nb; b++) {
    leaveOut(b);
    for (let k = 0; k < np; k++)
      (ssPair[k]! += (looPair[k]! - meanPair[k]!) ** 2), (ssCurrent[k]! += (looCurrent[k]! - meanCurrent[k]!) ** 2);
  }
  const jk = jackknife(estimate.sigmaKbPerS, loo);
  const bm = batchMeanStderr(perBatch);
  const stderr = (ss: number) => Math.sqrt(((nb - 1) / nb) * ss); // as `jackknife` makes it
  // The estimate's edges are some of the pairs, in pairing order and oriented as they are.
  let next = 0;
  const edgeStderr = estimate.edges.map((e) => {
    while (pairs[next]!.from !== e.from || pairs[next]!.to !== e.to || pairs[next]!.mechanism !== e.mechanism) next++;
    const k = next++;
    return { netCurrentPerS: stderr(ssCurrent[k]!), sigmaKbPerS: stderr(ssPair[k]!) };
  });
  return {
    estimate,
    batches: nb,
    batchMeans: { meanKbPerS: bm.mean, stderrKbPerS: bm.stderr },
    jackknife: { stderrKbPerS: jk.stderr, biasKbPerS: jk.bias, biasCorrectedKbPerS: jk.biasCorrected },
    edgeStderr,
  };
}
