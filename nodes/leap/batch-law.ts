/**
 * Stationary law of a batching GPU: the exact model of nodes/models/ml-inference.ts with one GPU and `max_wait: 0`,
 * arrivals at rate λ, Poisson or Erlang-k (every k-th of a Poisson stream: a round-robin balancer's replica; the
 * chain's state then carries the arrival phase, and a Poisson event of rate kλ is an arrival every k-th time). A free GPU starts a batch of min(waiting, B) at once (an idle GPU starts a batch of
 * one at the first arrival), a batch of n takes the deterministic s(n) = base + n·per_item, and at most L wait.
 * This is the M/D^(1,B)/1 queue of the general bulk-service rule (Neuts 1967) with a batch time that depends on
 * the batch's size, so it is solved as its embedded Markov chain, exactly (up to truncation of its tail):
 *
 * X = requests waiting just after a batch ends (Poisson arrivals; with phases, the state is X and the phase). From X the next batch takes n(X) = max(1, min(X, B)), leaves
 * left(X) = X − n(X) (0 from X = 0, after an idle period of mean 1/λ), and A ~ Poisson(λ·s(n)) arrive during it:
 * X' = min(L, left + A). The chain is skip-free to the left by B and its rows are banded, so GTH elimination
 * (Grassmann, Taksar and Heyman 1985; stable, no subtraction) in band storage solves it in O(states·band·B).
 *
 * Time averages by Markov renewal reward over the cycles between batch ends: utilisation Σπ·s / E[cycle],
 * throughput Σπ·n / E[cycle], the mean number held Σπ·∫(n + waiting) / E[cycle] and the mean sojourn by Little's
 * law. A request's sojourn is sampled exactly: PASTA puts an arrival at a uniform point of a time-stationary
 * cycle (with phases, a point whose phase is the last: the Poisson events see time averages); it finds j waiting (the cycle's left + Poisson arrivals so far, blocked at L), lets ⌊j/B⌋ full batches
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
  /** Arrivals: an Erlang renewal stream of this many phases (1: Poisson; k: every k-th of a Poisson stream). */
  phases: number;
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

/** Poisson(mean) probabilities from `lo` on, normalised, upper terms below 1e-18 of the mode dropped. */
export interface Pmf {
  lo: number;
  p: Float64Array;
  /** tail[i] = P(N ≥ lo + i). */
  tail: Float64Array;
}

export function poissonPmf(mean: number): Pmf {
  if (!(mean > 0)) return { lo: 0, p: Float64Array.of(1), tail: Float64Array.of(1) };
  const mode = Math.floor(mean);
  const up: number[] = [1];
  for (let k = mode + 1; up.at(-1)! > 1e-18; k++) up.push((up.at(-1)! * mean) / k);
  const down: number[] = [];
  // The lower tail is kept to underflow: a batch whose arrivals are almost surely many must still be able to see
  // few, or states of the chain would have no way down (and GTH would divide by 0). It costs no band width.
  for (let k = mode, x = 1; k > 0 && x > 1e-300; k--) down.push((x = (x * k) / mean));
  const lo = mode - down.length;
  const raw = Float64Array.from([...down.reverse(), ...up]);
  const total = raw.reduce((a, b) => a + b, 0);
  const p = raw.map((x) => x / total);
  const tail = new Float64Array(p.length);
  for (let i = p.length - 1, sum = 0; i >= 0; i--) tail[i] = sum += p[i]!;
  return { lo, p, tail };
}

/** P(N ≥ m). */
function atLeast(pmf: Pmf, m: number): number {
  if (m <= pmf.lo) return 1;
  return m - pmf.lo < pmf.tail.length ? pmf.tail[m - pmf.lo]! : 0;
}

/** A transition row of the chain: from X, the batch size, what it leaves waiting and its time. */
function cycleOf(b: Batcher, x: number): { n: number; left: number; s: number } {
  const n = x === 0 ? 1 : Math.min(x, b.maxSize);
  return { n, left: x - (x === 0 ? 0 : n), s: batchNs(b, n) };
}

/**
 * ∫₀ˢ E[min(K, A(t))] dt, A(t) = ⌊(φ + N(t))/k⌋ the arrivals of an Erlang-k renewal stream in phase φ (N Poisson
 * of rate Λ = kλ): Σ_{j<K} ∫ P(N(t) ≥ m_j) dt with m_j = k(j + 1) − φ, each s·P(N(s) ≥ m) − (m/Λ)·P(N(s) ≥ m + 1).
 */
function cappedArea(pmf: Pmf, s: number, rate: number, cap: number, k: number, phase: number): number {
  const hi = pmf.lo + pmf.p.length - 1;
  let area = 0;
  for (let j = 0; j < cap; j++) {
    const m = k * (j + 1) - phase;
    if (m > hi) break;
    area += s * atLeast(pmf, m) - (m / rate) * atLeast(pmf, m + 1);
  }
  return area;
}

/**
 * Solves the truncated chain on states X·k + φ (X = 0..top waiting, φ the arrival phase) by GTH in band storage:
 * a row moves down by at most `low` and up by at most `up` states.
 */
function solveChain(b: Batcher, pmfs: Pmf[], top: number, low: number, up: number): Float64Array {
  const k = b.phases;
  const size = (top + 1) * k;
  const width = low + up + 1;
  const m = new Float64Array(size * width);
  const at = (i: number, j: number) => i * width + (j - i + low);
  for (let x = 0; x <= top; x++) {
    const { n, left } = cycleOf(b, x);
    const pmf = pmfs[n]!;
    for (let phase = 0; phase < k; phase++) {
      const from = x * k + phase;
      const start = x === 0 ? 0 : phase; // an idle GPU's batch starts at an arrival: phase 0
      pmf.p.forEach((p, i) => {
        const events = start + pmf.lo + i;
        m[at(from, Math.min(top, left + Math.floor(events / k)) * k + (events % k))]! += p;
      });
    }
  }
  const down = new Float64Array(size);
  for (let c = size - 1; c > 0; c--) {
    const from = Math.max(0, c - low);
    let s = 0;
    for (let j = from; j < c; j++) s += m[at(c, j)]!;
    if (!(s > 0)) throw new Error(`batch law: state ${c} of the chain has no way down (λ too large for its batches)`);
    down[c] = s;
    for (let i = Math.max(0, c - up); i < c; i++) {
      const a = m[at(i, c)]!;
      if (a === 0) continue;
      const f = a / s;
      for (let j = from; j < c; j++) m[at(i, j)]! += f * m[at(c, j)]!;
    }
  }
  const pi = new Float64Array(size);
  pi[0] = 1;
  let total = 1;
  for (let c = 1; c < size; c++) {
    let s = 0;
    for (let i = Math.max(0, c - up); i < c; i++) s += pi[i]! * m[at(i, c)]!;
    pi[c] = s / down[c]!;
    total += pi[c]!;
    if (total > 1e250) {
      // States far likelier than state 0 (a GPU almost never idle): rescale what is solved (the law is linear).
      for (let i = 0; i <= c; i++) pi[i]! /= total;
      total = 1;
    }
  }
  return pi.map((p) => p / total);
}

/** The stationary law at arrival rate λ (per ns, > 0); with unlimited room λ must be below capacityPerNs. */
export function batchLaw(b: Batcher, lambda: number): BatchLaw {
  const B = b.maxSize;
  const k = b.phases;
  const rate = k * lambda;
  const pmfs = Array.from({ length: B + 1 }, (_, n) => poissonPmf(rate * batchNs(b, n)));
  const low = B * k + k - 1;
  const up = Math.max(low, ...pmfs.map((pmf) => pmf.lo + pmf.p.length + k));
  // A room beyond where the law's tail is negligible is truncated like an unlimited one.
  let top = Math.min(b.limit, 2 * B + 32);
  let pi = solveChain(b, pmfs, top, low, up);
  while (top < b.limit && pi.subarray(Math.max(0, top - B) * k).reduce((a, p) => a + p, 0) > TAIL) {
    if (2 * (top + 1) * k * (low + up + 1) > MAX_CELLS) break;
    top = Math.min(b.limit, 2 * top);
    pi = solveChain(b, pmfs, top, low, up);
  }
  let cycle = 0;
  let busyNs = 0;
  let served = 0;
  let area = 0;
  let servedTime = 0;
  const landing = new Float64Array(2 * pi.length + 1);
  pi.forEach((p, state) => {
    const x = Math.floor(state / k);
    const phase = state % k;
    const { n, left, s } = cycleOf(b, x);
    const idleNs = x === 0 ? (k - phase) / rate : 0;
    cycle += p * (s + idleNs);
    busyNs += p * s;
    served += p * n;
    servedTime += p * n * s;
    area += p * ((n + left) * s + cappedArea(pmfs[n]!, s, rate, b.limit - left, k, x === 0 ? 0 : phase));
    landing[2 * state + 1] = landing[2 * state]! + p * idleNs;
    landing[2 * state + 2] = landing[2 * state + 1]! + p * s;
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

/** Draws before an arrival that keeps landing on a full room (or off its phase) is taken as it is. */
const MAX_TRIES = 10_000;

/**
 * One admitted request's wait until its batch starts (ns) and its batch's size, from the stationary law (exact
 * for the model above). The underlying Poisson events see time averages (PASTA): a point of the stationary cycle
 * is drawn, and it is an arrival when its phase is the last (always, for Poisson arrivals); then the batches
 * ahead of it and its own follow.
 */
export function sampleBatch(law: BatchLaw, rng: Rng): { waitNs: number; size: number } {
  const { batcher: b, lambda, landing } = law;
  const B = b.maxSize;
  const k = b.phases;
  const rate = k * lambda;
  for (let tries = 0; ; tries++) {
    const last = tries >= MAX_TRIES;
    const u = rng.uniform() * landing[landing.length - 1]!;
    let lo = 1;
    let hi = landing.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (landing[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    const state = Math.floor((lo - 1) / 2);
    const phase = state % k;
    if (lo % 2 === 1) {
      // Idle: its k − phase stages are equally long on average; the arrival ends the last and starts a batch of one.
      if (!last && rng.uniform() * (k - phase) >= 1) continue;
      return { waitNs: 0, size: 1 };
    }
    const { left, s } = cycleOf(b, Math.floor(state / k));
    const start = state < k ? 0 : phase;
    const into = rng.uniform() * s;
    const events = start + poisson(rate * into, rng);
    if (!last && events % k !== k - 1) continue;
    let ahead = left + Math.floor(events / k);
    if (ahead >= b.limit) {
      if (!last) continue; // blocked: the law of the admitted is conditioned on room
      ahead = b.limit - 1;
    }
    const full = Math.floor(ahead / B);
    const residual = s - into;
    // Arrivals behind it (from phase 0), admitted while there is room; each full batch ahead frees B places.
    let seen = poisson(rate * residual, rng);
    let behind = Math.min(b.limit - ahead - 1, Math.floor(seen / k));
    for (let i = 1; i <= full; i++) {
      const more = poisson(rate * batchNs(b, B), rng);
      const arrived = Math.floor((seen + more) / k) - Math.floor(seen / k);
      seen += more;
      behind = Math.min(b.limit - (ahead - i * B) - 1, behind + arrived);
    }
    return { waitNs: residual + full * batchNs(b, B), size: Math.min(B, (ahead % B) + 1 + behind) };
  }
}
