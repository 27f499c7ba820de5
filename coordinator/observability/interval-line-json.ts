/**
 * One interval's line of intervals.jsonl (format: intervals-file.ts), written as text straight from the record:
 * the same bytes JSON.stringify gives for the line object (`IntervalLine`), without making that object, which on
 * a large scenario is tens of thousands of small objects per interval (one per link direction, energy entry and
 * counter), each made, printed and dropped. Numbers print as JSON prints them (-0 as 0, NaN and infinities as
 * null), strings through JSON.stringify, and keys in the object's order, so a reader parsing the line gets the
 * record back as before (`recordOfLine`).
 */
import type { IntervalRecord } from "../counts/aggregate.ts";
import { CompactNested, type NestedValues } from "../counts/compact-nested.ts";
import { sortedKeys } from "../counts/sorted-keys.ts";
import type { RunView } from "./run-view.ts";

/** A number as JSON.stringify prints it (the shortest round-trip form; -0 as 0; not finite: null). */
const num = (v: number): string => (Number.isFinite(v) ? `${v}` : "null");
const str = (s: string): string => JSON.stringify(s);
const textOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The interval's line without its newline (`simTimeNs`: where the run ended, which ends the last interval). */
export function intervalLineJson(view: RunView, interval: IntervalRecord, simTimeNs: number): string {
  const startNs = interval.index * view.intervalNs;
  const endNs = Math.min(startNs + view.intervalNs, simTimeNs);
  return (
    `{"index":${num(interval.index)},"start_ns":${num(startNs)},"end_ns":${num(endNs)},` +
    `"events":${num(interval.events)},"metrics":${metricsJson(interval)},"links":${linksJson(interval)},` +
    `"species_hops":${pairsJson(interval.speciesHops)},"drops":${dropsJson(interval.drops)},` +
    `"energy":${nestedJson(interval.energy, '{"actor":', ',"component":', ',"joules":')},` +
    `"counters":${nestedJson(interval.counters, '{"actor":', ',"name":', ',"value":')}}`
  );
}

/** Metrics with a count, by name then group (their key), each histogram's buckets by index. */
function metricsJson(interval: IntervalRecord): string {
  const keys = [...interval.metrics.keys()].sort(textOrder);
  const out: string[] = [];
  for (const key of keys) {
    const m = interval.metrics.get(key)!;
    if (!(m.count > 0)) continue;
    out.push(
      `{"name":${str(m.name)},"group":${str(m.group)},"count":${num(m.count)},"sum":${num(m.sum)},` +
        `"min":${num(m.min)},"max":${num(m.max)},"buckets":${pairsJson(m.histogram.counts)}}`,
    );
  }
  return `[${out.join(",")}]`;
}

function linksJson(interval: IntervalRecord): string {
  let s = "";
  for (const key of sortedKeys(interval.links)) {
    const t = interval.links.get(key)!;
    s += `${s === "" ? "" : ","}{"link":${num(key >> 1)},"reverse":${(key & 1) === 1},"packets":${num(t.packets)},"bytes":${num(t.bytes)},"lost":${num(t.lost)}}`;
  }
  return `[${s}]`;
}

/** [[key, value], ...] by ascending key. */
function pairsJson(map: ReadonlyMap<number, number>): string {
  let s = "";
  for (const key of sortedKeys(map)) s += `${s === "" ? "" : ","}[${num(key)},${num(map.get(key)!)}]`;
  return `[${s}]`;
}

/**
 * The drops as the object Object.fromEntries makes of them sorted by reason: a reason that is an array index
 * ("7") comes first, in numeric order, as a JavaScript object orders such keys.
 */
function dropsJson(drops: ReadonlyMap<string, number>): string {
  const reasons = [...drops.keys()].sort(textOrder);
  const indices = reasons.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  const ordered = indices.length === 0 ? reasons : [...indices, ...reasons.filter((r) => !isArrayIndex(r))];
  return `{${ordered.map((r) => `${str(r)}:${num(drops.get(r)!)}`).join(",")}}`;
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * Per-actor values as rows `{<actor>N<name>"text"<value>V}`, by ascending actor and each actor's names in text
 * order, read from the columns: the names are ranked once, and an actor's few entries sorted by rank in place.
 */
function nestedJson(values: NestedValues, actorKey: string, nameKey: string, valueKey: string): string {
  const columns = CompactNested.of(values);
  const names = columns.nameList();
  const quoted = names.map(str);
  const rank = new Uint32Array(names.length);
  [...names.keys()].sort((a, b) => textOrder(names[a]!, names[b]!)).forEach((n, r) => (rank[n] = r));
  let entries = new Uint32Array(16);
  let s = "";
  for (const group of columns.sortedGroups()) {
    const first = columns.firstEntry(group);
    const count = columns.endEntry(group) - first;
    if (count > entries.length) entries = new Uint32Array(2 * count);
    // Insertion sort by name rank: an actor has a handful of entries, often in order already.
    for (let i = 0; i < count; i++) {
      const e = first + i;
      const r = rank[columns.nameNumber(e)]!;
      let j = i;
      for (; j > 0 && rank[columns.nameNumber(entries[j - 1]!)]! > r; j--) entries[j] = entries[j - 1]!;
      entries[j] = e;
    }
    const actor = `${actorKey}${num(columns.actorOf(group))}${nameKey}`;
    for (let i = 0; i < count; i++) {
      const e = entries[i]!;
      s += `${s === "" ? "" : ","}${actor}${quoted[columns.nameNumber(e)]}${valueKey}${num(columns.amount(e))}}`;
    }
  }
  return `[${s}]`;
}
