/**
 * intervals.jsonl: every metrics interval of a run as one JSON line, after a header line describing the run (its
 * actors and links), so a finished run can be replayed into the same series the live exporter serves (the
 * OpenMetrics export) or plotted in full (the report). Simulated results only, written in a fixed order:
 * byte-identical between runs of the same scenario and seed.
 *
 * Line 1: {"schema": "dctwin.intervals/v1", "scenario", "interval_ns", "duration_ns", "sim_time_ns",
 *          "actors": [{id, kind, group, labels}], "links": [{id, a, b}]}   (a, b: actor indices)
 * Then one line per interval, from 0 to the one holding the end of the run (empty ones included):
 *   {"index", "start_ns", "end_ns", "events", "metrics": [{name, group, count, sum, min, max, buckets: [[index, count]]}],
 *    "links": [{link, reverse, packets, bytes, lost}], "species_hops": [[(link * 2 + reverse) * 8 + species, packets]],
 *    "drops": {reason: packets},
 *    "energy": [{actor, component, joules}], "counters": [{actor, name, value}]}
 * Histogram bucket indices are those of nodes/runtime/histogram.ts; metric values are in the recorded unit (ns).
 * The lines are written by results/interval-line.ts.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { forEachLine } from "./file-lines.ts";
import { Histogram } from "../../nodes/runtime/histogram.ts";
import { newAccumulator } from "../../nodes/runtime/metrics.ts";
import { metricKey, type IntervalRecord, type OpenIntervalRecord } from "../counts/aggregate.ts";
import { newTransitionColumns } from "../counts/transitions.ts";
import type { RunView } from "./run-view.ts";

export const INTERVALS_SCHEMA = "dctwin.intervals/v1";
export const INTERVALS_FILE = "intervals.jsonl";

/** intervals.jsonl's first line: the run (`simTimeNs`: where it ended, so written last). */
export function intervalsHeaderLine(view: RunView, simTimeNs: number): string {
  const header: IntervalsHeader = {
    schema: INTERVALS_SCHEMA,
    scenario: view.scenario,
    interval_ns: view.intervalNs,
    duration_ns: view.durationNs,
    sim_time_ns: simTimeNs,
    actors: view.actors,
    links: view.links,
    ambient_temperature_k: view.ambientTemperatureK,
    distribution_loss: view.distributionLoss,
    carbon: view.carbon,
  };
  return `${JSON.stringify(header)}\n`;
}

/** The view a reader of the file gets from its header line (`runId`: from run-info.json). */
export function viewOfHeaderLine(headerLine: string, runId: string): RunView {
  return viewOfHeader(JSON.parse(headerLine) as IntervalsHeader, runId);
}

interface IntervalsHeader {
  schema?: string;
  scenario: string;
  interval_ns: number;
  duration_ns: number;
  sim_time_ns: number;
  actors: RunView["actors"];
  links: RunView["links"];
  ambient_temperature_k?: number;
  distribution_loss?: number;
  carbon?: RunView["carbon"];
}

export interface IntervalLine {
  index: number;
  start_ns: number;
  end_ns: number;
  events: number;
  metrics: {
    name: string;
    group: string;
    count: number;
    sum: number;
    min: number;
    max: number;
    buckets: [number, number][];
  }[];
  links: { link: number; reverse: boolean; packets: number; bytes: number; lost: number }[];
  /** Absent in files written before species were resolved. */
  species_hops?: [number, number][];
  drops: Record<string, number>;
  energy: { actor: number; component: string; joules: number }[];
  counters: { actor: number; name: string; value: number }[];
}

export interface IntervalsFile {
  view: RunView;
  simTimeNs: number;
  intervals: IntervalRecord[];
}

export class IntervalsFileError extends Error {
  override name = "IntervalsFileError";
}

/** An intervals.jsonl file: its header, and its records one at a time (the whole file need not fit in memory). */
export interface IntervalsFileReader {
  view: RunView;
  simTimeNs: number;
  /** Calls `visit` with each record in order (a pass over the file; call again for another). */
  forEachRecord(visit: (record: IntervalRecord) => void, parts?: RecordParts): void;
  /** The records in order, read as they are taken (for a reader that awaits between them). */
  records(parts?: RecordParts): AsyncGenerator<IntervalRecord>;
}

/**
 * Which of a record's per-link and per-metric parts to read (all by default). A large run's lines are mostly its
 * links (leaf-spine-4k: 9,216 directions per interval): a reader that needs only energy and counters (the report)
 * leaves them out and holds a long run's records in a fraction of the memory.
 */
export interface RecordParts {
  links?: boolean;
  metrics?: boolean;
}

/** `runId` (from run-info.json) labels the replayed series; the file itself holds simulated results only. */
export function openIntervalsFile(path: string, runId = ""): IntervalsFileReader {
  let first: string | undefined;
  try {
    forEachLine(path, (line) => {
      if (line.trim() === "") return undefined;
      first = line;
      return false;
    });
  } catch (error) {
    throw new IntervalsFileError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const header = JSON.parse(first ?? "{}") as IntervalsHeader;
  if (header.schema !== INTERVALS_SCHEMA)
    throw new IntervalsFileError(`${path}: not a ${INTERVALS_SCHEMA} file (schema ${JSON.stringify(header.schema)})`);
  return {
    view: viewOfHeader(header, runId),
    simTimeNs: header.sim_time_ns,
    async *records(parts) {
      let headerSeen = false;
      for await (const line of createInterface({
        input: createReadStream(path),
        crlfDelay: Number.POSITIVE_INFINITY,
      })) {
        if (line.trim() === "") continue;
        if (headerSeen) yield recordOfLine(JSON.parse(line) as IntervalLine, parts);
        headerSeen = true;
      }
    },
    forEachRecord(visit, parts) {
      let headerSeen = false;
      forEachLine(path, (line) => {
        if (line.trim() === "") return undefined;
        if (headerSeen) visit(recordOfLine(JSON.parse(line) as IntervalLine, parts));
        headerSeen = true;
        return undefined;
      });
    },
  };
}

/** The whole file in memory, of each record `parts` (the analyst tables go through it a record at a time instead). */
export function readIntervalsFile(path: string, runId = "", parts?: RecordParts): IntervalsFile {
  const file = openIntervalsFile(path, runId);
  const intervals: IntervalRecord[] = [];
  file.forEachRecord((record) => intervals.push(record), parts);
  return { view: file.view, simTimeNs: file.simTimeNs, intervals };
}

/** Files written before the heat and carbon fields existed had the defaults (300 K, no losses, no carbon). */
function viewOfHeader(header: IntervalsHeader, runId: string): RunView {
  return {
    runId,
    scenario: header.scenario,
    intervalNs: header.interval_ns,
    durationNs: header.duration_ns,
    actors: header.actors,
    links: header.links,
    ambientTemperatureK: header.ambient_temperature_k ?? 300,
    distributionLoss: header.distribution_loss ?? 0,
    carbon: header.carbon ?? null,
  };
}

/** The record a line of the file stands for (what `readIntervalsFile` reads), with its `parts`. */
export function recordOfLine(line: IntervalLine, parts: RecordParts = {}): IntervalRecord {
  const record: OpenIntervalRecord = {
    index: line.index,
    events: line.events,
    metrics: new Map(),
    links: new Map(),
    speciesHops: new Map(line.species_hops ?? []),
    drops: new Map(),
    energy: new Map(),
    transitions: newTransitionColumns(),
    counters: new Map(),
    traceEvents: [],
  };
  for (const m of parts.metrics === false ? [] : line.metrics) {
    const acc = newAccumulator(m.name, m.group);
    Object.assign(acc, { count: m.count, sum: m.sum, min: m.min, max: m.max, histogram: new Histogram() });
    for (const [i, n] of m.buckets) acc.histogram.addBucket(i, n);
    record.metrics.set(metricKey(m.name, m.group), acc);
  }
  for (const l of parts.links === false ? [] : line.links)
    record.links.set(l.link * 2 + (l.reverse ? 1 : 0), { packets: l.packets, bytes: l.bytes, lost: l.lost });
  for (const [reason, n] of Object.entries(line.drops)) record.drops.set(reason, n);
  for (const e of line.energy) {
    let components = record.energy.get(e.actor);
    if (components === undefined) record.energy.set(e.actor, (components = new Map()));
    components.set(e.component, (components.get(e.component) ?? 0) + e.joules);
  }
  for (const c of line.counters) {
    let counters = record.counters.get(c.actor);
    if (counters === undefined) record.counters.set(c.actor, (counters = new Map()));
    counters.set(c.name, (counters.get(c.name) ?? 0) + c.value);
  }
  return record;
}
