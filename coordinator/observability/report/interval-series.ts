/**
 * intervals.jsonl reduced, a record at a time, to the per-interval series the report plots: joules per rack (or
 * group), servers in each state, the inlet temperature each CRAC read. Only these series stay in memory, so the
 * report of a long or large run fits where its records would not (leaf-spine-4k, 1 s: 500 records of 4,168 actors
 * held 2.3 GB).
 */
import { stateSeconds } from "../../counts/levels.ts";
import type { IntervalRecord } from "../../counts/aggregate.ts";
import { kindTraits } from "../../../nodes/models/registry.ts";
import { openIntervalsFile } from "../intervals-file.ts";
import type { RunView } from "../run-view.ts";

export interface IntervalSeries {
  view: RunView;
  /** Each record's end (s): the interval's, or where the run stopped for the last one. */
  ends: number[];
  /** Joules per record by rack, or by actor group when the actors carry fewer than two rack labels. */
  energy: { by: "rack" | "group"; joules: Map<string, number[]>; seconds: number[] };
  /** How many actors are servers (of a kind with server series). */
  servers: number;
  /** Servers in each state per record, averaged over the record (a server half of it throttled counts 0.5). */
  serverStates: Map<string, number[]>;
  /** The inlet temperature (°C) each CRAC read per record; null where it took no reading. */
  cracInlets: { actor: number; values: (number | null)[] }[];
}

/** One pass over `path` (an intervals.jsonl file); `runId` labels the view. */
export function readIntervalSeries(path: string, runId: string): IntervalSeries {
  const file = openIntervalsFile(path, runId);
  const reducer = new SeriesReducer(file.view, file.simTimeNs);
  file.forEachRecord((record) => reducer.add(record), { links: false, metrics: false });
  return reducer.finish();
}

class SeriesReducer {
  private readonly ends: number[] = [];
  private readonly joules = new Map<string, number[]>();
  private readonly energySeconds: number[] = [];
  private readonly serverStates = new Map<string, number[]>();
  private readonly servers: number[];
  private readonly cracs: number[];
  private readonly inlets: (number | null)[][];
  private readonly by: "rack" | "group";
  private readonly entityOf: (actor: number) => string;

  private readonly view: RunView;
  private readonly simTimeNs: number;

  constructor(view: RunView, simTimeNs: number) {
    this.view = view;
    this.simTimeNs = simTimeNs;
    const actors = view.actors;
    this.servers = actors.flatMap((a, i) => (kindTraits(a.kind).serverSeries === true ? [i] : []));
    this.cracs = actors.flatMap((a, i) => (kindTraits(a.kind).coolsZone !== undefined ? [i] : []));
    this.inlets = this.cracs.map(() => []);
    this.by = new Set(actors.map((a) => a.labels.rack).filter((r) => r !== undefined)).size > 1 ? "rack" : "group";
    this.entityOf = (actor) =>
      this.by === "rack" ? (actors[actor]?.labels.rack ?? "(no rack)") : (actors[actor]?.group ?? "?");
  }

  add(record: IntervalRecord): void {
    const k = this.ends.length;
    const startNs = record.index * this.view.intervalNs;
    const endNs = Math.min((record.index + 1) * this.view.intervalNs, this.simTimeNs);
    const end = endNs / 1e9;
    this.ends.push(end);
    this.addEnergy(record, k, (endNs - startNs) / 1e9);
    const seconds = end - startNs / 1e9;
    for (const i of this.servers) {
      for (const [state, s] of stateSeconds(record.counters.get(i))) {
        const values = seriesAt(this.serverStates, state, k);
        if (seconds > 0) values[k]! += s / seconds;
      }
    }
    this.cracs.forEach((actor, c) => {
      const counters = record.counters.get(actor);
      const n = counters?.get("inlet_samples") ?? 0;
      this.inlets[c]!.push(n > 0 ? (counters!.get("inlet_mk")! / n - 273_150) / 1000 : null);
    });
  }

  private addEnergy(record: IntervalRecord, k: number, seconds: number): void {
    this.energySeconds.push(Math.max(seconds, 0));
    if (seconds <= 0) return;
    for (const [actor, components] of record.energy) {
      const values = seriesAt(this.joules, this.entityOf(actor), k);
      for (const j of components.values()) values[k] = values[k]! + j;
    }
  }

  finish(): IntervalSeries {
    const n = this.ends.length;
    for (const series of [this.joules, this.serverStates]) for (const values of series.values()) pad(values, n);
    return {
      view: this.view,
      ends: this.ends,
      energy: { by: this.by, joules: this.joules, seconds: this.energySeconds },
      servers: this.servers.length,
      serverStates: this.serverStates,
      cracInlets: this.cracs.map((actor, c) => ({ actor, values: this.inlets[c]! })),
    };
  }
}

/** The series `key` of `series`, created (zeros for the records before) and reaching record k. */
function seriesAt(series: Map<string, number[]>, key: string, k: number): number[] {
  let values = series.get(key);
  if (values === undefined) series.set(key, (values = []));
  pad(values, k + 1);
  return values;
}

function pad(values: number[], length: number): void {
  while (values.length < length) values.push(0);
}
