/**
 * Stationary law of a batching GPU: the exact model of nodes/models/ml-inference.ts with one GPU and `max_wait: 0`,
 * Poisson arrivals at rate λ. A free GPU starts a batch of min(waiting, B) at once (an idle GPU starts a batch of
 * one at the first arrival), a batch of n takes the deterministic s(n) = base + n·per_item, and at most L wait.
 * This is the M/D^(1,B)/1 queue of the general bulk-service rule (Neuts 1967) with a batch time that depends on
 * the batch's size, so it is solved as its embedded Markov chain, exactly (up to truncation of its tail):
 *
 * X = requests waiting just after a batch ends. From X the next batch takes n(X) = max(1, min(X, B)), leaves
 * left(X) = X − n(X) (0 from X = 0, after an idle period of mean 1/λ), and A ~ Poisson(λ·s(n)) arrive during it:
 * X' = min(L, left + A). The chain is skip-free to the left by B and its rows are banded, so GTH elimination
 * (Grassmann, Taksar and Heyman 1985; stable, no subtraction) in band storage solves it in O(states·band·B).
 *
 * Time averages by Markov renewal reward over the cycles between batch ends: utilisation Σπ·s / E[cycle],
 * throughput Σπ·n / E[cycle], the mean number held Σπ·∫(n + waiting) / E[cycle] and the mean sojourn by Little's
 * law. A request's sojourn is sampled exactly: PASTA puts an arrival at a uniform point of a time-stationary
 * cycle; it finds j waiting (the cycle's left + Poisson arrivals so far, blocked at L), lets ⌊j/B⌋ full batches
 * go first, and its own batch takes the j mod B ahead of it, itself and those arriving behind it up to B.
 */
import type { Rng } from "../runtime/rng.ts";
import { poisson } from "../runtime/sampling.ts";

/** One GPU's batching: B, the batch time s(n) = base + n·per_item (ns) and the waiting room L (Infinity: none). */
export interface Batcher {
  maxSize: number;
  baseNs: number;
  perItemNs: number;
  limit: number;
}

export const batchNs = (b: Batcher, n: number) => b.baseNs + n * b.perItemNs;

/** Requests per ns that full batches serve back to back: the queue is stable (unlimited room) below it. */
export const capacityPerNs = (b: Batcher) => b.maxSize / batchNs(b, b.maxSize);

/** Largest truncated chain (states × band) solved; beyond it the tail is cut there (only at ρ very near 1). */
const MAX_CELLS = 4_000_000;
/** Tail mass of the truncated chain's last B states accepted as negligible. */
const TAIL = 1e-12;

export interface BatchLaw {
  batcher: Batcher;
  lambda: number;
  /** Law of X (requests waiting just after a batch ends). */
  pi: Float64Array;
  /** Fraction of time the GPU is busy. */
  busy: number;
  /** Requests served per ns (λ less the blocked). */
  throughputPerNs: number;
  /** Probability that an arrival finds L waiting and is dropped. */
  blocking: number;
  /** Mean time from arrival to the end of its batch (ns), by Little's law. */
  meanSojournNs: number;
  /** Mean time from arrival to the start of its batch (ns): exact mode's `queue_wait_ns`. */
  meanWaitNs: number;
  /** Cumulative weights of where an arrival lands: the idle period after X = 0, then the batch after X = 0, 1, … */
  landing: Float64Array;
}

/** Poisson(mean) probabilities from `lo` on, normalised, dropping terms below 1e-18 of the mode (no underflow). */
export function poissonPmf(mean: number): { lo: number; p: Float64Array } {
  if (!(mean > 0)) return { lo: 0, p: Float64Array.of(1) };
  const mode = Math.floor(mean);
  const up: number[] = [1];
  for (let k = mode + 1; up.at(-1)! > 1e-18; k++) up.push((up.at(-1)! * mean) / k);
  const down: number[] = [];
  for (let k = mode, x = 1; k > 0 && x > 1e-18; k--) down.push((x = (x * k) / mean));
  const lo = mode - down.length;
  const p = Float64Array.from([...down.reverse(), ...up]);
  const total = p.reduce((a, b) => a + b, 0);
  return { lo, p: p.map((x) => x / total) };
}

/** A transition row of the chain: from X, the batch size, what it leaves waiting and its time. */
function cycleOf(b: Batcher, x: number): { n: number; left: number; s: number } {
  const n = x === 0 ? 1 : Math.min(x, b.maxSize);
  return { n, left: x - (x === 0 ? 0 : n), s: batchNs(b, n) };
}

/** ∫₀ˢ E[min(K, N(t))] dt for a Poisson process N of rate λ: Σ_{k<K} s·P(N(s) > k) − (k + 1)/λ·P(N(s) > k + 1). */
function cappedArea(pmf: { lo: number; p: Float64Array }, s: number, lambda: number, cap: number): number {
  const hi = pmf.lo + pmf.p.length - 1;
  const above = (k: number) => {
    // P(N(s) > k)
    let sum = 0;
    for (let i = Math.max(k + 1, pmf.lo); i <= hi; i++) sum += pmf.p[i - pmf.lo]!;
    return sum;
  };
  let area = 0;
  let tail = above(0);
  for (let k = 0; k < Math.min(cap, hi + 1); k++) {
    const next = above(k + 1);
    area += s * tail - ((k + 1) / lambda) * next;
    tail = next;
  }
  return area;
}

/** Solves the truncated chain on 0..top (X' = min(top, left + A)) by GTH in band storage. */
function solveChain(b: Batcher, pmfs: { lo: number; p: Float64Array }[], top: number, band: number): Float64Array {
  const B = b.maxSize;
  const width = B + band + 1;
  const m = new Float64Array((top + 1) * width);
  const at = (i: number, j: number) => i * width + (j - i + B);
  for (let x = 0; x <= top; x++) {
    const { n, left } = cycleOf(b, x);
    const pmf = pmfs[n]!;
    pmf.p.forEach((p, i) => {
      const to = Math.min(top, left + pmf.lo + i);
      m[at(x, to)]! += p;
    });
  }
  const down = new Float64Array(top + 1);
  for (let k = top; k > 0; k--) {
    const from = Math.max(0, k - B);
    let s = 0;
    for (let j = from; j < k; j++) s += m[at(k, j)]!;
    down[k] = s;
    for (let i = Math.max(0, k - band); i < k; i++) {
      const a = m[at(i, k)]!;
      if (a === 0) continue;
      const f = a / s;
      for (let j = from; j < k; j++) m[at(i, j)]! += f * m[at(k, j)]!;
    }
  }
  const pi = new Float64Array(top + 1);
  pi[0] = 1;
  let total = 1;
  for (let k = 1; k <= top; k++) {
    let s = 0;
    for (let i = Math.max(0, k - band); i < k; i++) s += pi[i]! * m[at(i, k)]!;
    pi[k] = s / down[k]!;
    total += pi[k]!;
  }
  return pi.map((p) => p / total);
}

/** The stationary law at arrival rate λ (per ns, > 0); with unlimited room λ must be below capacityPerNs. */
export function batchLaw(b: Batcher, lambda: number): BatchLaw {
  const B = b.maxSize;
  const pmfs = Array.from({ length: B + 1 }, (_, n) => poissonPmf(lambda * batchNs(b, n)));
  const band = Math.max(B, ...pmfs.map((pmf) => pmf.lo + pmf.p.length - 1 - 1));
  // A room beyond where the law's tail is negligible is truncated like an unlimited one.
  let top = Math.min(b.limit, 2 * B + 32);
  let pi = solveChain(b, pmfs, top, band);
  while (top < b.limit && pi.subarray(Math.max(0, top - B)).reduce((a, p) => a + p, 0) > TAIL) {
    if (2 * (top + 1) * (B + band + 1) > MAX_CELLS) break;
    top = Math.min(b.limit, 2 * top);
    pi = solveChain(b, pmfs, top, band);
  }
  let cycle = 0;
  let busyNs = 0;
  let served = 0;
  let area = 0;
  let servedTime = 0;
  const landing = new Float64Array(top + 2);
  landing[0] = pi[0]! / lambda;
  pi.forEach((p, x) => {
    const { n, left, s } = cycleOf(b, x);
    cycle += p * (s + (x === 0 ? 1 / lambda : 0));
    busyNs += p * s;
    served += p * n;
    servedTime += p * n * s;
    area += p * ((n + left) * s + cappedArea(pmfs[n]!, s, lambda, b.limit - left));
    landing[x + 1] = landing[x]! + p * s;
  });
  const meanSojournNs = area / served;
  const throughputPerNs = served / cycle;
  return {
    batcher: b,
    lambda,
    pi,
    busy: busyNs / cycle,
    throughputPerNs,
    blocking: Math.max(0, 1 - throughputPerNs / lambda),
    meanSojournNs,
    meanWaitNs: meanSojournNs - servedTime / served,
    landing,
  };
}

/** Tries before an arrival that keeps landing on a full room is taken as the last admitted place. */
const MAX_TRIES = 10_000;

/**
 * One admitted request's wait until its batch starts (ns) and its batch's size, from the stationary law (exact
 * for the model above: the arrival's landing point by PASTA, then the batches ahead of it and its own).
 */
export function sampleBatch(law: BatchLaw, rng: Rng): { waitNs: number; size: number } {
  const { batcher: b, lambda, landing } = law;
  const B = b.maxSize;
  for (let tries = 0; ; tries++) {
    const u = rng.uniform() * landing[landing.length - 1]!;
    let lo = 0;
    let hi = landing.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (landing[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    if (lo === 0) return { waitNs: 0, size: 1 }; // an idle GPU starts a batch of one at once
    const { left, s } = cycleOf(b, lo - 1);
    const into = rng.uniform() * s;
    let ahead = left + poisson(lambda * into, rng);
    if (ahead >= b.limit) {
      if (tries < MAX_TRIES) continue; // blocked: the law of the admitted is conditioned on room
      ahead = b.limit - 1;
    }
    const full = Math.floor(ahead / B);
    const residual = s - into;
    let behind: number;
    if (!Number.isFinite(b.limit)) behind = poisson(lambda * (residual + full * batchNs(b, B)), rng);
    else {
      behind = Math.min(b.limit - ahead - 1, poisson(lambda * residual, rng));
      for (let i = 1; i <= full; i++)
        behind = Math.min(b.limit - (ahead - i * B) - 1, behind + poisson(lambda * batchNs(b, B), rng));
    }
    return { waitNs: residual + full * batchNs(b, B), size: Math.min(B, (ahead % B) + 1 + behind) };
  }
}
