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

/** The error comes from at most this many batches of contiguous intervals (batch means want few, long batches). */
const MAX_BATCHES = 10;
const OPTIONS = INTERVAL_SIGMA_OPTIONS;

export interface SigmaSeries {
  scope: "actor" | "group";
  labels: Labels;
  sigmaKbPerS: number;
  /** Jackknife standard error; NaN with fewer than two intervals. */
  stderrKbPerS: number;
}

export class LinkSigma {
  private readonly keysByLink = new Map<string, { scope: SigmaSeries["scope"]; key: string; labels: Labels }[]>();
  private readonly intervals: { seconds: number; counts: Map<string, TransitionCount[]> }[] = [];
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
    this.intervals.push({ seconds, counts });
    this.series = [...this.labels]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([key, { scope, labels }]) => {
        const estimate = this.estimate(key);
        return estimate === null ? [] : [{ scope, labels, ...estimate }];
      });
  }

  /** σ of one key's pooled counts and its jackknife error over contiguous batches of intervals; null without a two-way pair. */
  private estimate(key: string): { sigmaKbPerS: number; stderrKbPerS: number } | null {
    const n = this.intervals.length;
    const b = Math.min(n, MAX_BATCHES);
    const batches = Array.from({ length: b }, () => ({ durationS: 0, counts: [] as TransitionCount[] }));
    this.intervals.forEach((interval, i) => {
      const batch = batches[Math.floor((i * b) / n)]!;
      batch.durationS += interval.seconds;
      batch.counts.push(...(interval.counts.get(key) ?? []));
    });
    if (n < 2) {
      // One interval: the point estimate, no error yet.
      const e = estimateSigma(batches[0]!.counts, batches[0]!.durationS, OPTIONS);
      return e.edges.length === 0 ? null : { sigmaKbPerS: e.sigmaKbPerS, stderrKbPerS: Number.NaN };
    }
    const r = estimateSigmaWithErrors(batches, OPTIONS);
    return r.estimate.edges.length === 0
      ? null
      : { sigmaKbPerS: r.estimate.sigmaKbPerS, stderrKbPerS: r.jackknife.stderrKbPerS };
  }
}
