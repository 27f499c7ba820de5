/** Confidence intervals from a summary's `batch_means`, for tests that compare them with closed forms. */
import assert from "node:assert/strict";
import { tQuantile } from "../../coordinator/results/batch-means.ts";

export interface ReportedBatchMeans {
  batches: number;
  mean: number;
  stderr: number | null;
  warning: string | null;
}

/** Half-width of the two-sided interval at `confidence`; fails the test when the run reported no interval. */
export function halfWidth(bm: ReportedBatchMeans, confidence = 0.99): number {
  assert.ok(bm.stderr !== null, `no confidence interval: ${bm.warning}`);
  return tQuantile(1 - (1 - confidence) / 2, bm.batches - 1) * bm.stderr;
}
