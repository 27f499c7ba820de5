/**
 * The in-memory packet: the same fields as proto `dctwin.v1.Packet`, all present, so models read them without
 * null checks. Converted to and from the wire type only at batch boundaries (wire.ts).
 */
import { dctwin } from "../../proto/gen/dctwin.js";
import { ZERO_NS } from "./time-fields.ts";

export const Species = dctwin.v1.Species;
export type Species = dctwin.v1.Species;

export interface SimPacket {
  id: number;
  flowId: number;
  species: Species;
  src: number;
  dst: number;
  sizeBytes: number;
  multiplicity: number;
  createdNs: number;
  hops: number;
  kind: number;
  flowCreatedNs: number;
  /** Size of the response a request asks for (0: the responder's default). */
  replyBytes: number;
  /**
   * Leap mode: the expected rate (per s) of the stream from `src` to `dst` this count was drawn from, so a
   * receiver's quasi-steady queue follows the slow rate, not its noisy counts (nodes/leap/stream-rates.ts). 0 when
   * unknown, and always in exact mode.
   */
  streamRatePerS: number;
  /** Leap mode: the SCV of that stream's interarrival times, 0 when Poisson (c_a² = 1) or unknown. */
  streamArrivalScv: number;
  /** Leap mode: the stream is one of this many replicas a balancer joins by shortest queue (0: none). */
  streamPool: number;
  /** W3C traceparent of a sampled journey; empty when not traced. */
  traceparent: string;
}

/**
 * A packet whose fields are zero (empty for the traceparent) except those given: for tests and tools that need one
 * packet of a certain shape. The runtime's own packets come from the pool below (actor-context.ts fills them).
 */
export function packetWith(fields: Partial<SimPacket>): SimPacket {
  return {
    id: 0,
    flowId: 0,
    species: 0,
    src: 0,
    dst: 0,
    sizeBytes: 0,
    multiplicity: 1,
    createdNs: ZERO_NS,
    hops: 0,
    kind: 0,
    flowCreatedNs: ZERO_NS,
    replyBytes: 0,
    streamRatePerS: 0,
    streamArrivalScv: 0,
    streamPool: 0,
    traceparent: "",
    ...fields,
  };
}

/**
 * The packet pool. A run makes and ends about one packet per two events; reusing the objects of ended packets
 * spares the allocation, the young-generation collections that copy packets still in flight, and the cache misses
 * of always-fresh memory.
 *
 * Ownership rule: a packet is held by exactly one place at a time: the model handling the event it arrived in or
 * was created in, a model's state, the event queue (in flight), or an outbox batch. `consume` and `drop` end it:
 * the handler may still read it until its event returns (a response is built from the request it answers after
 * the request is consumed), and then the packet goes back to the pool (`retire`). A model must not keep or send a
 * packet it consumed or dropped; the context refuses to send, consume or drop one again (ModelContractError), and
 * poisoning (`setPacketPoisoning`, for tests) makes every later read of one visible.
 */

/** The id of a packet that has ended (ids of live packets count from 0). */
export const ENDED_PACKET_ID = -1;

/** Ended packets kept for reuse at most: enough for the packets a run has in flight at once; the rest are garbage. */
const POOL_LIMIT = 1 << 14;
const free: SimPacket[] = [];
let poisoning = false;

/**
 * With poisoning on, ended packets are never reused: every number is set to NaN (the id to ENDED_PACKET_ID) and the
 * traceparent to a marker, so a model that reads a packet after its end gets results that differ from a run
 * without poisoning. For tests of the ownership rule; off by default.
 */
export function setPacketPoisoning(on: boolean): void {
  poisoning = on;
  free.length = 0;
}

/** A packet object to fill: an ended one from the pool, or a new one of the same shape. */
export function takePacket(): SimPacket {
  return free.pop() ?? packetWith({});
}

/** Ends `packet` (its event has returned) and keeps it for reuse. */
export function retirePacket(packet: SimPacket): void {
  packet.id = ENDED_PACKET_ID;
  if (poisoning) {
    poison(packet);
    return;
  }
  if (free.length < POOL_LIMIT) free.push(packet);
}

/**
 * The packets an event has ended so far, the first `count` entries of `list` (plain data, so a checkpoint of the
 * context holds it; empty between events). The list keeps its array, so that no event allocates one.
 */
export interface EndedPackets {
  list: (SimPacket | null)[];
  count: number;
}

export function newEndedPackets(): EndedPackets {
  return { list: [], count: 0 };
}

export function endPacket(ended: EndedPackets, packet: SimPacket): void {
  ended.list[ended.count++] = packet;
}

/**
 * Whether the event has ended `packet` already, searched while the list is short: an event that ends many packets
 * at once (a server dropping its queue) ends each of them once by construction.
 */
export function endedInEvent(ended: EndedPackets, packet: SimPacket): boolean {
  if (ended.count > 16) return false;
  for (let i = 0; i < ended.count; i++) if (ended.list[i] === packet) return true;
  return false;
}

/** The event has returned: its ended packets go back to the pool. */
export function retireEnded(ended: EndedPackets): void {
  for (let i = 0; i < ended.count; i++) {
    retirePacket(ended.list[i]!);
    ended.list[i] = null;
  }
  ended.count = 0;
}

function poison(packet: SimPacket): void {
  packet.flowId = Number.NaN;
  packet.species = Number.NaN;
  packet.src = Number.NaN;
  packet.dst = Number.NaN;
  packet.sizeBytes = Number.NaN;
  packet.multiplicity = Number.NaN;
  packet.createdNs = Number.NaN;
  packet.hops = Number.NaN;
  packet.kind = Number.NaN;
  packet.flowCreatedNs = Number.NaN;
  packet.replyBytes = Number.NaN;
  packet.streamRatePerS = Number.NaN;
  packet.streamArrivalScv = Number.NaN;
  packet.streamPool = Number.NaN;
  packet.traceparent = "<ended packet>";
}
