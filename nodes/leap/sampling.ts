/**
 * Counts for leap mode, drawn from an actor's own stream: Poisson (τ-leaping's channel firings), binomial
 * (thinning: losses, drops), multinomial (splitting a count over ports, replicas or queue states). The samplers
 * are stdlib's (exact algorithms, PTRS / BTPE), fed with the actor's xoshiro stream, so draws are deterministic.
 */
import binomialFactory from "@stdlib/random-base-binomial";
import poissonFactory from "@stdlib/random-base-poisson";
import type { Rng } from "../runtime/rng.ts";

interface Samplers {
  poisson: (mean: number) => number;
  binomial: (n: number, p: number) => number;
}

/** One pair of samplers per stream object (they hold no state of their own: every draw comes from the stream). */
const cache = new WeakMap<Rng, Samplers>();

function samplers(rng: Rng): Samplers {
  let s = cache.get(rng);
  if (s === undefined) {
    const prng = () => rng.uniform();
    s = { poisson: poissonFactory.factory({ prng }), binomial: binomialFactory.factory({ prng }) };
    cache.set(rng, s);
  }
  return s;
}

export function poisson(mean: number, rng: Rng): number {
  if (!(mean > 0)) return 0;
  return samplers(rng).poisson(mean);
}

export function binomial(n: number, p: number, rng: Rng): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  return samplers(rng).binomial(n, p);
}

/** Splits `n` over categories with (unnormalised, non-negative) weights by conditional binomials. */
export function multinomial(n: number, weights: readonly number[], rng: Rng): number[] {
  const out = new Array<number>(weights.length).fill(0);
  let left = n;
  let mass = weights.reduce((a, w) => a + w, 0);
  for (let i = 0; i < weights.length && left > 0; i++) {
    const w = weights[i]!;
    const k = i === weights.length - 1 || mass <= w ? left : binomial(left, w / mass, rng);
    out[i] = k;
    left -= k;
    mass -= w;
  }
  return out;
}
