/**
 * One interval's line of intervals.jsonl (format: observability/intervals-file.ts), written as bytes straight from
 * the record: the same bytes as JSON.stringify of the line object (`IntervalLine`) and its newline, without making
 * that object, which on a large scenario is tens of thousands of small objects per interval (one per link
 * direction, energy entry and counter), each made, printed and dropped. Numbers print as JSON prints them (-0 as
 * 0, NaN and infinities as null), strings through JSON.stringify, keys in the object's order, so a reader parsing
 * the line gets the record back as before (`recordOfLine`).
 */
import type { IntervalRecord } from "../counts/aggregate.ts";
import { CompactNested, type NestedValues } from "../counts/compact-nested.ts";
import { sortedKeys } from "../counts/sorted-keys.ts";
import type { HopColumns } from "../ledgers/mechanisms.ts";
import type { RunView } from "../observability/run-view.ts";
import { TextBuffer } from "./text-buffer.ts";

const str = (s: string): string => JSON.stringify(s);
const textOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The record's link keys in ascending order, and its species hops as columns in key order (its ledger snapshot's). */
export interface RecordOrder {
  linkKeys: Float64Array;
  hops: HopColumns;
}

/** Writes the interval's line and its newline to `out` (`simTimeNs`: where the run ended, ending the last interval). */
export function writeIntervalLine(
  out: TextBuffer,
  view: RunView,
  interval: IntervalRecord,
  order: RecordOrder,
  simTimeNs: number,
): void {
  const startNs = interval.index * view.intervalNs;
  out.text('{"index":').jsonNumber(interval.index);
  out.text(',"start_ns":').jsonNumber(startNs);
  out.text(',"end_ns":').jsonNumber(Math.min(startNs + view.intervalNs, simTimeNs));
  out.text(',"events":').jsonNumber(interval.events);
  // Each list's rows are written by a function of their own and its brackets here: a loop of thousands of rows
  // gets optimized while it runs, and a call after it (with no feedback yet) would undo that every interval.
  out.text(',"metrics":[');
  writeMetrics(out, interval);
  out.text('],"links":[');
  writeLinks(out, interval, order.linkKeys);
  out.text('],"species_hops":[');
  writeColumns(out, order.hops);
  out.text('],"drops":{');
  writeDrops(out, interval.drops);
  out.text('},"energy":[');
  writeNested(out, interval.energy, '{"actor":', ',"component":', ',"joules":');
  out.text('],"counters":[');
  writeNested(out, interval.counters, '{"actor":', ',"name":', ',"value":');
  out.text("]}\n");
}

/** Metrics with a count, by name then group (their key), each histogram's buckets by index. */
function writeMetrics(out: TextBuffer, interval: IntervalRecord): void {
  let first = true;
  for (const key of [...interval.metrics.keys()].sort(textOrder)) {
    const m = interval.metrics.get(key)!;
    if (!(m.count > 0)) continue;
    out.text(first ? '{"name":' : ',{"name":').text(str(m.name));
    out.text(',"group":').text(str(m.group));
    out.text(',"count":').jsonNumber(m.count);
    out.text(',"sum":').jsonNumber(m.sum);
    out.text(',"min":').jsonNumber(m.min);
    out.text(',"max":').jsonNumber(m.max);
    out.text(',"buckets":[');
    writePairs(out, m.histogram.counts);
    out.text("]}");
    first = false;
  }
}

// A link row's fixed text, encoded once (a row is mostly these: copied as bytes, not re-encoded char by char).
const LINK_FIRST = TextBuffer.encoded('{"link":');
const LINK_NEXT = TextBuffer.encoded('},{"link":');
const LINK_FORWARD = TextBuffer.encoded(',"reverse":false,"packets":');
const LINK_REVERSE = TextBuffer.encoded(',"reverse":true,"packets":');
const LINK_BYTES = TextBuffer.encoded(',"bytes":');
const LINK_LOST = TextBuffer.encoded(',"lost":');

function writeLinks(out: TextBuffer, interval: IntervalRecord, keys: Float64Array): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const t = interval.links.get(key)!;
    out.piece(i === 0 ? LINK_FIRST : LINK_NEXT).jsonNumber(key >> 1);
    out.piece((key & 1) === 1 ? LINK_REVERSE : LINK_FORWARD).jsonNumber(t.packets);
    out.piece(LINK_BYTES).jsonNumber(t.bytes);
    out.piece(LINK_LOST).jsonNumber(t.lost);
  }
  if (keys.length > 0) out.text("}");
}

/** [key, count], ... of the columns. */
function writeColumns(out: TextBuffer, hops: HopColumns): void {
  for (let i = 0; i < hops.keys.length; i++) {
    out.text(i === 0 ? "[" : ",[").jsonNumber(hops.keys[i]!);
    out.text(",").jsonNumber(hops.counts[i]!);
    out.text("]");
  }
}

/** [key, value], ... by ascending key. */
function writePairs(out: TextBuffer, map: ReadonlyMap<number, number>): void {
  let first = true;
  for (const key of sortedKeys(map)) {
    out.text(first ? "[" : ",[").jsonNumber(key);
    out.text(",").jsonNumber(map.get(key)!);
    out.text("]");
    first = false;
  }
}

/**
 * The drops as the object Object.fromEntries makes of them sorted by reason: a reason that is an array index
 * ("7") comes first, in numeric order, as a JavaScript object orders such keys.
 */
function writeDrops(out: TextBuffer, drops: ReadonlyMap<string, number>): void {
  const reasons = [...drops.keys()].sort(textOrder);
  const indices = reasons.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  const ordered = indices.length === 0 ? reasons : [...indices, ...reasons.filter((r) => !isArrayIndex(r))];
  ordered.forEach((reason, i) => {
    out.text(i === 0 ? "" : ",").text(str(reason));
    out.text(":").jsonNumber(drops.get(reason)!);
  });
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * Per-actor values as rows `{<actorKey>N<nameKey>"name"<valueKey>V}`, by ascending actor and each actor's names in
 * text order, read from the columns: the names are ranked once, and an actor's few entries sorted by rank in place.
 */
function writeNested(out: TextBuffer, values: NestedValues, actorKey: string, nameKey: string, valueKey: string): void {
  const columns = CompactNested.of(values);
  const names = columns.nameList();
  // Each name's cells, encoded once for the interval's rows.
  const named = names.map((name) => TextBuffer.encoded(`${nameKey}${str(name)}${valueKey}`));
  const rank = new Uint32Array(names.length);
  [...names.keys()].sort((a, b) => textOrder(names[a]!, names[b]!)).forEach((n, r) => (rank[n] = r));
  let entries = new Uint32Array(16);
  const firstActor = TextBuffer.encoded(actorKey);
  const nextActor = TextBuffer.encoded(`,${actorKey}`);
  const rowEnd = TextBuffer.encoded("}");
  let first = true;
  for (const group of columns.sortedGroups()) {
    const start = columns.firstEntry(group);
    const count = columns.endEntry(group) - start;
    if (count > entries.length) entries = new Uint32Array(2 * count);
    // Insertion sort by name rank: an actor has a handful of entries, often in order already.
    for (let i = 0; i < count; i++) {
      const e = start + i;
      const r = rank[columns.nameNumber(e)]!;
      let j = i;
      for (; j > 0 && rank[columns.nameNumber(entries[j - 1]!)]! > r; j--) entries[j] = entries[j - 1]!;
      entries[j] = e;
    }
    const actor = columns.actorOf(group);
    for (let i = 0; i < count; i++) {
      const e = entries[i]!;
      out.piece(first ? firstActor : nextActor).jsonNumber(actor);
      out.piece(named[columns.nameNumber(e)]!).jsonNumber(columns.amount(e));
      out.piece(rowEnd);
      first = false;
    }
  }
}
