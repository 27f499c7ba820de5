/**
 * Exact long-time statistics of a current from the rates (full counting statistics). A current J_T adds d_k each
 * time transition k happens. Its scaled cumulant generating function λ(s) = lim (1/T) ln E[e^{s·J_T}] is the
 * leading eigenvalue of the tilted generator W(s) (entries k_{i→j}·e^{s·d} off the diagonal). Perturbation theory
 * at s = 0, with W p = 0, 1ᵀW = 0 and W₁, W₂ the first and second s-derivatives of W(s):
 *   mean       J = λ'(0)  = 1ᵀ W₁ p                      (= Σ_k d_k φ_k),
 *   variance   D = λ''(0) = 1ᵀ W₂ p + 2·1ᵀ W₁ x,          where W x = −(W₁ p − J p), 1ᵀx = 0
 * (D = lim Var(J_T)/T, the scaled variance). From them: Fano factor D/|J|; with Schnakenberg's σ, the TUR figures
 * Q = σ·D/J² ≥ 2, σ_TUR = 2J²/D ≤ σ and η_TUR = 2/Q (docs/thermo.md). Dense, O(n³): fit for the models `thermo solve`
 * takes.
 */
import { solveDense } from "./linalg.ts";
import { stationaryDistribution } from "./markov.ts";
import type { MarkovModel } from "./model.ts";

export interface CurrentStatistics {
  /** ⟨J_T⟩/T. */
  meanPerS: number;
  /** lim Var(J_T)/T. */
  scaledVariancePerS: number;
  /** D/|J|; null when J = 0. */
  fanoFactor: number | null;
  /** σ·D/J²; null when J = 0 or σ is infinite. */
  precisionCostQ: number | null;
  /** 2J²/D; null when D = 0. */
  sigmaTurKbPerS: number | null;
  /** 2/Q; null when Q is. */
  etaTur: number | null;
}

/** `weights[k]`: what transition k of `model.transitions` adds to the current. `sigmaKbPerS`: null if infinite. */
export function currentStatistics(
  model: MarkovModel,
  weights: readonly number[],
  sigmaKbPerS: number | null,
  p: Float64Array = stationaryDistribution(model),
): CurrentStatistics {
  const n = model.states.length;
  if (weights.length !== model.transitions.length)
    throw new RangeError("weights must align with the model's transitions");
  // W₁ p and 1ᵀW₂p: the weighted flux out of each state lands in the state it goes to.
  const w1p = new Float64Array(n);
  let mean = 0;
  let second = 0;
  model.transitions.forEach((t, k) => {
    const flux = p[t.from]! * t.ratePerS;
    const d = weights[k]!;
    w1p[t.to]! += flux * d;
    mean += flux * d;
    second += flux * d * d;
  });
  // W x = −(W₁p − J p) with the last (redundant) balance row replaced by Σx = 0.
  const w = new Float64Array(n * n);
  for (const t of model.transitions) {
    w[t.to * n + t.from]! += t.ratePerS;
    w[t.from * n + t.from]! -= t.ratePerS;
  }
  const rhs = new Float64Array(n);
  for (let i = 0; i < n; i++) rhs[i] = -(w1p[i]! - mean * p[i]!);
  for (let j = 0; j < n; j++) w[(n - 1) * n + j] = 1;
  rhs[n - 1] = 0;
  const x = solveDense(w, rhs, n);
  let cross = 0;
  model.transitions.forEach((t, k) => {
    cross += x[t.from]! * t.ratePerS * weights[k]!;
  });
  const variance = second + 2 * cross;
  const q = mean === 0 || sigmaKbPerS === null ? null : (sigmaKbPerS * variance) / (mean * mean);
  return {
    meanPerS: mean,
    scaledVariancePerS: variance,
    fanoFactor: mean === 0 ? null : variance / Math.abs(mean),
    precisionCostQ: q,
    sigmaTurKbPerS: variance > 0 ? (2 * mean * mean) / variance : null,
    etaTur: q === null || q === 0 ? null : 2 / q,
  };
}

/** Weights of the net current along edge (i→j, mechanism): +1 forward, −1 back, 0 elsewhere. */
export function edgeCurrentWeights(model: MarkovModel, edge: { i: number; j: number; mechanism: string }): number[] {
  return model.transitions.map((t) =>
    t.mechanism !== edge.mechanism
      ? 0
      : t.from === edge.i && t.to === edge.j
        ? 1
        : t.from === edge.j && t.to === edge.i
          ? -1
          : 0,
  );
}
