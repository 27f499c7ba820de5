/**
 * Statistics for the tests that compare the twin with references: figures pooled over seeds from the per-metric
 * summaries of summary.json, their comparison, and quantiles of closed-form distributions.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";

/** A metric's summary in summary.json, with the batch-means standard error of its mean. */
export interface SummaryStat {
  count: number;
  mean: number;
  p99: number;
  batch_means: { stderr: number };
}

/** The metrics of a run's summary.json, by metric then group. */
export const summaryMetrics = (summary: unknown) =>
  (summary as { metrics: Record<string, Record<string, SummaryStat>> }).metrics;

export const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Mean over runs weighted by their counts, and its standard error from each run's batch-means error. */
export function pooled(stats: readonly SummaryStat[]): { mean: number; stderr: number } {
  const total = sum(stats.map((x) => x.count));
  const mean = sum(stats.map((x) => x.mean * x.count)) / total;
  return { mean, stderr: Math.sqrt(sum(stats.map((x) => (x.batch_means.stderr * x.count) ** 2))) / total };
}

/**
 * A check that a figure of runs labelled `label` agrees with the `referenceLabel` runs' within a tolerance, each
 * comparison also logged as a diagnostic of test `t` (with the relative difference).
 */
export function agreement(t: TestContext, label: string, referenceLabel: string) {
  return (what: string, value: number, reference: number, tolerance: number): void => {
    const difference = `${(((value - reference) / reference) * 100).toFixed(2)}%`;
    t.diagnostic(`${what}: ${label} ${value}, ${referenceLabel} ${reference} (${difference}, tolerance ${tolerance})`);
    assert.ok(
      Math.abs(value - reference) <= tolerance,
      `${what}: ${label} ${value}, ${referenceLabel} ${reference}, tolerance ${tolerance}`,
    );
  };
}

/** The t with P(T > t) = 0.01 for a decreasing survival function with that quantile below `upper`, by bisection. */
export function quantile99(survival: (t: number) => number, upper = 10): number {
  let lo = 0;
  let hi = upper;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (survival(mid) > 0.01) lo = mid;
    else hi = mid;
  }
  return lo;
}
