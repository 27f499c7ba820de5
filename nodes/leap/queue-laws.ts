/**
 * Stationary laws of a c-server FIFO queue, for leap mode's quasi-steady-state stations.
 *
 * Exact for M/M/c (Erlang C) and M/M/c/K (a finite waiting room: the truncated birth–death chain). General
 * service uses the Allen–Cunneen approximation: the probability of waiting is Erlang C's, and the wait, given
 * that one waits, is exponential with mean (c_a² + c_s²)/2 · 1/(cμ − λ) (exact for c_s² = 1; Kingman's heavy
 * traffic form for c = 1). Arrivals are taken as Poisson (c_a² = 1): counts from upstream are Poisson-thinned and
 * merged, which keeps them Poisson; a station behind a round-robin balancer sees smoother arrivals, so its waits
 * are overstated somewhat there.
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
  if (s.room === Number.POSITIVE_INFINITY) return erlangC(s.c, s.lambda / s.mu);
  const law = stateLaw(s);
  const full = law[s.c + s.room] ?? 0;
  let waits = 0;
  for (let n = s.c; n < s.c + s.room; n++) waits += law[n]!;
  return full >= 1 ? 0 : waits / (1 - full);
}

/** Mean wait in queue (ns) of an admitted arrival: Erlang C (exact for exponential service) times the A–C factor. */
export function meanWait(s: Station): number {
  if (s.room === Number.POSITIVE_INFINITY)
    return (erlangC(s.c, s.lambda / s.mu) / (s.c * s.mu - s.lambda)) * ((1 + s.cs2) / 2);
  const law = stateLaw(s);
  const full = law[s.c + s.room] ?? 0;
  let w = 0;
  for (let n = s.c; n < s.c + s.room; n++) w += (law[n]! * (n - s.c + 1)) / (s.c * s.mu);
  return (w / (1 - full)) * ((1 + s.cs2) / 2);
}

/**
 * Processor sharing: the mean sojourn over the mean service, E[T]/E[S]. Egalitarian PS with c units is a
 * symmetric queue: its law of the number held is the M/M/c(/K) one whatever the service distribution
 * (insensitivity), so E[T] = E[N]/λ is the M/M/c mean wait (c_s² = 1) plus E[S]; with one unit a request of size x
 * stays x/(1 − ρ) on average.
 */
export function psStretch(s: Station): number {
  return meanWait({ ...s, cs2: 1 }) * s.mu + 1;
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
  const factor = (1 + s.cs2) / 2;
  if (law === null) {
    const c = erlangC(s.c, s.lambda / s.mu);
    if (rng.uniform() >= c) return 0;
    return rng.exponential((s.c * s.mu - s.lambda) / factor);
  }
  const admitted = 1 - (law[s.c + s.room] ?? 0);
  let u = rng.uniform() * admitted;
  let n = 0;
  while (n < s.c + s.room - 1 && (u -= law[n]!) >= 0) n++;
  return n < s.c ? 0 : erlang(n - s.c + 1, s.c * s.mu, rng) * factor;
}
