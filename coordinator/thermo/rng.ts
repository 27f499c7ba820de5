/**
 * A small seeded uniform source for reproducible simulations: the runtime's xoshiro128** (nodes/runtime/rng.ts),
 * its four state words drawn from splitmix32 over the seed (this module's own seeding, which the thermo tests'
 * calibrated seeds were chosen with).
 */
import { Xoshiro128, type RngState } from "../../nodes/runtime/rng.ts";

/** Returns doubles in [0, 1) with 53 random bits; the same seed gives the same stream. */
export function createSeededUniform(seed: number): () => number {
  const rng = new Xoshiro128(splitmix32State(seed));
  return () => rng.uniform();
}

function splitmix32State(seed: number): RngState {
  let x = seed >>> 0;
  const next = (): number => {
    x = (x + 0x9e3779b9) | 0;
    let t = x ^ (x >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  return [next(), next(), next(), next()];
}
