/**
 * Test of broken detailed balance (THERMO.md): under detailed balance T·σ̂ tends to 2·χ² with C = E − V + 1
 * degrees of freedom (one per independent cycle of the observed graph; tree edges carry no net current), so
 * equilibrium is rejected at level 1 − confidence when T·σ̂ > 2·χ²_{C,confidence}.
 */
import { chiSquareQuantile, chiSquareSurvival } from "./chi2.ts";
import type { SigmaEstimate } from "./estimators.ts";

export interface DetailedBalanceTest {
  /** T·σ̂, in k_B. */
  statisticKb: number;
  dof: number;
  confidence: number;
  /** 2·χ²_{dof,confidence}; 0 when there is no cycle. */
  thresholdKb: number;
  pValue: number;
  reject: boolean;
}

export function detailedBalanceTest(estimate: SigmaEstimate, confidence = 0.95): DetailedBalanceTest {
  const statisticKb = estimate.sigmaKbPerS * estimate.durationS;
  const dof = estimate.independentCycles;
  // No cycle: no current can be sustained, detailed balance cannot be tested (nor rejected).
  if (dof === 0) return { statisticKb, dof, confidence, thresholdKb: 0, pValue: 1, reject: false };
  const thresholdKb = 2 * chiSquareQuantile(confidence, dof);
  return { statisticKb, dof, confidence, thresholdKb, pValue: chiSquareSurvival(statisticKb / 2, dof), reject: statisticKb > thresholdKb };
}
