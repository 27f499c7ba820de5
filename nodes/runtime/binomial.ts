/**
 * Binomial draws from a stream of uniforms, exact in law: the geometric waiting-time method when the mean is small
 * (n·p < 10: about n·p + 1 uniforms) and Hörmann's BTRS (transformed rejection with squeeze, 1993; the sampler of
 * TensorFlow and PyTorch) otherwise (about 2.3 uniforms, whatever n). Written here because
 * @stdlib/random-base-binomial 0.2.2 is biased for n·p ≥ 10: its BTRD recursion multiplies one factor too many
 * (i from m, not m + 1), so e.g. Binomial(100, 0.2) has mean 20.47 (measured over 400,000 draws).
 */

/** A source of uniforms in [0, 1): an actor's stream. */
export interface Uniform {
  uniform(): number;
}

/** log k! − Stirling's approximation of it, the tail f_c(k) of Hörmann's paper (table below 10, series above). */
const STIRLING_TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
  0.0138761288230707, 0.0118967099458917, 0.010411265261972, 0.00925546218271273, 0.00833056343336287,
];
function stirlingTail(k: number): number {
  if (k < 10) return STIRLING_TAIL[k]!;
  const kp1sq = (k + 1) * (k + 1);
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

/** Successes in `n` trials of probability `p` (n a non-negative integer, 0 <= p <= 1). */
export function drawBinomial(n: number, p: number, rng: Uniform): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - drawBinomial(n, 1 - p, rng);
  return n * p < 10 ? geometricWaiting(n, p, rng) : btrs(n, p, rng);
}

/** Counts the geometric gaps between successes that fit in n trials. */
function geometricWaiting(n: number, p: number, rng: Uniform): number {
  const logQ = Math.log1p(-p);
  let trials = 0;
  let successes = 0;
  for (;;) {
    trials += Math.max(1, Math.ceil(Math.log(1 - rng.uniform()) / logQ));
    if (trials > n) return successes;
    successes++;
  }
}

function btrs(n: number, p: number, rng: Uniform): number {
  const stddev = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * stddev;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const r = p / (1 - p);
  const alpha = (2.83 + 5.1 / b) * stddev;
  const m = Math.floor((n + 1) * p);
  const hm = (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) + stirlingTail(m) + stirlingTail(n - m);
  for (;;) {
    const u = rng.uniform() - 0.5;
    let v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k; // the squeeze: accepted without the density
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const bound =
      hm +
      (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
      (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) -
      stirlingTail(k) -
      stirlingTail(n - k);
    if (v <= bound) return k;
  }
}
