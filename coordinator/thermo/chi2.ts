/** Chi-square distribution, through jstat (already a dependency; regularized incomplete gamma). */
import jStat from "jstat";

export function chiSquareCdf(x: number, dof: number): number {
  if (!(x > 0)) return 0;
  return Math.min(1, Math.max(0, jStat.chisquare.cdf(x, dof)));
}

/** Upper tail P(χ²_dof > x); 1 − CDF, so it bottoms out near 1e-16. */
export function chiSquareSurvival(x: number, dof: number): number {
  return 1 - chiSquareCdf(x, dof);
}

export function chiSquareQuantile(p: number, dof: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile: p must be in (0, 1), got ${p}`);
  if (!(dof > 0)) throw new RangeError(`quantile: dof must be > 0, got ${dof}`);
  return jStat.chisquare.inv(p, dof);
}
