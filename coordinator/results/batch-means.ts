/**
 * Batch means: the run's metric intervals after the warm-up are the batches. The point estimate is the pooled
 * mean (all observations); the standard error comes from the spread of the batch means, which stays honest when
 * observations inside a batch are correlated (as waiting times in a queue are).
 */
import jStat from "jstat";

export interface BatchMeans {
  batches: number;
  mean: number;
  stderr: number;
  /** 95% confidence interval from Student's t with batches − 1 degrees of freedom. */
  ci95Low: number;
  ci95High: number;
}

/** `batches`: per-batch (sum, count); batches without observations are skipped. Null with fewer than 2 batches. */
export function batchMeans(batches: readonly { sum: number; count: number }[], confidence = 0.95): BatchMeans | null {
  const used = batches.filter((b) => b.count > 0);
  if (used.length < 2) return null;
  const means = used.map((b) => b.sum / b.count);
  const pooled = used.reduce((s, b) => s + b.sum, 0) / used.reduce((s, b) => s + b.count, 0);
  const avg = means.reduce((s, m) => s + m, 0) / means.length;
  const variance = means.reduce((s, m) => s + (m - avg) ** 2, 0) / (means.length - 1);
  const stderr = Math.sqrt(variance / means.length);
  const t = tQuantile(1 - (1 - confidence) / 2, means.length - 1);
  return { batches: used.length, mean: pooled, stderr, ci95Low: pooled - t * stderr, ci95High: pooled + t * stderr };
}

export function tQuantile(p: number, dof: number): number {
  return jStat.studentt.inv(p, dof);
}
