/**
 * A PeerWindow's wire form (proto/dctwin/v1/wire.proto: PeerWindow, InFlight, Packet), written and read field by
 * field with protobufjs's writer and reader instead of through the generated message classes. The bytes are the
 * generated encoder's (same fields, same order, zeros left out alike); what is spared is per packet: the wire
 * objects on the way out (an InFlight and a Packet literal, each field checked with hasOwnProperty), the InFlight,
 * Packet and TraceContext objects on the way in, and a fresh packet object (decoded packets come from the pool).
 * With a few packets per peer and window, that was most of a host's cost of a window's exchange.
 */
import $protobuf from "protobufjs/minimal.js";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { EventType, type SimEvent } from "./event-queue.ts";
import { type SimPacket, takePacket } from "./packet.ts";
import { wire } from "./wire.ts";

type Writer = $protobuf.Writer;
type Reader = $protobuf.Reader;

/**
 * A PeerWindow from a report already encoded (the same bytes go to every peer) and the packets for that peer: the
 * wire form of an embedded message is its length-prefixed bytes.
 */
export function encodePeerWindow(report: Uint8Array, events: readonly SimEvent[]): Uint8Array {
  const w = $protobuf.Writer.create();
  w.uint32(10).bytes(report); // field 1, length-delimited
  for (const e of events) {
    w.uint32(18).fork(); // field 2: an InFlight
    writePacket(w.uint32(10).fork(), e.packet!).ldelim();
    if (e.dst !== 0) w.uint32(16).uint32(e.dst);
    if (e.src !== 0) w.uint32(24).uint32(e.src);
    if (e.link !== 0) w.uint32(32).uint32(e.link);
    if (e.timeNs !== 0) w.uint32(40).int64(e.timeNs);
    if (e.seq !== 0) w.uint32(48).uint64(e.seq);
    w.ldelim();
  }
  return w.finish();
}

/** A Packet's fields as `dctwin.v1.Packet.encode` writes them (in field order; zeros left out, doubles' -0 kept). */
function writePacket(w: Writer, p: SimPacket): Writer {
  if (p.id !== 0) w.uint32(8).uint64(p.id);
  if (p.flowId !== 0) w.uint32(16).uint64(p.flowId);
  if (p.species !== 0) w.uint32(24).int32(p.species);
  if (p.src !== 0) w.uint32(32).uint32(p.src);
  if (p.dst !== 0) w.uint32(40).uint32(p.dst);
  if (p.sizeBytes !== 0) w.uint32(48).uint64(p.sizeBytes);
  if (p.multiplicity !== 0) w.uint32(56).uint64(p.multiplicity);
  if (p.createdNs !== 0) w.uint32(64).int64(p.createdNs);
  if (p.hops !== 0) w.uint32(72).uint32(p.hops);
  if (p.traceparent !== "") w.uint32(82).fork().uint32(10).string(p.traceparent).ldelim(); // TraceContext
  if (p.kind !== 0) w.uint32(88).uint32(p.kind);
  if (p.flowCreatedNs !== 0) w.uint32(96).int64(p.flowCreatedNs);
  if (p.replyBytes !== 0) w.uint32(104).uint64(p.replyBytes);
  if (!Object.is(p.streamRatePerS, 0)) w.uint32(113).double(p.streamRatePerS);
  if (!Object.is(p.streamArrivalScv, 0)) w.uint32(121).double(p.streamArrivalScv);
  if (p.streamPool !== 0) w.uint32(128).uint32(p.streamPool);
  return w;
}

export interface DecodedPeerWindow {
  /** The sender's window report (null when the message has none). */
  report: dctwin.v1.WindowReport | null;
  /** Its packets for this host, as events to merge. */
  events: SimEvent[];
}

/**
 * Reads a PeerWindow; undefined when the bytes are not one, or an item lacks its packet or names an actor at or
 * above `actorCount` (next hop, previous hop, or the packet's source or destination).
 */
export function decodePeerWindow(bytes: Uint8Array, actorCount: number): DecodedPeerWindow | undefined {
  try {
    const r = $protobuf.Reader.create(bytes);
    let report: dctwin.v1.WindowReport | null = null;
    const events: SimEvent[] = [];
    while (r.pos < r.len) {
      const tag = r.tag();
      // A second report field replaces the first (the generated decoder would merge them; no host sends two).
      if (tag === 10) report = wire.WindowReport.decode(r, r.size());
      else if (tag === 18) {
        const event = readInFlight(r, actorCount);
        if (event === undefined) return undefined;
        events.push(event);
      } else r.skipType(tag & 7, 1, tag >>> 3);
    }
    return { report, events };
  } catch {
    return undefined;
  }
}

/** Sets the reader's end to that of the embedded message starting here; returns the end to restore. */
function enter(r: Reader): { end: number; outer: number } {
  const size = r.size(); // read before the position: it moves it
  const end = r.pos + size;
  if (end > r.len) throw new RangeError("index out of range");
  const outer = r.len;
  r.len = end;
  return { end, outer };
}

function leave(r: Reader, at: { end: number; outer: number }): void {
  if (r.pos !== at.end) throw new RangeError("index out of range");
  r.len = at.outer;
}

function readInFlight(r: Reader, actorCount: number): SimEvent | undefined {
  const at = enter(r);
  let packet: SimPacket | undefined;
  let to = 0;
  let from = 0;
  let link = 0;
  let deliverNs = 0;
  let seq = 0;
  while (r.pos < at.end) {
    const tag = r.tag();
    if (tag === 10) packet = readPacket(r, packet);
    else if (tag === 16) to = r.uint32();
    else if (tag === 24) from = r.uint32();
    else if (tag === 32) link = r.uint32();
    else if (tag === 40) deliverNs = r.int64() as unknown as number;
    else if (tag === 48) seq = r.uint64() as unknown as number;
    else r.skipType(tag & 7, 2, tag >>> 3);
  }
  leave(r, at);
  if (packet === undefined || to >= actorCount || from >= actorCount) return undefined;
  if (packet.src >= actorCount || packet.dst >= actorCount) return undefined;
  return { timeNs: deliverNs, dst: to, src: from, seq, type: EventType.packet, packet, link, tag: 0, arg: 0 };
}

/** A Packet into a pooled packet object (a second occurrence of the field merges into the first, as protobuf does). */
function readPacket(r: Reader, into: SimPacket | undefined): SimPacket {
  const at = enter(r);
  const p = into ?? emptyPacket();
  while (r.pos < at.end) {
    const tag = r.tag();
    switch (tag) {
      case 8:
        p.id = r.uint64() as unknown as number;
        break;
      case 16:
        p.flowId = r.uint64() as unknown as number;
        break;
      case 24:
        p.species = r.int32();
        break;
      case 32:
        p.src = r.uint32();
        break;
      case 40:
        p.dst = r.uint32();
        break;
      case 48:
        p.sizeBytes = r.uint64() as unknown as number;
        break;
      case 56:
        p.multiplicity = r.uint64() as unknown as number;
        break;
      case 64:
        p.createdNs = r.int64() as unknown as number;
        break;
      case 72:
        p.hops = r.uint32();
        break;
      case 82:
        p.traceparent = readTraceparent(r, p.traceparent);
        break;
      case 88:
        p.kind = r.uint32();
        break;
      case 96:
        p.flowCreatedNs = r.int64() as unknown as number;
        break;
      case 104:
        p.replyBytes = r.uint64() as unknown as number;
        break;
      case 113:
        p.streamRatePerS = r.double();
        break;
      case 121:
        p.streamArrivalScv = r.double();
        break;
      case 128:
        p.streamPool = r.uint32();
        break;
      default:
        r.skipType(tag & 7, 3, tag >>> 3);
    }
  }
  leave(r, at);
  return p;
}

/** A TraceContext's traceparent (its tracestate is not kept). */
function readTraceparent(r: Reader, traceparent: string): string {
  const at = enter(r);
  while (r.pos < at.end) {
    const tag = r.tag();
    if (tag === 10) traceparent = r.string();
    else r.skipType(tag & 7, 4, tag >>> 3);
  }
  leave(r, at);
  return traceparent;
}

/** A packet with every field at its wire default (an absent field decodes as zero, the multiplicity too). */
function emptyPacket(): SimPacket {
  const p = takePacket();
  p.id = 0;
  p.flowId = 0;
  p.species = 0;
  p.src = 0;
  p.dst = 0;
  p.sizeBytes = 0;
  p.multiplicity = 0;
  p.createdNs = 0;
  p.hops = 0;
  p.kind = 0;
  p.flowCreatedNs = 0;
  p.replyBytes = 0;
  p.streamRatePerS = 0;
  p.streamArrivalScv = 0;
  p.streamPool = 0;
  p.traceparent = "";
  return p;
}
