/**
 * Folds every host's reports into run totals and per-interval records. Window reports carry what the
 * synchronisation needs (events, conservation counters); interval reports carry what actors did. Integer
 * quantities are summed exactly; per-actor energies are kept per actor and summed in actor order when read, so
 * the result is the same however the actors were sharded.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import { newAccumulator, type MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import { CompactNested, type NestedValues } from "./compact-nested.ts";

export interface LinkDirectionTotals {
  packets: number;
  bytes: number;
  lost: number;
}

export interface TransitionTotals {
  actor: number;
  mechanism: string;
  fromState: number;
  toState: number;
  count: number;
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
  /** actor index -> component -> joules (compacted once the interval has closed). */
  energy: NestedValues;
  /** Keyed by actor, mechanism, from and to state (transitionKey); read by value. */
  transitions: Map<number | string, TransitionTotals>;
  /** actor index -> counter name -> value (e.g. bits_erased; compacted once the interval has closed). */
  counters: NestedValues;
  /** Steps of sampled packet journeys (tracing on), host by host. */
  traceEvents: dctwin.v1.TraceEvent.$Properties[];
}

/** A record still being added to: its per-actor values are Maps. */
export interface OpenIntervalRecord extends IntervalRecord {
  energy: Map<number, Map<string, number>>;
  counters: Map<number, Map<string, number>>;
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
      const record = this.intervals.get(index)!;
      this.onIntervalClosed?.(record, endNs); // its ledgers read it while its Maps are at hand
      compact(record);
    }
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
    for (const l of report.links ?? []) {
      const key = (l.link ?? 0) * 2 + (l.reverse ? 1 : 0);
      const add = { packets: Number(l.packets ?? 0), bytes: Number(l.bytes ?? 0), lost: Number(l.dropped ?? 0) };
      this.hops += add.packets;
      addLink(this.links, key, add);
      addLink(interval.links, key, add);
      const speciesKey = key * SPECIES_SLOTS + (l.species ?? 0);
      if (add.packets > 0)
        interval.speciesHops.set(speciesKey, (interval.speciesHops.get(speciesKey) ?? 0) + add.packets);
    }
    for (const drop of report.drops ?? []) {
      const reason = drop.reason ?? "unknown";
      const n = Number(drop.packets ?? 0);
      this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
      interval.drops.set(reason, (interval.drops.get(reason) ?? 0) + n);
    }
    for (const e of report.energy ?? [])
      addOne(interval.energy, e.actor ?? 0, intern(e.component ?? ""), e.joules ?? 0);
    for (const t of report.transitions ?? [])
      addTransition(interval.transitions, {
        actor: t.actor ?? 0,
        mechanism: intern(t.mechanism ?? ""),
        fromState: Number(t.fromState ?? 0),
        toState: Number(t.toState ?? 0),
        count: Number(t.count ?? 0),
      });
    const mechanisms = (report.transitionMechanisms ?? []).map(intern);
    const from = report.transitionFrom ?? [];
    const to = report.transitionTo ?? [];
    const count = report.transitionCount ?? [];
    const mechanismOf = report.transitionMechanism ?? [];
    for (const [i, actor] of (report.transitionActor ?? []).entries())
      addTransition(interval.transitions, {
        actor,
        mechanism: mechanisms[mechanismOf[i] ?? 0] ?? "",
        fromState: Number(from[i] ?? 0),
        toState: Number(to[i] ?? 0),
        count: Number(count[i] ?? 0),
      });
    for (const c of report.counters ?? [])
      addOne(interval.counters, c.actor ?? 0, intern(c.name ?? ""), Number(c.value ?? 0));
    const names = (report.counterNames ?? []).map(intern);
    const actors = report.counterActor ?? [];
    const nameOf = report.counterName ?? [];
    const values = report.counterValue ?? [];
    for (let i = 0; i < actors.length; i++)
      addOne(interval.counters, actors[i]!, names[nameOf[i] ?? 0] ?? "", Number(values[i] ?? 0));
    interval.traceEvents.push(...(report.traceEvents ?? []));
  }

  /** The record of an interval, open for adding (one compacted already is opened again). */
  private interval(index: number): OpenIntervalRecord {
    let record = this.intervals.get(index);
    if (record === undefined) {
      record = emptyInterval(index);
      this.intervals.set(index, record);
    }
    if (record.energy instanceof CompactNested) record.energy = record.energy.toMap();
    if (record.counters instanceof CompactNested) record.counters = record.counters.toMap();
    return record as OpenIntervalRecord;
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
    transitions: new Map(),
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

function addLink(map: Map<number, LinkDirectionTotals>, key: number, add: LinkDirectionTotals): void {
  const t = map.get(key);
  if (t === undefined) map.set(key, { ...add });
  else {
    t.packets += add.packets;
    t.bytes += add.bytes;
    t.lost += add.lost;
  }
}

/** A closed record's per-actor values as columns: records are kept for the whole run. */
function compact(record: IntervalRecord): void {
  if (!(record.energy instanceof CompactNested)) record.energy = new CompactNested(record.energy);
  if (!(record.counters instanceof CompactNested)) record.counters = new CompactNested(record.counters);
}

function addNested(map: Map<number, Map<string, number>>, actor: number, values: ReadonlyMap<string, number>): void {
  let inner = map.get(actor);
  if (inner === undefined) {
    inner = new Map();
    map.set(actor, inner);
  }
  for (const [k, v] of values) inner.set(k, (inner.get(k) ?? 0) + v);
}

/**
 * One string per counter or component name (a small vocabulary: runtime tallies, exchanges, model counters): a
 * decoded report holds its own copy of every name, and the records would keep one per actor per interval. Kept
 * out of the aggregator so its checkpointed fields do not change.
 */
const internedNames = new Map<string, string>();

function intern(name: string): string {
  const known = internedNames.get(name);
  if (known !== undefined) return known;
  internedNames.set(name, name);
  return name;
}

/** Adds a reported transition count to the interval's (the same actor, mechanism and states add up). */
function addTransition(transitions: Map<number | string, TransitionTotals>, t: TransitionTotals): void {
  const key = transitionKey(t);
  const existing = transitions.get(key);
  if (existing === undefined) transitions.set(key, t);
  else existing.count += t.count;
}

/** Mechanism names by a small number, for transitionKey (a run has a handful). */
const mechanismNumbers = new Map<string, number>();

/**
 * One number for a transition whose parts fit in 52 bits (actor below 2^21, one of the first 32 mechanisms, states
 * in [0, 8192)), else a string: a record keeps tens of thousands of keys per interval for the whole run, and a
 * string each was a third of what a record retains.
 */
function transitionKey(t: TransitionTotals): number | string {
  let m = mechanismNumbers.get(t.mechanism);
  if (m === undefined) {
    m = mechanismNumbers.size;
    mechanismNumbers.set(t.mechanism, m);
  }
  const { actor, fromState: from, toState: to } = t;
  const fits = Number.isInteger(actor) && actor >= 0 && actor < 2 ** 21 && m < 32 && isState(from) && isState(to);
  return fits ? ((actor * 32 + m) * 8192 + from) * 8192 + to : `${actor}|${t.mechanism}|${from}|${to}`;
}

function isState(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x < 8192;
}

/** Adds one value under (actor, name): addNested for a single entry, without a Map per reported value. */
function addOne(map: Map<number, Map<string, number>>, actor: number, name: string, value: number): void {
  let inner = map.get(actor);
  if (inner === undefined) {
    inner = new Map();
    map.set(actor, inner);
  }
  inner.set(name, (inner.get(name) ?? 0) + value);
}
