/**
 * Packet entropy production σ per link (level actor) and per pair of joined groups (level group), from the hop
 * counts pooled over the closed metrics intervals, with a jackknife standard error over batches of intervals
 * (thermo/error-bars.ts): what the Currents dashboard draws as error bands. As for the run's σ, only
 * species-resolved hops seen both ways count (a one-way current has no finite σ): a link without any has no series.
 */
import { parseMechanism } from "../ledgers/mechanisms.ts";
import { INTERVAL_SIGMA_OPTIONS, type LedgerSnapshot } from "../ledgers/snapshot.ts";
import { estimateSigma, estimateSigmaWithErrors, type TransitionCount } from "../thermo/index.ts";
import type { AggregationLevel, Labels } from "./levels.ts";
import type { RunView } from "./run-view.ts";

/**
 * The error comes from at most this many batches of contiguous intervals (batch means want few, long batches).
 * Batches double in length as the run grows: when this many are full, neighbours merge in pairs. So a key holds at
 * most MAX_BATCHES + 1 batches of pooled counts, and each interval costs the same however long the run is (the
 * batches were once re-cut from every interval's counts at each interval: quadratic in the run's length).
 */
const MAX_BATCHES = 10;
const OPTIONS = INTERVAL_SIGMA_OPTIONS;

/** A batch: contiguous intervals, how long they lasted. */
interface BatchSpan {
  durationS: number;
  intervals: number;
}

/** Counts pooled by transition (from, to, mechanism) over a batch's intervals. */
type PooledCounts = Map<string, TransitionCount>;

export interface SigmaSeries {
  scope: "actor" | "group";
  labels: Labels;
  sigmaKbPerS: number;
  /** Jackknife standard error; NaN with fewer than two intervals. */
  stderrKbPerS: number;
}

export class LinkSigma {
  private readonly keysByLink = new Map<string, { scope: SigmaSeries["scope"]; key: string; labels: Labels }[]>();
  /** The batches, the last still filling: the same spans for every key (every key sees every interval). */
  private readonly spans: BatchSpan[] = [];
  /** Per key: its pooled counts in each batch of `spans`. */
  private readonly counts = new Map<string, PooledCounts[]>();
  /** Intervals per full batch. */
  private batchIntervals = 1;
  private readonly labels = new Map<string, { scope: SigmaSeries["scope"]; labels: Labels }>();
  series: SigmaSeries[] = [];

  constructor(view: RunView, level: AggregationLevel) {
    if (level === "total") return;
    for (const link of view.links) {
      const [ga, gb] = [view.actors[link.a]!.group, view.actors[link.b]!.group].sort() as [string, string];
      const keys: { scope: SigmaSeries["scope"]; key: string; labels: Labels }[] = [
        { scope: "group", key: `g\u0000${ga}\u0000${gb}`, labels: { from: ga, to: gb } },
      ];
      if (level === "actor") keys.push({ scope: "actor", key: `l\u0000${link.id}`, labels: { link: link.id } });
      this.keysByLink.set(link.id, keys);
    }
  }

  /** How many batches of contiguous intervals the errors come from now (at most MAX_BATCHES). */
  get batchCount(): number {
    return this.spans.length;
  }

  /** `transitions`: the snapshot's counts, when the caller has them (a snapshot makes them on each read). */
  add(snapshot: LedgerSnapshot, seconds: number, transitions = snapshot.transitions): void {
    if (this.keysByLink.size === 0) return;
    const counts = new Map<string, TransitionCount[]>();
    for (const c of transitions) {
      const m = parseMechanism(c.mechanism ?? "");
      if (m.kind !== "hop") continue;
      for (const k of this.keysByLink.get(m.where) ?? []) {
        let list = counts.get(k.key);
        if (list === undefined) counts.set(k.key, (list = []));
        list.push(c);
        this.labels.set(k.key, { scope: k.scope, labels: k.labels });
      }
    }
    this.addInterval(counts, seconds);
    this.series = [...this.labels]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([key, { scope, labels }]) => {
        const estimate = this.estimate(key);
        return estimate === null ? [] : [{ scope, labels, ...estimate }];
      });
  }

  /** Adds one interval: to the filling batch, opening one if it is full; merges pairs when MAX_BATCHES are full. */
  private addInterval(counts: Map<string, TransitionCount[]>, seconds: number): void {
    let last = this.spans.at(-1);
    if (last === undefined || last.intervals === this.batchIntervals)
      this.spans.push((last = { durationS: 0, intervals: 0 }));
    last.durationS += seconds;
    last.intervals++;
    // A key seen first now has had nothing in the batches before.
    for (const key of counts.keys()) if (!this.counts.has(key)) this.counts.set(key, []);
    for (const [key, pooled] of this.counts) {
      while (pooled.length < this.spans.length) pooled.push(new Map());
      for (const c of counts.get(key) ?? []) pool(pooled.at(-1)!, c);
    }
    if (this.spans.length < MAX_BATCHES || last.intervals < this.batchIntervals) return;
    const spans = mergePairs(this.spans, (a, b) => ({
      durationS: a.durationS + b.durationS,
      intervals: a.intervals + b.intervals,
    }));
    this.spans.splice(0, this.spans.length, ...spans);
    for (const [key, pooled] of this.counts)
      this.counts.set(
        key,
        mergePairs(pooled, (a, b) => {
          for (const c of b.values()) pool(a, c);
          return a;
        }),
      );
    this.batchIntervals *= 2;
  }

  /** σ of one key's pooled counts and its jackknife error over its batches; null without a two-way pair. */
  private estimate(key: string): { sigmaKbPerS: number; stderrKbPerS: number } | null {
    const pooled = this.counts.get(key) ?? [];
    const batches = this.spans.map((span, i) => ({
      durationS: span.durationS,
      counts: [...(pooled[i]?.values() ?? [])],
    }));
    if (batches.length < 2) {
      // One interval: the point estimate, no error yet.
      const e = estimateSigma(batches[0]?.counts ?? [], batches[0]?.durationS ?? 0, OPTIONS);
      return e.edges.length === 0 ? null : { sigmaKbPerS: e.sigmaKbPerS, stderrKbPerS: Number.NaN };
    }
    const r = estimateSigmaWithErrors(batches, OPTIONS);
    return r.estimate.edges.length === 0
      ? null
      : { sigmaKbPerS: r.estimate.sigmaKbPerS, stderrKbPerS: r.jackknife.stderrKbPerS };
  }
}

function pool(into: PooledCounts, c: TransitionCount): void {
  const key = `${c.from}\u0000${c.to}\u0000${c.mechanism ?? ""}`;
  const pooled = into.get(key);
  if (pooled === undefined) into.set(key, { ...c });
  else pooled.count += c.count;
}

/** Neighbours merged in pairs, in order (an odd last one stays as it is). */
function mergePairs<T>(items: readonly T[], merge: (a: T, b: T) => T): T[] {
  const merged: T[] = [];
  for (let i = 0; i < items.length; i += 2)
    merged.push(i + 1 < items.length ? merge(items[i]!, items[i + 1]!) : items[i]!);
  return merged;
}
