/**
 * Counts for leap mode, drawn from an actor's own stream: Poisson (τ-leaping's channel firings), binomial
 * (thinning: losses, drops), multinomial (splitting a count over ports, replicas or queue states). The samplers
 * are exact algorithms (stdlib's PTRS for Poisson, BTRS for binomial: binomial.ts) fed with the actor's xoshiro
 * stream, so draws are deterministic.
 */
import { createRequire } from "node:module";
import type poissonModule from "@stdlib/random-base-poisson";
import { drawBinomial, type Uniform } from "./binomial.ts";
import type { Rng } from "./rng.ts";

/**
 * stdlib's Poisson sampler, loaded at the first Poisson draw: its module tree takes a second or more of CPU to
 * load, and every host imports this file (binomial thinning on lossy links) while only leap mode draws Poisson.
 */
let poissonFactory: typeof poissonModule | undefined;
function stdlibPoisson(): typeof poissonModule {
  poissonFactory ??= createRequire(import.meta.url)("@stdlib/random-base-poisson") as typeof poissonModule;
  return poissonFactory;
}

/** One sampler per stream object (it holds no state of its own: every draw comes from the stream). */
const cache = new WeakMap<Rng, (mean: number) => number>();

export function poisson(mean: number, rng: Rng): number {
  if (!(mean > 0)) return 0;
  let sampler = cache.get(rng);
  if (sampler === undefined) {
    sampler = stdlibPoisson().factory({ prng: () => rng.uniform() });
    cache.set(rng, sampler);
  }
  return sampler(mean);
}

export const binomial: (n: number, p: number, rng: Uniform) => number = drawBinomial;

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
