/**
 * Per-window metric accumulation on a host. Models call `record(name, value)` through their context; values are
 * rounded to integers (nanoseconds, bytes) so that sums merged across hosts are exact and results do not depend
 * on the sharding.
 */
import { bucketIndex, Histogram } from "./histogram.ts";
import { groupNames, metricNames, NAMES_TOKEN } from "./names.ts";

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

/**
 * One (metric name, actor group)'s observations since the last drain, recorded without a map update per value:
 * bucket counts in a dense array indexed by histogram bucket (buckets touched are flagged, so the drain builds
 * the same histogram, zero-weight buckets included). Slots live as long as the shard and are reset by the drain,
 * so a record after the first in a run allocates nothing.
 */
interface MetricSlot {
  name: string;
  group: string;
  /** Whether anything was recorded since the last drain. */
  used: boolean;
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: Float64Array;
  touched: Uint8Array;
  /** The range of touched buckets (empty when low > high). */
  low: number;
  high: number;
  /** Buckets beyond the dense range (values of 2^59 and above). */
  overflow: Histogram;
}

/** Dense buckets cover every value below 2^59 (bucket index < (59 − 4 + 1) · 16). */
const DENSE_BUCKETS = 896;

function newSlot(name: string, group: string): MetricSlot {
  return {
    name,
    group,
    used: false,
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    buckets: new Float64Array(DENSE_BUCKETS),
    touched: new Uint8Array(DENSE_BUCKETS),
    low: DENSE_BUCKETS,
    high: -1,
    overflow: new Histogram(),
  };
}

/**
 * Accumulators keyed by (metric, actor group), drained once per interval. Slots are found by the dense ids of
 * the metric and the group (names.ts), no string compared per observation; see MetricSlot for the dense buckets.
 */
export class WindowMetrics {
  /** metric id -> group id -> slot, made on first use; an index of `all` by the ids of NAMES_TOKEN's tables. */
  private slots: (MetricSlot | undefined)[][] = [];
  private readonly all: MetricSlot[] = [];
  private token = NAMES_TOKEN;
  /** Slots recorded into since the last drain. */
  private used: MetricSlot[] = [];

  record(name: string, group: string, value: number, weight = 1): void {
    this.recordId(metricNames.id(name), groupNames.id(group), value, weight);
  }

  /** As `record`, by the ids of the metric and the group (names.ts). */
  recordId(metric: number, group: number, value: number, weight = 1): void {
    if (this.token !== NAMES_TOKEN) this.reindex();
    const slot = this.slots[metric]?.[group] ?? this.slot(metric, group);
    if (!slot.used) {
      slot.used = true;
      this.used.push(slot);
    }
    // As `observe` does, into the dense buckets.
    const v = Math.round(value);
    slot.count += weight;
    slot.sum += v * weight;
    if (v < slot.min) slot.min = v;
    if (v > slot.max) slot.max = v;
    const b = bucketIndex(v);
    if (b >= DENSE_BUCKETS) {
      slot.overflow.addBucket(b, weight);
      return;
    }
    slot.buckets[b]! += weight;
    slot.touched[b] = 1;
    if (b < slot.low) slot.low = b;
    if (b > slot.high) slot.high = b;
  }

  /** The slot of (metric, group), made on first use (arrays filled, so they stay dense). */
  private slot(metric: number, group: number): MetricSlot {
    const slot = newSlot(metricNames.name(metric), groupNames.name(group));
    this.all.push(slot);
    this.place(slot, metric, group);
    return slot;
  }

  private place(slot: MetricSlot, metric: number, group: number): void {
    while (this.slots.length <= metric) this.slots.push([]);
    const groups = this.slots[metric]!;
    while (groups.length <= group) groups.push(undefined);
    groups[group] = slot;
  }

  /** Indexes the slots by this process's ids (restored from another process's checkpoint). */
  private reindex(): void {
    this.slots = [];
    for (const slot of this.all) this.place(slot, metricNames.id(slot.name), groupNames.id(slot.group));
    this.token = NAMES_TOKEN;
  }

  /** Returns the accumulators, sorted by (name, group), and starts afresh. */
  drain(): MetricAccumulator[] {
    const all = this.used.map(drainSlot);
    this.used.length = 0; // emptied in place, not replaced: a field written again after V8 compiled code that reads it throws that code away (the hot path's, at every first interval close)
    return all.sort((a, b) => (a.name === b.name ? cmp(a.group, b.group) : cmp(a.name, b.name)));
  }
}

/** The slot's observations as an accumulator (buckets in index order); resets the slot. */
function drainSlot(slot: MetricSlot): MetricAccumulator {
  const acc = newAccumulator(slot.name, slot.group);
  acc.count = slot.count;
  acc.sum = slot.sum;
  acc.min = slot.min;
  acc.max = slot.max;
  for (let b = slot.low; b <= slot.high; b++) {
    if (slot.touched[b] === 0) continue;
    acc.histogram.addBucket(b, slot.buckets[b]!);
    slot.buckets[b] = 0;
    slot.touched[b] = 0;
  }
  acc.histogram.merge(slot.overflow);
  slot.overflow.counts.clear();
  slot.used = false;
  slot.count = 0;
  slot.sum = 0;
  slot.min = Number.POSITIVE_INFINITY;
  slot.max = Number.NEGATIVE_INFINITY;
  slot.low = DENSE_BUCKETS;
  slot.high = -1;
  return acc;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
