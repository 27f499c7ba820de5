/**
 * The in-memory packet: the same fields as proto `dctwin.v1.Packet`, all present, so models read them without
 * null checks. Converted to and from the wire type only at batch boundaries (wire.ts).
 */
import { dctwin } from "../../proto/gen/dctwin.js";

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
 * packet of a certain shape. The runtime's own packets are made field by field on the hot path (actor-context.ts).
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
    createdNs: 0,
    hops: 0,
    kind: 0,
    flowCreatedNs: 0,
    replyBytes: 0,
    streamRatePerS: 0,
    streamArrivalScv: 0,
    streamPool: 0,
    traceparent: "",
    ...fields,
  };
}
