/**
 * Exact steady state of a Markov model: stationary distribution by a dense elimination, then one-way fluxes, net
 * currents, forces and Schnakenberg's σ, paired mechanism by mechanism.
 */
import { solveDense } from "./linalg.ts";
import type { MarkovModel } from "./model.ts";
import { fluxForceProduct, logRatio } from "./numerics.ts";

export type StationaryMethod = "gth" | "solve";

/**
 * Stationary distribution, dense O(n³) (fit for a few hundred states, see linalg.ts).
 * - "gth" (default): Grassmann–Taksar–Heyman state reduction, i.e. Gaussian elimination on the generator done
 *   without subtractions, so every p_i keeps full relative accuracy — forces on rarely visited states
 *   (p_i ≪ 1e-9, e.g. a long queue) stay exact instead of drowning in rounding, and no p_i rounds to ≤ 0.
 * - "solve": pQ = 0 with the last balance equation replaced by Σp = 1, by partial pivoting; accurate to ~1e-16
 *   absolute only. Kept as an independent cross-check.
 */
export function stationaryDistribution(model: MarkovModel, method: StationaryMethod = "gth"): Float64Array {
  return method === "gth" ? gth(model) : normalisedSolve(model);
}

function rateMatrix(model: MarkovModel): Float64Array {
  const n = model.states.length;
  const k = new Float64Array(n * n);
  for (const t of model.transitions) k[t.from * n + t.to]! += t.ratePerS;
  return k;
}

/** Requires an irreducible model (validated), which keeps every reduction pivot s > 0. */
function gth(model: MarkovModel): Float64Array {
  const n = model.states.length;
  const a = rateMatrix(model);
  for (let k = n - 1; k > 0; k--) {
    let s = 0;
    for (let j = 0; j < k; j++) s += a[k * n + j]!;
    for (let i = 0; i < k; i++) a[i * n + k]! /= s;
    for (let i = 0; i < k; i++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < k; j++) if (j !== i) a[i * n + j]! += aik * a[k * n + j]!;
    }
  }
  const p = new Float64Array(n);
  p[0] = 1;
  let total = 1;
  for (let k = 1; k < n; k++) {
    let v = 0;
    for (let i = 0; i < k; i++) v += p[i]! * a[i * n + k]!;
    p[k] = v;
    total += v;
  }
  for (let i = 0; i < n; i++) p[i]! /= total;
  return p;
}

/** Components that round below zero (only possible at ~1e-16 of the largest) are set to zero. */
function normalisedSolve(model: MarkovModel): Float64Array {
  const n = model.states.length;
  const k = rateMatrix(model);
  const a = new Float64Array(n * n); // a = Qᵀ: row r is the balance equation of state r
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      a[j * n + i]! += k[i * n + j]!;
      a[i * n + i]! -= k[i * n + j]!;
    }
  }
  a.fill(1, (n - 1) * n);
  const b = new Float64Array(n);
  b[n - 1] = 1;
  const p = solveDense(a, b, n);
  for (let i = 0; i < n; i++) if (!(p[i]! > 0)) p[i] = 0;
  return p;
}

/** A reversible edge (both rates > 0), oriented as the model edge. */
export interface EdgeFlux {
  edge: number;
  forwardFluxPerS: number;
  reverseFluxPerS: number;
  netCurrentPerS: number;
  /** ln(φ_ij/φ_ji), in k_B. */
  forceKb: number;
  /** ln(k_ij/k_ji): the edge's share of any cycle affinity. */
  rateLogRatioKb: number;
  sigmaKbPerS: number;
}

/** A mechanism with a zero rate back: infinite affinity, reported apart from σ. Oriented along its flow. */
export interface IrreversibleFlux {
  edge: number;
  from: number;
  to: number;
  ratePerS: number;
  currentPerS: number;
}

export interface SteadyStateFluxes {
  reversible: EdgeFlux[];
  irreversible: IrreversibleFlux[];
  /** Net current into each state (all edges): zero in a steady state (Kirchhoff). */
  netInflowPerS: Float64Array;
  sigmaKbPerS: number;
}

export function steadyStateFluxes(model: MarkovModel, p: Float64Array): SteadyStateFluxes {
  const reversible: EdgeFlux[] = [];
  const irreversible: IrreversibleFlux[] = [];
  const netInflowPerS = new Float64Array(model.states.length);
  let sigmaKbPerS = 0;
  model.edges.forEach((e, edge) => {
    const a = p[e.i]! * e.forwardRatePerS;
    const b = p[e.j]! * e.reverseRatePerS;
    netInflowPerS[e.j]! += a - b;
    netInflowPerS[e.i]! -= a - b;
    if (e.forwardRatePerS === 0 || e.reverseRatePerS === 0) {
      if (a !== b) {
        const fwd = a > b;
        const [from, to] = fwd ? [e.i, e.j] : [e.j, e.i];
        irreversible.push({
          edge,
          from,
          to,
          ratePerS: fwd ? e.forwardRatePerS : e.reverseRatePerS,
          currentPerS: Math.abs(a - b),
        });
      }
      return;
    }
    // Both rates > 0; a flux can only be 0 here when its probability rounded to 0: a negligible pair.
    const ok = a > 0 && b > 0;
    const sigma = ok ? fluxForceProduct(a, b) : 0;
    sigmaKbPerS += sigma;
    reversible.push({
      edge,
      forwardFluxPerS: a,
      reverseFluxPerS: b,
      netCurrentPerS: a - b,
      forceKb: ok ? logRatio(a, b) : 0,
      rateLogRatioKb: logRatio(e.forwardRatePerS, e.reverseRatePerS),
      sigmaKbPerS: sigma,
    });
  });
  return { reversible, irreversible, netInflowPerS, sigmaKbPerS };
}
