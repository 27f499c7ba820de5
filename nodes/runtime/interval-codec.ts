/**
 * The report codec's encoder for a window report with its closed intervals (host -> coordinator). An interval of
 * a large shard holds tens of thousands of per-actor counters and transitions; the generated encoder took an
 * object per entry (toWireInterval), a fork per entry, a UTF-8 length count and a 64-bit conversion per field.
 * This one writes those two lists straight from the ledger's entries: each name's UTF-8 bytes computed once,
 * each entry's length computed, not forked, and small integers written as 32-bit varints (the same bytes). The
 * rest of the report (few entries) goes through the generated encoders. An interval's bytes are exactly what
 * the generated IntervalReport encoder writes (interval-codec.test.ts); the window report's own fields come
 * first and its intervals (field 12) after them, which any protobuf decoder reads as the same message.
 */
import $protobuf from "protobufjs/minimal.js";
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { IntervalData } from "./interval-ledger.ts";
import { toWireInterval, wire } from "./wire.ts";

type Writer = $protobuf.Writer;

/** Field tags (field number << 3 | wire type) of IntervalReport and of its entries. */
const Tag = {
  reportIntervals: (12 << 3) | 2,
  interval: (1 << 3) | 0,
  metrics: (2 << 3) | 2,
  links: (3 << 3) | 2,
  drops: (4 << 3) | 2,
  energy: (5 << 3) | 2,
  transitions: (6 << 3) | 2,
  counters: (7 << 3) | 2,
  events: (8 << 3) | 0,
  traceEvents: (9 << 3) | 2,
  entryActor: (1 << 3) | 0,
  entryName: (2 << 3) | 2,
  counterValue: (3 << 3) | 0,
  fromState: (3 << 3) | 0,
  toState: (4 << 3) | 0,
  count: (5 << 3) | 0,
} as const;

const TWO_32 = 2 ** 32;

/** The report with `intervals` as its field 12 (the report's own `intervals` must be empty). */
export function encodeWindowReport(
  report: dctwin.v1.WindowReport.$Properties,
  intervals: readonly IntervalData[],
): Uint8Array {
  const w = wire.WindowReport.encode(report);
  for (const interval of intervals) encodeInterval(interval, w.uint32(Tag.reportIntervals).fork()).ldelim();
  return w.finish();
}

/** One IntervalReport's fields into `w` (no length prefix). */
export function encodeInterval(d: IntervalData, w: Writer): Writer {
  const rest = toWireInterval({ ...d, transitions: [], counters: [] });
  if (d.interval !== 0) w.uint32(Tag.interval).uint64(d.interval);
  for (const m of rest.metrics!) wire.MetricDelta.encode(m, w.uint32(Tag.metrics).fork()).ldelim();
  for (const l of d.links) wire.LinkDelta.encode(l, w.uint32(Tag.links).fork()).ldelim();
  for (const x of d.drops) wire.DropDelta.encode(x, w.uint32(Tag.drops).fork()).ldelim();
  for (const e of d.energy) wire.EnergyDelta.encode(e, w.uint32(Tag.energy).fork()).ldelim();
  const names = new NameBytes();
  for (const t of d.transitions) {
    const name = names.of(t.mechanism);
    const length =
      fieldLength(t.actor, unsignedLength) +
      (name.length === 0 ? 0 : 1 + varintLength(name.length) + name.length) +
      fieldLength(t.fromState, signedLength) +
      fieldLength(t.toState, signedLength) +
      fieldLength(t.count, unsignedLength);
    w.uint32(Tag.transitions).uint32(length);
    if (t.actor !== 0) w.uint32(Tag.entryActor).uint32(t.actor);
    if (name.length !== 0) w.uint32(Tag.entryName).bytes(name);
    if (t.fromState !== 0) writeSigned(w.uint32(Tag.fromState), t.fromState);
    if (t.toState !== 0) writeSigned(w.uint32(Tag.toState), t.toState);
    if (t.count !== 0) writeUnsigned(w.uint32(Tag.count), t.count);
  }
  for (const c of d.counters) {
    const name = names.of(c.name);
    const length =
      fieldLength(c.actor, unsignedLength) +
      (name.length === 0 ? 0 : 1 + varintLength(name.length) + name.length) +
      fieldLength(c.value, unsignedLength);
    w.uint32(Tag.counters).uint32(length);
    if (c.actor !== 0) w.uint32(Tag.entryActor).uint32(c.actor);
    if (name.length !== 0) w.uint32(Tag.entryName).bytes(name);
    if (c.value !== 0) writeUnsigned(w.uint32(Tag.counterValue), c.value);
  }
  if (d.events !== 0) w.uint32(Tag.events).uint64(d.events);
  for (const t of rest.traceEvents!) wire.TraceEvent.encode(t, w.uint32(Tag.traceEvents).fork()).ldelim();
  return w;
}

/** UTF-8 bytes of the names of one interval, each encoded once. */
class NameBytes {
  private readonly byName = new Map<string, Uint8Array>();

  of(name: string): Uint8Array {
    let bytes = this.byName.get(name);
    if (bytes === undefined) {
      bytes = Buffer.from(name, "utf8");
      this.byName.set(name, bytes);
    }
    return bytes;
  }
}

/** A whole number in [0, 2^32): written as a 32-bit varint, the same bytes a 64-bit one would be. */
function isSmall(v: number): boolean {
  return v >= 0 && v < TWO_32 && Number.isInteger(v);
}

function writeUnsigned(w: Writer, v: number): void {
  if (isSmall(v)) w.uint32(v);
  else w.uint64(v);
}

function writeSigned(w: Writer, v: number): void {
  if (isSmall(v)) w.uint32(v);
  else w.int64(v);
}

/** Bytes of a field with a one-byte tag, or 0 when the generated encoder leaves it out (the default 0). */
function fieldLength(v: number, valueLength: (v: number) => number): number {
  return v === 0 ? 0 : 1 + valueLength(v);
}

function unsignedLength(v: number): number {
  return isSmall(v) ? varintLength(v) : encodedLength((w) => w.uint64(v));
}

function signedLength(v: number): number {
  return isSmall(v) ? varintLength(v) : encodedLength((w) => w.int64(v));
}

function varintLength(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** The rare large or negative value: measured by writing it. */
function encodedLength(write: (w: Writer) => void): number {
  const w = $protobuf.Writer.create();
  write(w);
  return w.len;
}
