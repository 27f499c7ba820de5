/**
 * Batch means with the batch length chosen from the data (Fishman's LBATCH rule, "Discrete-Event Simulation",
 * 2001, §6.6): start from the metrics intervals after the warm-up, and while the batch means are still
 * correlated (von Neumann's lag-1 test rejects independence) merge neighbouring batches in pairs. Only then are
 * the batch means close enough to independent for a Student-t interval to mean what it says. Queue waiting times
 * stay correlated for many metrics intervals near saturation, which is why the intervals alone are not batches.
 *
 * The point estimate is always the pooled mean of all observations after the warm-up (the same figure as the
 * headline mean); the batches only supply its standard error. With fewer than MIN_BATCHES batches left when the
 * test stops rejecting and the batches are merged once more for safety (a run too short for its correlation time)
 * there is no interval, only a warning.
 */
import jStat from "jstat";

/** Fewer batches than this give no confidence interval: the test has no power and the t-interval is too wide. */
export const MIN_BATCHES = 10;
/**
 * Level of the one-sided von Neumann test for positive lag-1 correlation. Each merge step is a test, so a level of
 * 0.1 (Fishman's LBATCH default) merges too often by chance; 0.05 gave 95% coverage on M/M/1 at ρ = 0.8 over
 * 24 seeds of 2·10⁴ s (test/statistics.test.ts checks 20 others).
 */
const TEST_LEVEL = 0.05;

export interface BatchMeans {
  /** Metrics intervals after the warm-up (the finest batches). */
  intervals: number;
  /** Intervals merged into each batch (the last batch also takes the remainder). */
  intervalsPerBatch: number;
  /** Batches with observations at that length: the effective number of independent batches. */
  batches: number;
  /** Lag-1 autocorrelation of the final batch means (null with fewer than 3 batches). */
  lag1Autocorrelation: number | null;
  /** Pooled mean of every observation after the warm-up. */
  mean: number;
  /** Null when there are too few batches for an interval. */
  stderr: number | null;
  ci95Low: number | null;
  ci95High: number | null;
  /** Why there is no interval, or null. */
  warning: string | null;
}

/**
 * `intervals`: per-interval (sum, count) in time order, empty intervals included. `nonNegative`: the quantity
 * cannot be negative (durations), so the interval's lower end is clamped at 0. Null when nothing was observed.
 */
export function batchMeans(
  intervals: readonly { sum: number; count: number }[],
  options: { confidence?: number; nonNegative?: boolean } = {},
): BatchMeans | null {
  const confidence = options.confidence ?? 0.95;
  const total = intervals.reduce((s, b) => s + b.count, 0);
  if (total === 0) return null;
  const mean = intervals.reduce((s, b) => s + b.sum, 0) / total;
  let size = 1;
  let means = batchMeansOf(intervals, size);
  while (means.length >= MIN_BATCHES && correlated(means)) {
    size *= 2;
    means = batchMeansOf(intervals, size);
  }
  // The test stops rejecting partly because its power falls with the number of batches: merge once more, so that
  // what correlation is left undetected is halved, and a run too short to tell gets no interval.
  size *= 2;
  means = batchMeansOf(intervals, size);
  const base = {
    intervals: intervals.length,
    intervalsPerBatch: size,
    batches: means.length,
    lag1Autocorrelation: means.length >= 3 ? lag1(means) : null,
    mean,
  };
  if (means.length < MIN_BATCHES) {
    // Two intervals a batch is the safety merge alone: the intervals were not found correlated, so shorter ones help.
    const remedy = size === 2 ? "run longer or set a shorter run.metrics_interval" : "run longer";
    const warning =
      intervals.length < 2 * MIN_BATCHES
        ? `only ${intervals.length} metrics interval(s) after the warm-up (at least ${2 * MIN_BATCHES} needed: ${MIN_BATCHES} batches of 2): ${remedy} for a confidence interval`
        : `only ${means.length} effectively independent batches of ${size} metrics interval(s) (at least ${MIN_BATCHES} needed): ${remedy} for a confidence interval`;
    return { ...base, stderr: null, ci95Low: null, ci95High: null, warning };
  }
  const avg = means.reduce((s, m) => s + m, 0) / means.length;
  const variance = means.reduce((s, m) => s + (m - avg) ** 2, 0) / (means.length - 1);
  const stderr = Math.sqrt(variance / means.length);
  const half = tQuantile(1 - (1 - confidence) / 2, means.length - 1) * stderr;
  const low = mean - half;
  return {
    ...base,
    stderr,
    ci95Low: options.nonNegative === true ? Math.max(0, low) : low,
    ci95High: mean + half,
    warning: null,
  };
}

/** Means of consecutive groups of `size` intervals (the remainder joins the last group); empty groups skipped. */
function batchMeansOf(intervals: readonly { sum: number; count: number }[], size: number): number[] {
  const groups = Math.floor(intervals.length / size);
  const means: number[] = [];
  for (let g = 0; g < groups; g++) {
    const end = g === groups - 1 ? intervals.length : (g + 1) * size;
    let sum = 0;
    let count = 0;
    for (let i = g * size; i < end; i++) {
      sum += intervals[i]!.sum;
      count += intervals[i]!.count;
    }
    if (count > 0) means.push(sum / count);
  }
  return means;
}

/**
 * Von Neumann's test (von Neumann 1941; Fishman 2001, eq. 6.64): C = 1 − Σ(x_{i+1} − x_i)² / (2 Σ(x_i − x̄)²)
 * is approximately normal with mean 0 and variance (k − 2)/(k² − 1) for k independent normal means, already for
 * k ≥ 8. Positive C means positive lag-1 correlation, the kind that makes batch-means intervals too narrow.
 */
function correlated(means: readonly number[]): boolean {
  const k = means.length;
  const avg = means.reduce((s, m) => s + m, 0) / k;
  let ss = 0;
  for (const m of means) ss += (m - avg) ** 2;
  if (ss === 0) return false;
  let diff = 0;
  for (let i = 1; i < k; i++) diff += (means[i]! - means[i - 1]!) ** 2;
  const c = 1 - diff / (2 * ss);
  return c > jStat.normal.inv(1 - TEST_LEVEL, 0, 1) * Math.sqrt((k - 2) / (k * k - 1));
}

function lag1(means: readonly number[]): number {
  const avg = means.reduce((s, m) => s + m, 0) / means.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < means.length; i++) {
    den += (means[i]! - avg) ** 2;
    if (i > 0) num += (means[i]! - avg) * (means[i - 1]! - avg);
  }
  return den === 0 ? 0 : num / den;
}

export function tQuantile(p: number, dof: number): number {
  return jStat.studentt.inv(p, dof);
}
