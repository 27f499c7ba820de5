import assert from "node:assert/strict";
import { test } from "node:test";
import { newAccumulator } from "../../nodes/runtime/metrics.ts";
import { emptyInterval, metricKey, type IntervalRecord, type OpenIntervalRecord } from "../counts/aggregate.ts";
import { CompactNested, type NestedValues } from "../counts/compact-nested.ts";
import { sortedKeys } from "../counts/sorted-keys.ts";
import { hopColumns } from "../ledgers/mechanisms.ts";
import type { IntervalLine } from "../observability/intervals-file.ts";
import type { RunView } from "../observability/run-view.ts";
import { writeIntervalLine } from "./interval-line.ts";
import { TextBuffer } from "./text-buffer.ts";

/**
 * The line as an object, as the results made it before they wrote the bytes directly: writeIntervalLine must give
 * JSON.stringify of this and a newline, byte for byte.
 */
function lineObject(view: RunView, interval: IntervalRecord, simTimeNs: number): IntervalLine {
  const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const asInJson = (v: number): number => (v === 0 ? 0 : Number.isFinite(v) ? v : (null as unknown as number));
  const nested = <T>(values: NestedValues, row: (actor: number, name: string, value: number) => T): T[] =>
    [...values]
      .sort(([a], [b]) => a - b)
      .flatMap(([actor, inner]) => [...inner].sort(byKey).map(([name, value]) => row(actor, name, value)));
  const startNs = interval.index * view.intervalNs;
  return {
    index: interval.index,
    start_ns: startNs,
    end_ns: Math.min(startNs + view.intervalNs, simTimeNs),
    events: interval.events,
    metrics: [...interval.metrics]
      .sort(byKey)
      .filter(([, m]) => m.count > 0)
      .map(([, m]) => ({
        name: m.name,
        group: m.group,
        count: m.count,
        sum: asInJson(m.sum),
        min: asInJson(m.min),
        max: asInJson(m.max),
        buckets: [...m.histogram.counts].sort(([a], [b]) => a - b),
      })),
    links: [...interval.links]
      .sort(([a], [b]) => a - b)
      .map(([key, t]) => ({
        link: key >> 1,
        reverse: (key & 1) === 1,
        packets: t.packets,
        bytes: t.bytes,
        lost: t.lost,
      })),
    species_hops: [...interval.speciesHops].sort(([a], [b]) => a - b),
    drops: Object.fromEntries([...interval.drops].sort(byKey)),
    energy: nested(interval.energy, (actor, component, joules) => ({ actor, component, joules: asInJson(joules) })),
    counters: nested(interval.counters, (actor, name, value) => ({ actor, name, value: asInJson(value) })),
  };
}

const view = { intervalNs: 2_000_000 } as RunView;
const out = new TextBuffer();

function lineText(record: IntervalRecord, simTimeNs: number): string {
  writeIntervalLine(out, view, record, { linkKeys: sortedKeys(record.links), hops: hopColumns(record) }, simTimeNs);
  return out.take().toString("utf8");
}

/** A record with what the text must get right: orders, odd floats, names to escape, reasons that are indices. */
function oddRecord(): OpenIntervalRecord {
  const record = emptyInterval(3);
  record.events = 1234;
  const latency = newAccumulator("latency_ns", "web");
  Object.assign(latency, { count: 3, sum: 0.1 + 0.2, min: -0, max: 1e21 });
  for (const [i, n] of [
    [40, 1],
    [3, 2],
  ] as const)
    latency.histogram.addBucket(i, n);
  const gauge = newAccumulator("temp", 'zone "a"\n');
  Object.assign(gauge, { count: 1, sum: Number.NaN, min: Number.POSITIVE_INFINITY, max: 5e-7 });
  const unused = newAccumulator("aaa", "never");
  for (const m of [latency, gauge, unused]) record.metrics.set(metricKey(m.name, m.group), m);
  record.links.set(9, { packets: 2, bytes: 3000, lost: 1 });
  record.links.set(0, { packets: 1, bytes: 64, lost: 0 });
  record.links.set(4, { packets: 5, bytes: 7500, lost: 0 });
  record.speciesHops.set(73, 2).set(1, 1).set(32, 5);
  for (const [reason, n] of [
    ["queue_full", 3],
    ["10", 1],
    ["2", 4],
    ["__proto__", 2],
    ["ttl", 1],
  ] as const)
    record.drops.set(reason, n);
  record.energy.set(
    7,
    new Map([
      ["nic", 0.25],
      ["cpu", -0],
    ]),
  );
  record.energy.set(2, new Map([["cpu", 1 / 3]]));
  record.counters.set(
    5,
    new Map([
      ["level:held", 2428824],
      ["bits_erased", 1e-320],
      ["é\u2028", Number.NaN],
    ]),
  );
  record.counters.set(1, new Map([["consumed:1", 5]]));
  record.counters.set(3, new Map());
  return record;
}

test("interval line - the same text as JSON.stringify of the line object, odd values and orders included", () => {
  for (const record of [oddRecord(), emptyInterval(0)])
    for (const simTimeNs of [1e9, 7_000_001])
      assert.equal(lineText(record, simTimeNs), `${JSON.stringify(lineObject(view, record, simTimeNs))}\n`);
});

test("interval line - an aggregator's columns (actors out of order, added twice) print as their Maps do", () => {
  const record = oddRecord();
  const counters = new CompactNested();
  counters.add([9, 9, 4], ["z", "a", "m"], [0, 1, 2], [1, 2, 3]);
  counters.add([9, 2], ["a", "q"], [0, 1], [0.5, -0]); // actor 9 comes back: its "a" adds up
  counters.seal();
  const energy = CompactNested.of(record.energy);
  const columns: IntervalRecord = { ...record, counters, energy };
  const maps: IntervalRecord = { ...record, counters: counters.toMap(), energy: energy.toMap() };
  assert.equal(lineText(columns, 1e9), `${JSON.stringify(lineObject(view, maps, 1e9))}\n`);
  assert.match(lineText(columns, 1e9), /"counters":\[\{"actor":2,"name":"q","value":0\},/);
});
