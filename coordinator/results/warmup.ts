/**
 * Automatic warm-up detection (`run.warmup: auto`) by MSER-5 (White, "An effective truncation heuristic for bias
 * reduction in simulation output", Simulation 69(6), 1997; White, Cobb & Spratt, WSC 2000): average the output in
 * batches of five, and truncate the d batches that minimise the squared standard error of the mean of the rest,
 *   MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (m − d)²,  d ≤ m/2,
 * taking the first minimum. Here the observations of a batch are those of five consecutive metrics intervals (a
 * batch's mean pools its observations). The series is the response time of every client group pooled (else the
 * queue waits): one warm-up for the run, so one window serves every headline figure. (Taking the latest point
 * over every metric would let a stationary but noisy one, such as service times, push it towards half the run.)
 */
import type { MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import { metricKey } from "../counts/aggregate.ts";
import type { IntervalSummary } from "../counts/interval-summary.ts";

const BATCH = 5;

/** Intervals to truncate from a per-interval (sum, count) series by MSER-5 (a multiple of five; 0 when too short). */
export function mser5Truncation(series: readonly { sum: number; count: number }[]): number {
  const means: { index: number; z: number }[] = [];
  for (let start = 0; start + BATCH <= series.length; start += BATCH) {
    let sum = 0;
    let count = 0;
    for (let i = start; i < start + BATCH; i++) {
      sum += series[i]!.sum;
      count += series[i]!.count;
    }
    if (count > 0) means.push({ index: start, z: sum / count });
  }
  const m = means.length;
  if (m < 4) return 0;
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let d = 0; d <= Math.floor(m / 2); d++) {
    let mean = 0;
    for (let j = d; j < m; j++) mean += means[j]!.z;
    mean /= m - d;
    let ss = 0;
    for (let j = d; j < m; j++) ss += (means[j]!.z - mean) ** 2;
    const score = ss / (m - d) ** 2;
    if (score < bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best === 0 ? 0 : means[best]!.index;
}

/** The metrics whose transient sets the warm-up, in order of preference: what clients see, else what queues see. */
const WARMUP_METRICS = ["response_time_ns", "queue_wait_ns"];

/**
 * The warm-up MSER-5 finds in a finished run, in ns (a whole number of metrics intervals; 0 without a series).
 * `intervals`: every interval's metrics in index order; `runMetrics`: the run's accumulators (which metrics exist).
 */
export function detectWarmupNs(
  intervals: readonly IntervalSummary[],
  runMetrics: ReadonlyMap<string, MetricAccumulator>,
  intervalNs: number,
  simTimeNs: number,
): number {
  const full = intervals.filter((r) => (r.index + 1) * intervalNs <= simTimeNs); // a partial last interval is not a like batch
  for (const name of WARMUP_METRICS) {
    const keys = [...runMetrics.values()]
      .filter((acc) => acc.name === name)
      .map((acc) => metricKey(acc.name, acc.group));
    if (keys.length === 0) continue;
    const series = full.map((r) => {
      let sum = 0;
      let count = 0;
      for (const key of keys) {
        const m = r.metrics.get(key);
        if (m !== undefined) {
          sum += m.sum;
          count += m.count;
        }
      }
      return { sum, count };
    });
    return mser5Truncation(series) * intervalNs;
  }
  return 0;
}
