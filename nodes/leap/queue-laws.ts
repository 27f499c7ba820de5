/**
 * Stationary laws of a c-server FIFO queue, for leap mode's quasi-steady-state stations.
 *
 * Exact for M/M/c (Erlang C) and M/M/c/K (a finite waiting room: the truncated birth–death chain). General
 * service uses the Allen–Cunneen approximation: the probability of waiting is Erlang C's, and the wait, given
 * that one waits, is exponential with mean (c_a² + c_s²)/2 · 1/(cμ − λ) (exact for c_s² = 1; Kingman's heavy
 * traffic form for c = 1). Arrivals are Poisson (c_a² = 1: counts from upstream are Poisson-thinned and merged,
 * which keeps them Poisson) unless the station says otherwise. Behind a round-robin balancer a replica sees every
 * n-th arrival (c_a² = 1/n): with an unlimited room the wait then follows the GI/M/c law for Gamma interarrival
 * times of that SCV: arrivals that wait find a geometric queue of ratio σ, the root in (0, 1) of σ = A*(cμ(1 − σ))
 * (A* the interarrival law's transform), so the wait given waiting is exponential with rate cμ(1 − σ) (exact for
 * exponential service), times the Allen–Cunneen service factor (1 + c_s²)/2; the probability of waiting is σ for
 * c = 1 (exact) and Erlang C scaled by σ/ρ for c > 1 (an interpolation, exact at c = 1 and for Poisson arrivals,
 * where σ = ρ). Allen–Cunneen's (c_a² + c_s²)/2 on the M/M/c wait overstates E_n/M/1 waits by 9–35% at ρ = 0.5–0.8,
 * hence the σ law. With a finite room the wait scales by (c_a² + c_s²)/2.
 *
 * Replicas a balancer joins by shortest queue (JSQ) are a pool of n (unlimited rooms only): the pool's total
 * follows the pooled M/M/(n·c) law at n times the rate (JSQ keeps the replicas' queues nearly balanced), so an
 * arrival waits with the pooled Erlang C probability; it then finds Q waiting in the pool (geometric, ratio ρ),
 * joins a replica with ⌊Q/n⌋ of them and waits ⌊Q/n⌋ + 1 services of its own c units. A geometric number of
 * exponential phases is exponential: the wait given waiting has rate cμ(1 − ρⁿ) (M/M/c at n = 1). This balanced
 * queue approximation is ours, not a published law: it neglects replicas idling while others queue (the real
 * JSQ waits are somewhat longer) and the imbalance of the queues.
 */
import type { Distribution } from "../models/distributions.ts";
import { meanOf } from "../models/distributions.ts";
import type { Rng } from "../runtime/rng.ts";

/** Erlang B blocking probability for c servers at offered load a = λ/μ (the stable recursion). */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C: the probability that an arrival waits in M/M/c (a < c; 1 when a >= c). */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  const b = erlangB(c, a);
  return (c * b) / (c - a * (1 - b));
}

/** Squared coefficient of variation of a distribution (variance / mean²). */
export function scv(dist: Distribution): number {
  switch (dist.distribution) {
    case "exponential":
      return 1;
    case "deterministic":
      return 0;
    case "lognormal":
      return Math.exp(dist.sigma * dist.sigma) - 1;
    case "empirical": {
      const mean = meanOf(dist);
      let second = 0;
      let previous = 0;
      dist.values.forEach((v, i) => {
        second += v * v * (dist.cumulative[i]! - previous);
        previous = dist.cumulative[i]!;
      });
      return second / previous / (mean * mean) - 1;
    }
  }
}

/** A c-server station at arrival rate λ and per-server rate μ (both per ns), service SCV cs2, waiting room k. */
export interface Station {
  c: number;
  lambda: number;
  mu: number;
  cs2: number;
  /** Waiting places (not counting those in service); Infinity for an unlimited queue. */
  room: number;
  /** SCV of the interarrival times; 1 (Poisson) when absent. */
  ca2?: number;
  /** Replicas joined by shortest queue this station is one of (absent or < 2: none). */
  pool?: number;
}

/** The Allen–Cunneen factor (c_a² + c_s²)/2 on the M/M/c wait. */
const variability = (s: Station) => ((s.ca2 ?? 1) + s.cs2) / 2;

/**
 * σ of GI/M/c with Gamma interarrival times (mean 1/λ, SCV ca2): the root in (0, 1) of
 * σ = (1 + cμ(1 − σ)·ca2/λ)^(−1/ca2), by bisection (the function minus σ is positive at 0 and negative near 1
 * when ρ < 1). ρ for ca2 = 1.
 */
export function gammaSigma(s: Station, ca2: number): number {
  const transform = (x: number) => (1 + (s.c * s.mu * (1 - x) * ca2) / s.lambda) ** (-1 / ca2);
  let lo = 0;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (transform(mid) > mid) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Unlimited room: the probability of waiting and the rate of the exponential wait given waiting. */
function waitLaw(s: Station): { waits: number; rate: number } {
  const serviceFactor = (1 + s.cs2) / 2;
  const a = s.lambda / s.mu;
  if (s.pool !== undefined && s.pool > 1) {
    const n = s.pool;
    return { waits: erlangC(n * s.c, n * a), rate: (s.c * s.mu * (1 - utilisation(s) ** n)) / serviceFactor };
  }
  const ca2 = s.ca2 ?? 1;
  if (ca2 === 1 || !(s.lambda > 0)) return { waits: erlangC(s.c, a), rate: (s.c * s.mu - s.lambda) / serviceFactor };
  const sigma = gammaSigma(s, ca2);
  return {
    waits: Math.min(1, (erlangC(s.c, a) * sigma) / utilisation(s)),
    rate: (s.c * s.mu * (1 - sigma)) / serviceFactor,
  };
}

export const utilisation = (s: Station) => s.lambda / (s.c * s.mu);

/**
 * Probabilities of n = 0, 1, … requests in the system as an arrival finds it (PASTA), truncated where the rest
 * weighs less than 1e-9 (or at c + room). The chain is birth–death: λ up, μ·min(n, c) down.
 */
export function stateLaw(s: Station): number[] {
  const a = s.lambda / s.mu;
  const last = s.c + s.room;
  const p = [1];
  let total = 1;
  for (let n = 1; n <= last; n++) {
    const next = (p[n - 1]! * a) / Math.min(n, s.c);
    if (n > s.c && s.room === Number.POSITIVE_INFINITY) {
      // Geometric tail with ratio ρ: stop once what is left is negligible.
      const rho = a / s.c;
      if (next / (1 - rho) / (total + next) < 1e-9) {
        p.push(next);
        total += next;
        break;
      }
    }
    p.push(next);
    total += next;
  }
  return p.map((x) => x / total);
}

/** Probability that an arrival is turned away (the waiting room is full); 0 for an unlimited queue. */
export function blocking(s: Station): number {
  if (s.room === Number.POSITIVE_INFINITY) return 0;
  const law = stateLaw(s);
  return law[s.c + s.room] ?? 0;
}

/** Probability that an admitted arrival waits. */
export function waitProbability(s: Station): number {
  if (s.room === Number.POSITIVE_INFINITY) return waitLaw(s).waits;
  const law = stateLaw(s);
  const full = law[s.c + s.room] ?? 0;
  let waits = 0;
  for (let n = s.c; n < s.c + s.room; n++) waits += law[n]!;
  return full >= 1 ? 0 : waits / (1 - full);
}

/** Mean wait in queue (ns) of an admitted arrival: Erlang C (exact for exponential service) times the A–C factor. */
export function meanWait(s: Station): number {
  if (s.room === Number.POSITIVE_INFINITY) {
    const { waits, rate } = waitLaw(s);
    return waits / rate;
  }
  const law = stateLaw(s);
  const full = law[s.c + s.room] ?? 0;
  let w = 0;
  for (let n = s.c; n < s.c + s.room; n++) w += (law[n]! * (n - s.c + 1)) / (s.c * s.mu);
  return (w / (1 - full)) * variability(s);
}

/**
 * Processor sharing: the mean sojourn over the mean service, E[T]/E[S]. Egalitarian PS with c units is a
 * symmetric queue: its law of the number held is the M/M/c(/K) one whatever the service distribution
 * (insensitivity), so E[T] = E[N]/λ is the M/M/c mean wait (c_s² = 1) plus E[S]; with one unit a request of size x
 * stays x/(1 − ρ) on average.
 */
export function psStretch(s: Station): number {
  return meanWait({ ...s, cs2: 1, ca2: 1, pool: 0 }) * s.mu + 1;
}

/**
 * Relaxation time of the queue (ns): 1/(cμ(1 − √ρ)²), the M/M/1 spectral gap (Morse 1955) with the pooled rate
 * cμ, a conservative figure for c > 1. Infinite at or above ρ = 1.
 */
export function relaxationNs(s: Station): number {
  const rho = utilisation(s);
  if (rho >= 1) return Number.POSITIVE_INFINITY;
  return 1 / (s.c * s.mu * (1 - Math.sqrt(rho)) ** 2);
}

/** A Gamma(k, rate) draw as a sum of exponentials (k <= 32), else by its normal approximation. */
function erlang(k: number, rate: number, rng: Rng): number {
  if (k <= 32) {
    let t = 0;
    for (let i = 0; i < k; i++) t += rng.exponential(rate);
    return t;
  }
  return Math.max(0, (k + Math.sqrt(k) * rng.normal()) / rate);
}

/**
 * One wait in queue (ns) of an admitted arrival from the stationary law. Unlimited room: 0 with probability
 * 1 − C, else exponential with the Allen–Cunneen mean. Finite room: the number found ahead by PASTA, then an
 * Erlang(n − c + 1, cμ) wait (scaled by the A–C factor for non-exponential service).
 */
export function sampleWait(s: Station, rng: Rng, law: readonly number[] | null): number {
  if (law === null) {
    const { waits, rate } = waitLaw(s);
    if (rng.uniform() >= waits) return 0;
    return rng.exponential(rate);
  }
  const admitted = 1 - (law[s.c + s.room] ?? 0);
  let u = rng.uniform() * admitted;
  let n = 0;
  while (n < s.c + s.room - 1 && (u -= law[n]!) >= 0) n++;
  return n < s.c ? 0 : erlang(n - s.c + 1, s.c * s.mu, rng) * variability(s);
}
