/**
 * Test of broken detailed balance: the likelihood-ratio (G) test of symmetric pair fluxes. Under detailed balance
 * each mechanism-resolved pair is crossed as often one way as the other, so given n = n_ij + n_ji the split is
 * Binomial(n, ½); G = 2 Σ_pairs [n_ij ln(2n_ij/n) + n_ji ln(2n_ji/n)] then tends to χ² with C = E − V + K degrees
 * of freedom (one per independent cycle of the observed graph: on tree edges the net count is pinned by
 * conservation, so they add nothing). G ≈ T·σ̂/2 for pairs seen both ways (docs/thermo.md's 2·χ² rule), but G stays
 * finite for a pair seen one way only (2·n·ln 2) and needs no pseudo-count, so it also weighs irreversible
 * currents: n crossings one way and none back is evidence p ≈ 2^−n against equilibrium.
 */
import { chiSquareQuantile, chiSquareSurvival } from "./chi2.ts";
import { independentCycleCount } from "./cycles.ts";
import type { SigmaEstimate } from "./estimators.ts";

export interface DetailedBalanceTest {
  /** G, dimensionless (≈ T·σ̂/2 over the pairs seen both ways). */
  statistic: number;
  dof: number;
  confidence: number;
  /** χ²_{dof,confidence}; 0 when there is no cycle. */
  threshold: number;
  pValue: number;
  reject: boolean;
}

/** n ln(2n/total), 0 when n = 0. */
function term(n: number, total: number): number {
  return n > 0 ? n * Math.log((2 * n) / total) : 0;
}

export function detailedBalanceTest(estimate: SigmaEstimate, confidence = 0.95): DetailedBalanceTest {
  let g = 0;
  const nodes = new Map<string, number>();
  const node = (s: string): number => nodes.get(s) ?? (nodes.set(s, nodes.size), nodes.size - 1);
  const graph: { from: number; to: number }[] = [];
  for (const e of estimate.edges) {
    const n = e.forwardCount + e.reverseCount;
    g += 2 * (term(e.forwardCount, n) + term(e.reverseCount, n));
    graph.push({ from: node(e.from), to: node(e.to) });
  }
  for (const e of estimate.irreversible) {
    g += 2 * term(e.count, e.count);
    graph.push({ from: node(e.from), to: node(e.to) });
  }
  const dof = independentCycleCount(graph);
  // No cycle: no current can be sustained, detailed balance cannot be tested (nor rejected).
  if (dof === 0) return { statistic: g, dof, confidence, threshold: 0, pValue: 1, reject: false };
  const threshold = chiSquareQuantile(confidence, dof);
  return { statistic: g, dof, confidence, threshold, pValue: chiSquareSurvival(g, dof), reject: g > threshold };
}
