/**
 * A host's WindowReport (proto/dctwin/v1/wire.proto) encoded once per window in its two forms: whole, for the
 * coordinator, and without the intervals it closed, for the peers (peer-exchange.ts). The fields are written by
 * hand in the generated encoder's order and with its rules (zeros left out, the counters always present), so the
 * whole report is the generated encoder's bytes; the fields before the intervals and those after are written once
 * and the peers' form is the two joined. Spared per window: the report object (`WindowReport.create` of a spread
 * of the fields), its field-by-field checks, and encoding it a second time without its intervals.
 */
import $protobuf from "protobufjs/minimal.js";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { wire } from "./wire.ts";

type Fields = dctwin.v1.WindowReport.$Properties;
type Writer = $protobuf.Writer;

/** What a host says of itself in every report; it takes the place of the same fields of the report given. */
export interface ReportStamp {
  host: number;
  malformedMessages: number;
  stopSeen: boolean;
  fragmentsDropped: number;
}

export interface EncodedReport {
  /** The whole report. */
  full(): Uint8Array;
  /** The report without its intervals (the same bytes as `full()` when it closed none). */
  sync: Uint8Array;
  /** `sync` as a message, as the peers decode it. */
  syncReport: dctwin.v1.WindowReport;
}

/** A 64-bit field's value as the runtime gives it (a number; absent is 0). */
function num(value: number | { toNumber(): number } | null | undefined): number {
  return value == null ? 0 : Number(value);
}

export function encodeReport(report: Fields, stamp: ReportStamp): EncodedReport {
  const head = $protobuf.Writer.create();
  const window = num(report.window);
  const nextEventNs = num(report.nextEventNs);
  const batchesSentTo = report.batchesSentTo ?? [];
  const events = num(report.events);
  const addedDelayNs = num(report.addedDelayNs);
  if (window !== 0) head.uint32(8).uint64(window);
  if (stamp.host !== 0) head.uint32(16).uint32(stamp.host);
  if (nextEventNs !== 0) head.uint32(24).int64(nextEventNs);
  if (batchesSentTo.length > 0) head.uint32(34).uint32s(batchesSentTo);
  if (report.counters != null) writeCounters(head.uint32(42).fork(), report.counters).ldelim();
  if (events !== 0) head.uint32(72).uint64(events);
  if (stamp.malformedMessages !== 0) head.uint32(80).uint64(stamp.malformedMessages);
  if (addedDelayNs !== 0) head.uint32(88).int64(addedDelayNs);
  const tail = $protobuf.Writer.create();
  const startNs = num(report.startNs);
  const endNs = num(report.endNs);
  const final = report.final === true;
  if (startNs !== 0) tail.uint32(104).int64(startNs);
  if (endNs !== 0) tail.uint32(112).int64(endNs);
  if (final) tail.uint32(120).bool(true);
  if (stamp.stopSeen) tail.uint32(128).bool(true);
  if (stamp.fragmentsDropped !== 0) tail.uint32(136).uint64(stamp.fragmentsDropped);
  if (report.timing != null) wire.HostTiming.encode(report.timing, tail.uint32(146).fork()).ldelim();
  const headBytes = head.finish();
  const tailBytes = tail.finish();
  const sync = join([headBytes, tailBytes]);
  // The intervals (the bulk of an interval's report) are encoded when the whole report is asked for: after the
  // peers' form has gone out (peer-exchange.ts), so an interval's close does not hold up the other hosts.
  const intervals = report.intervals ?? [];
  const full = (): Uint8Array => {
    if (intervals.length === 0) return sync;
    const w = $protobuf.Writer.create();
    for (const interval of intervals) wire.IntervalReport.encode(interval, w.uint32(98).fork()).ldelim();
    return join([headBytes, w.finish(), tailBytes]);
  };
  const syncReport = new wire.WindowReport();
  syncReport.window = window;
  syncReport.host = stamp.host;
  syncReport.nextEventNs = nextEventNs;
  syncReport.batchesSentTo = [...batchesSentTo];
  if (report.counters != null) syncReport.counters = report.counters as dctwin.v1.PacketCounters; // as `create` did
  syncReport.events = events;
  syncReport.malformedMessages = stamp.malformedMessages;
  syncReport.addedDelayNs = addedDelayNs;
  syncReport.startNs = startNs;
  syncReport.endNs = endNs;
  syncReport.final = final;
  syncReport.stopSeen = stamp.stopSeen;
  syncReport.fragmentsDropped = stamp.fragmentsDropped;
  if (report.timing != null) syncReport.timing = wire.HostTiming.create(report.timing);
  return { full, sync, syncReport };
}

/** A PacketCounters as its generated encoder writes it (zeros left out). */
function writeCounters(w: Writer, c: dctwin.v1.PacketCounters.$Properties): Writer {
  const fields = [c.injected, c.consumed, c.dropped, c.queued, c.inFlightLocal, c.sentRemote, c.receivedRemote];
  for (let i = 0; i < fields.length; i++) {
    const value = num(fields[i]);
    if (value !== 0) w.uint32((i + 1) << 3).uint64(value);
  }
  return w;
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
