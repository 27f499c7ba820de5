/**
 * Thermodynamic uncertainty relation (docs/thermo.md). From windows of length τ of a current J_τ in a steady state:
 * σ_TUR = 2⟨J_τ⟩²/(τ·Var J_τ) ≤ σ; precision cost Q = σ·τ·Var(J_τ)/⟨J_τ⟩² ≥ 2; efficiency η_TUR = 2/Q.
 */
import { jackknife } from "./error-bars.ts";

/** Q = a·coth(a/2) for a single cycle with affinity a per step; even in a, → 2 + a²/6 near equilibrium. */
export function turSingleCycleQ(affinityKb: number): number {
  const a = Math.abs(affinityKb);
  if (a < 1e-4) return 2 + (a * a) / 6 - (a * a * a * a) / 360;
  const e = Math.expm1(-a); // e^{-a} − 1, accurate for small a
  return (a * (2 + e)) / -e;
}

export interface TurValues {
  /** 2⟨J⟩²/(τ·Var); null when Var = 0. */
  sigmaTurKbPerS: number | null;
  /** σ·τ·Var/⟨J⟩²; null when ⟨J⟩ = 0 (no current: infinite cost). */
  precisionCostQ: number | null;
  /** 2/Q; 0 when ⟨J⟩ = 0, null when Q = 0. */
  etaTur: number | null;
}

export interface TurEstimate extends TurValues {
  windowS: number;
  windows: number;
  meanPerWindow: number;
  variancePerWindow: number;
  sigmaKbPerS: number;
  /** Delete-one-block jackknife over contiguous blocks of windows (robust to correlated windows); null if too few. */
  stderr: {
    blocks: number;
    sigmaTurKbPerS: number | null;
    precisionCostQ: number | null;
    etaTur: number | null;
  } | null;
}

export function turValues(mean: number, variance: number, windowS: number, sigmaKbPerS: number): TurValues {
  const q = mean === 0 ? null : (sigmaKbPerS * windowS * variance) / (mean * mean);
  return {
    sigmaTurKbPerS: variance > 0 ? (2 * mean * mean) / (windowS * variance) : null,
    precisionCostQ: q,
    etaTur: q === null ? 0 : q > 0 ? 2 / q : null,
  };
}

/** `series`: J_τ per window (e.g. net packets over a link per window); `sigmaKbPerS`: the σ to compare with. */
export function estimateTur(
  series: ArrayLike<number>,
  windowS: number,
  sigmaKbPerS: number,
  options: { blocks?: number } = {},
): TurEstimate {
  const m = series.length;
  if (m < 2) throw new RangeError("TUR needs at least 2 windows");
  if (!(windowS > 0)) throw new RangeError(`windowS must be > 0, got ${windowS}`);
  const { mean, variance } = meanVariance(series, 0, m);
  const base = { windowS, windows: m, meanPerWindow: mean, variancePerWindow: variance, sigmaKbPerS };
  const blocks = options.blocks ?? 20;
  if (m < 2 * blocks || blocks < 2)
    return { ...base, ...turValues(mean, variance, windowS, sigmaKbPerS), stderr: null };
  // Leave-one-block-out moments; blocks hold ⌊m/B⌋ or ⌈m/B⌉ windows.
  const loo = Array.from({ length: blocks }, (_, b) => {
    const lo = Math.floor((b * m) / blocks);
    const hi = Math.floor(((b + 1) * m) / blocks);
    const r = meanVariance(series, lo, hi, true);
    return turValues(r.mean, r.variance, windowS, sigmaKbPerS);
  });
  const full = turValues(mean, variance, windowS, sigmaKbPerS);
  const se = (key: keyof TurValues): number | null => {
    const f = full[key];
    const xs = loo.map((v) => v[key]);
    return f === null || xs.some((x) => x === null) ? null : jackknife(f, xs as number[]).stderr;
  };
  return {
    ...base,
    ...full,
    stderr: {
      blocks,
      sigmaTurKbPerS: se("sigmaTurKbPerS"),
      precisionCostQ: se("precisionCostQ"),
      etaTur: se("etaTur"),
    },
  };
}

/** Sample mean and variance of series[lo, hi), or of everything outside it; shifted by the first value for stability. */
function meanVariance(
  series: ArrayLike<number>,
  lo: number,
  hi: number,
  outside = false,
): { mean: number; variance: number } {
  const shift = series[0]!;
  let n = 0;
  let s = 0;
  let ss = 0;
  for (let i = 0; i < series.length; i++) {
    if ((i >= lo && i < hi) === outside) continue;
    const x = series[i]! - shift;
    n++;
    s += x;
    ss += x * x;
  }
  const mean = s / n;
  return { mean: mean + shift, variance: Math.max(0, (ss - n * mean * mean) / (n - 1)) };
}
