/**
 * Seeded, splittable pseudo-random numbers for actors.
 *
 * xoshiro128** (Blackman & Vigna) on 32-bit words: fast in JavaScript (no BigInt), period 2^128 − 1, and its
 * whole state is four integers, so an actor's RNG is plain data that a checkpoint can copy. Each actor gets its
 * own stream seeded from (run seed, actor id), so a draw never depends on which other actors share its host.
 */

/** The serialisable state of one stream. */
export type RngState = [number, number, number, number];

export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Standard normal (Box–Muller; uses two uniforms per draw, no cached spare, so state stays 4 words). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  readonly state: RngState;
}

/** SplitMix32-style finaliser used to spread seed material over the state words. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, folded with a seed. */
function hashString(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The initial state of the stream for (run seed, stream name), e.g. (42, "srv-r3-07"). */
export function seedState(runSeed: number, streamName: string): RngState {
  const lo = runSeed >>> 0;
  const hi = Math.floor(runSeed / 0x1_0000_0000) >>> 0;
  const x = hashString(streamName, mix32(lo ^ mix32(hi)));
  const word = (i: number) => mix32((x + i * 0x9e3779b9) >>> 0);
  // A literal of four (not four pushes, which leave room for 17): every actor keeps one.
  const state: RngState = [word(1), word(2), word(3), word(4)];
  if (!state.some((w) => w !== 0)) state[0] = 1; // the all-zero state is a fixed point
  return state;
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53_INV = 1 / 2 ** 53;

export class Xoshiro128 implements Rng {
  readonly state: RngState;

  constructor(state: RngState) {
    this.state = state;
  }

  static seeded(runSeed: number, streamName: string): Xoshiro128 {
    return new Xoshiro128(seedState(runSeed, streamName));
  }

  /** Next 32-bit unsigned word. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_53_INV;
  }

  exponential(rate: number): number {
    // 1 − U lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.uniform()) / rate;
  }

  normal(): number {
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export { TWO_POW_32 };
