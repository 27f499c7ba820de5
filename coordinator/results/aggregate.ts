/**
 * Folds every host's WindowDone into run totals and per-interval series. Hosts are folded in host order and
 * every quantity is an integer sum, so the result is the same however the actors were sharded.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import { newAccumulator, type MetricAccumulator } from "../../nodes/runtime/metrics.ts";

export interface LinkDirectionTotals {
  packets: number;
  bytes: number;
  lost: number;
}

/** What happened in one metrics interval. */
export interface IntervalRecord {
  index: number;
  events: number;
  windows: number;
  metrics: Map<string, MetricAccumulator>;
  /** Key: link index * 2 + (reverse ? 1 : 0). */
  links: Map<number, LinkDirectionTotals>;
  drops: Map<string, number>;
}

export class RunAggregator {
  readonly intervalNs: number;
  windows = 0;
  events = 0;
  addedDelayNs = 0;
  hops = 0;
  readonly metrics = new Map<string, MetricAccumulator>();
  readonly links = new Map<number, LinkDirectionTotals>();
  readonly drops = new Map<string, number>();
  readonly intervals = new Map<number, IntervalRecord>();

  constructor(intervalNs: number) {
    this.intervalNs = intervalNs;
  }

  /** Adds one window; `done` must hold every host's report for it. */
  addWindow(startNs: number, done: readonly dctwin.v1.WindowDone[]): void {
    const interval = this.interval(Math.floor(startNs / this.intervalNs));
    this.windows++;
    interval.windows++;
    for (const d of [...done].sort((a, b) => a.host - b.host)) {
      const events = Number(d.events);
      this.events += events;
      interval.events += events;
      this.addedDelayNs += Number(d.addedDelayNs);
      for (const m of d.metrics) {
        mergeDelta(metricSlot(this.metrics, m.name ?? "", m.group ?? ""), m);
        mergeDelta(metricSlot(interval.metrics, m.name ?? "", m.group ?? ""), m);
      }
      for (const l of d.links) {
        const key = (l.link ?? 0) * 2 + (l.reverse ? 1 : 0);
        const add = { packets: Number(l.packets ?? 0), bytes: Number(l.bytes ?? 0), lost: Number(l.dropped ?? 0) };
        this.hops += add.packets;
        addLink(this.links, key, add);
        addLink(interval.links, key, add);
      }
      for (const drop of d.drops) {
        const reason = drop.reason ?? "unknown";
        const n = Number(drop.packets ?? 0);
        this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
        interval.drops.set(reason, (interval.drops.get(reason) ?? 0) + n);
      }
    }
  }

  /** Intervals from 0 up to the one containing `endNs` (exclusive end), including empty ones. */
  intervalList(endNs: number): IntervalRecord[] {
    const last = Math.ceil(endNs / this.intervalNs);
    const out: IntervalRecord[] = [];
    for (let k = 0; k < last; k++) out.push(this.intervals.get(k) ?? emptyInterval(k));
    return out;
  }

  private interval(index: number): IntervalRecord {
    let record = this.intervals.get(index);
    if (record === undefined) {
      record = emptyInterval(index);
      this.intervals.set(index, record);
    }
    return record;
  }
}

function emptyInterval(index: number): IntervalRecord {
  return { index, events: 0, windows: 0, metrics: new Map(), links: new Map(), drops: new Map() };
}

export function metricKey(name: string, group: string): string {
  return `${name}\u0000${group}`;
}

function metricSlot(map: Map<string, MetricAccumulator>, name: string, group: string): MetricAccumulator {
  const key = metricKey(name, group);
  let acc = map.get(key);
  if (acc === undefined) {
    acc = newAccumulator(name, group);
    map.set(key, acc);
  }
  return acc;
}

/** Adds a host's window delta straight into an accumulator (no intermediate histogram: this runs every window). */
function mergeDelta(into: MetricAccumulator, m: dctwin.v1.MetricDelta.$Properties): void {
  const count = Number(m.count ?? 0);
  if (count === 0) return;
  into.count += count;
  into.sum += Number(m.sum ?? 0);
  into.min = Math.min(into.min, Number(m.min ?? 0));
  into.max = Math.max(into.max, Number(m.max ?? 0));
  const index = m.bucketIndex ?? [];
  const counts = m.bucketCount ?? [];
  for (let i = 0; i < index.length; i++) into.histogram.addBucket(index[i]!, Number(counts[i] ?? 0));
}

function addLink(map: Map<number, LinkDirectionTotals>, key: number, add: LinkDirectionTotals): void {
  const t = map.get(key);
  if (t === undefined) map.set(key, { ...add });
  else {
    t.packets += add.packets;
    t.bytes += add.bytes;
    t.lost += add.lost;
  }
}
