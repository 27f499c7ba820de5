/**
 * Prometheus histogram buckets from the twin's sparse log-linear histograms (nodes/runtime/histogram.ts).
 * A twin bucket that straddles a Prometheus bound is split linearly (as the twin's own quantiles are), and the
 * cumulative counts are rounded to whole observations; the twin's buckets are at most 1/16 of their value wide.
 */
import { bucketBounds, type Histogram } from "../../../nodes/runtime/histogram.ts";

/** Upper bounds for durations, in seconds: 10 µs .. 60 s. */
export const SECONDS_BUCKETS = [
  1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Upper bounds for sizes, in bytes: 64 B .. 64 MiB, powers of 4. */
export const BYTES_BUCKETS = Array.from({ length: 11 }, (_, i) => 64 * 4 ** i);

/**
 * Cumulative counts of observations <= each bound. `scale` converts the histogram's integer values into the
 * bounds' unit (1e-9 for nanoseconds -> seconds).
 */
export function cumulativeCounts(histogram: Histogram, bounds: readonly number[], scale: number): number[] {
  const buckets = [...histogram.counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, n]) => ({ bounds: bucketBounds(i), n }));
  return bounds.map((bound) => {
    // Observations are integers in the histogram's unit: v <= bound  <=>  v <= floor(bound / scale).
    const limit = Math.floor(bound / scale + 1e-9);
    let below = 0;
    for (const {
      bounds: [lo, hi],
      n,
    } of buckets) {
      if (hi - 1 <= limit) below += n;
      else if (lo <= limit) below += (n * (limit - lo + 1)) / (hi - lo);
      else break;
    }
    return Math.round(below);
  });
}

/** Upper bounds for energies, in joules: 1 mJ .. 10 kJ. */
export const JOULES_BUCKETS = [1e-3, 1e-2, 0.1, 1, 10, 100, 1000, 1e4];

/** Upper bounds for small counts (batch sizes, records): 1 .. 1024, powers of 2. */
export const COUNT_BUCKETS = Array.from({ length: 11 }, (_, i) => 2 ** i);
