/**
 * Per-window metric accumulation on a host. Models call `record(name, value)` through their context; values are
 * rounded to integers (nanoseconds, bytes) so that sums merged across hosts are exact and results do not depend
 * on the sharding.
 */
import { Histogram } from "./histogram.ts";

export interface MetricAccumulator {
  name: string;
  group: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  histogram: Histogram;
}

export function newAccumulator(name: string, group: string): MetricAccumulator {
  return {
    name,
    group,
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    histogram: new Histogram(),
  };
}

/** `weight` observations of `value` (leap mode records one sampled value for a packet's multiplicity). */
export function observe(acc: MetricAccumulator, value: number, weight = 1): void {
  const v = Math.round(value);
  acc.count += weight;
  acc.sum += v * weight;
  if (v < acc.min) acc.min = v;
  if (v > acc.max) acc.max = v;
  acc.histogram.add(v, weight);
}

/** Accumulators keyed by (metric name, actor group), drained once per interval. Two-level maps: no string
 * building on this hot path (every recorded observation). */
export class WindowMetrics {
  private readonly byName = new Map<string, Map<string, MetricAccumulator>>();

  record(name: string, group: string, value: number, weight = 1): void {
    let groups = this.byName.get(name);
    if (groups === undefined) {
      groups = new Map();
      this.byName.set(name, groups);
    }
    let acc = groups.get(group);
    if (acc === undefined) {
      acc = newAccumulator(name, group);
      groups.set(group, acc);
    }
    observe(acc, value, weight);
  }

  /** Returns the accumulators, sorted by (name, group), and starts afresh. */
  drain(): MetricAccumulator[] {
    const all: MetricAccumulator[] = [];
    for (const groups of this.byName.values()) all.push(...groups.values());
    this.byName.clear();
    return all.sort((a, b) => (a.name === b.name ? cmp(a.group, b.group) : cmp(a.name, b.name)));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
