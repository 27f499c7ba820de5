/**
 * Folds every host's reports into run totals and per-interval records. Window reports carry what the
 * synchronisation needs (events, conservation counters); interval reports carry what actors did, in columns, and
 * the records take the columns as they come (no object per entry). Integer quantities are summed exactly;
 * per-actor energies are kept per actor and summed in actor order when read, so the result is the same however
 * the actors were sharded.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import { newAccumulator, type MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import { CompactNested, type NestedValues } from "./compact-nested.ts";
import { addTransitions, newTransitionColumns, type TransitionColumns } from "./transitions.ts";

export type { TransitionTotals } from "./transitions.ts";

export interface LinkDirectionTotals {
  packets: number;
  bytes: number;
  lost: number;
}

/** What happened in one metrics interval. */
export interface IntervalRecord {
  index: number;
  events: number;
  metrics: Map<string, MetricAccumulator>;
  /** Key: link index * 2 + (reverse ? 1 : 0); all species together. */
  links: Map<number, LinkDirectionTotals>;
  /** Packets that crossed, by species. Key: (link index * 2 + reverse) * SPECIES_SLOTS + species. */
  speciesHops: Map<number, number>;
  drops: Map<string, number>;
  /** actor index -> component -> joules (columns in the aggregator's records, CompactNested). */
  energy: NestedValues;
  /** As reported, host by host (a transition reported twice is two entries: read through transitionTotals). */
  transitions: TransitionColumns;
  /** actor index -> counter name -> value (e.g. bits_erased; columns in the aggregator's records). */
  counters: NestedValues;
  /** Steps of sampled packet journeys (tracing on), host by host. */
  traceEvents: dctwin.v1.TraceEvent.$Properties[];
}

/** A record built by hand (tests, a file read back): its per-actor values are Maps. */
export interface OpenIntervalRecord extends IntervalRecord {
  energy: Map<number, Map<string, number>>;
  counters: Map<number, Map<string, number>>;
}

/** A record of the aggregator: its per-actor values are columns, filled from the reports' columns. */
interface ColumnRecord extends IntervalRecord {
  energy: CompactNested;
  counters: CompactNested;
}

/** Species numbers (proto enum Species) are below this. */
export const SPECIES_SLOTS = 8;

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
  /**
   * Called with each interval once every host has reported it (in interval order), and where it ends: its
   * boundary, or for the last one where the run stopped.
   */
  onIntervalClosed: ((record: IntervalRecord, endNs: number) => void) | undefined;
  /**
   * How many of the latest closed records to keep once `onIntervalClosed` has handed them on (the boundary relays
   * read interval j−2 at boundary j: driver/cooling.ts); undefined: keep every record (a caller reads them after the
   * run). The results take each record as it closes (results/interval-stream.ts), so none is kept for them.
   */
  keepClosed: number | undefined = undefined;
  /** Records below this interval were let go: a report for one is an error. */
  releasedBelow = 0;

  constructor(intervalNs: number) {
    this.intervalNs = intervalNs;
  }

  /** Adds one window (or the final call, `isWindow` false); `done` holds every host's report for it. */
  addWindow(done: readonly dctwin.v1.WindowReport[], isWindow = true): void {
    if (isWindow) this.windows++;
    const closed = new Set<number>();
    let windowEndNs = 0;
    for (const d of [...done].sort((a, b) => a.host - b.host)) {
      windowEndNs = Math.max(windowEndNs, Number(d.endNs ?? 0));
      this.events += Number(d.events);
      this.addedDelayNs += Number(d.addedDelayNs);
      for (const report of d.intervals) {
        this.addInterval(report);
        closed.add(Number(report.interval));
      }
    }
    for (const index of [...closed].sort((a, b) => a - b)) {
      const boundaryNs = (index + 1) * this.intervalNs;
      const endNs = windowEndNs > index * this.intervalNs ? Math.min(boundaryNs, windowEndNs) : boundaryNs;
      const record = this.intervals.get(index) as ColumnRecord;
      record.energy.seal();
      record.counters.seal();
      this.onIntervalClosed?.(record, endNs);
      if (this.keepClosed !== undefined) this.releaseBelow(index + 1 - this.keepClosed);
    }
  }

  /** Lets the records of intervals below `index` go (they closed and were taken). */
  private releaseBelow(index: number): void {
    if (index <= this.releasedBelow) return;
    for (const key of this.intervals.keys()) if (key < index) this.intervals.delete(key);
    this.releasedBelow = index;
  }

  /** Intervals from 0 up to the one containing `endNs` (exclusive end), including empty ones. */
  intervalList(endNs: number): IntervalRecord[] {
    const last = Math.ceil(endNs / this.intervalNs);
    const out: IntervalRecord[] = [];
    for (let k = 0; k < last; k++) out.push(this.intervals.get(k) ?? emptyInterval(k));
    return out;
  }

  /** Joules per actor and component over the whole run, summed interval by interval in a fixed order. */
  energyByActor(): Map<number, Map<string, number>> {
    const total = new Map<number, Map<string, number>>();
    for (const interval of [...this.intervals.values()].sort((a, b) => a.index - b.index)) {
      for (const [actor, components] of interval.energy) addNested(total, actor, components);
    }
    return total;
  }

  /** Per-actor counters (e.g. bits_erased) over the whole run. */
  countersByActor(): Map<number, Map<string, number>> {
    const total = new Map<number, Map<string, number>>();
    for (const interval of this.intervals.values())
      for (const [actor, counters] of interval.counters) addNested(total, actor, counters);
    return total;
  }

  private addInterval(report: dctwin.v1.IntervalReport.$Properties): void {
    const interval = this.interval(Number(report.interval ?? 0));
    interval.events += Number(report.events ?? 0);
    for (const m of report.metrics ?? []) {
      mergeDelta(metricSlot(this.metrics, m.name ?? "", m.group ?? ""), m);
      mergeDelta(metricSlot(interval.metrics, m.name ?? "", m.group ?? ""), m);
    }
    this.addLinks(interval, report);
    for (const drop of report.drops ?? []) {
      const reason = drop.reason ?? "unknown";
      const n = Number(drop.packets ?? 0);
      this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
      interval.drops.set(reason, (interval.drops.get(reason) ?? 0) + n);
    }
    const energyActor = report.energyActor ?? [];
    if (energyActor.length > 0)
      interval.energy.add(
        energyActor,
        report.energyComponents ?? [],
        report.energyComponent ?? [],
        report.energyJoules ?? [],
      );
    addTransitions(interval.transitions, report);
    const counterActor = report.counterActor ?? [];
    if (counterActor.length > 0)
      interval.counters.add(
        counterActor,
        report.counterNames ?? [],
        report.counterName ?? [],
        report.counterValue ?? [],
      );
    const trace = report.traceEvents ?? [];
    for (const t of trace) interval.traceEvents.push(t);
  }

  /** The report's link columns into the run's and the interval's link totals and the interval's species hops. */
  private addLinks(interval: IntervalRecord, report: dctwin.v1.IntervalReport.$Properties): void {
    const direction = report.linkDirection ?? [];
    const species = report.linkSpecies ?? [];
    const packets = report.linkPackets ?? [];
    const bytes = report.linkBytes ?? [];
    const lost = report.linkDropped ?? [];
    for (let i = 0; i < direction.length; i++) {
      const key = direction[i]!;
      const p = Number(packets[i] ?? 0);
      const b = Number(bytes[i] ?? 0);
      const l = Number(lost[i] ?? 0);
      this.hops += p;
      addLink(this.links, key, p, b, l);
      addLink(interval.links, key, p, b, l);
      const speciesKey = key * SPECIES_SLOTS + (species[i] ?? 0);
      if (p > 0) interval.speciesHops.set(speciesKey, (interval.speciesHops.get(speciesKey) ?? 0) + p);
    }
  }

  /** The record of an interval, open for adding (one closed already takes a later report too). */
  private interval(index: number): ColumnRecord {
    let record = this.intervals.get(index);
    if (record === undefined) {
      if (index < this.releasedBelow)
        throw new Error(
          `a report of interval ${index}, which closed and was let go (intervals below ${this.releasedBelow})`,
        );
      record = { ...emptyInterval(index), energy: new CompactNested(), counters: new CompactNested() };
      this.intervals.set(index, record);
    }
    return record as ColumnRecord;
  }
}

/** A record with nothing counted yet (exported for tests that build records by hand). */
export function emptyInterval(index: number): OpenIntervalRecord {
  return {
    index,
    events: 0,
    metrics: new Map(),
    links: new Map(),
    speciesHops: new Map(),
    drops: new Map(),
    energy: new Map(),
    transitions: newTransitionColumns(),
    counters: new Map(),
    traceEvents: [],
  };
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

/** Adds a host's delta straight into an accumulator (no intermediate histogram). */
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

function addLink(
  map: Map<number, LinkDirectionTotals>,
  key: number,
  packets: number,
  bytes: number,
  lost: number,
): void {
  const t = map.get(key);
  if (t === undefined) map.set(key, { packets, bytes, lost });
  else {
    t.packets += packets;
    t.bytes += bytes;
    t.lost += lost;
  }
}

function addNested(map: Map<number, Map<string, number>>, actor: number, values: ReadonlyMap<string, number>): void {
  let inner = map.get(actor);
  if (inner === undefined) {
    inner = new Map();
    map.set(actor, inner);
  }
  for (const [k, v] of values) inner.set(k, (inner.get(k) ?? 0) + v);
}
