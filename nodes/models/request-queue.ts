/**
 * The FIFO of requests waiting for a free core or slot, shared by servers and software components: plain data
 * (arrays and a head index, compacted now and then) so actor state stays serializable, and no shifting per take.
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { mechanismId } from "../runtime/names.ts";

/** The handle of the mechanism of an admitted request (names.ts). */
export const ARRIVAL = mechanismId("arrival");

export interface RequestQueue {
  packets: SimPacket[];
  /** Arrival time of each packet, for the queue wait. */
  arrivedNs: number[];
  head: number;
}

export function newRequestQueue(): RequestQueue {
  // `head` first: V8 shares the hidden class of object literals by their first field's name, and elsewhere
  // `{ packets: <count>, ... }` (the coordinator's link totals, in-process) would make this one's `packets` field
  // a generic one mid-run, throwing away the compiled code of the servers' every event.
  return { head: 0, packets: [], arrivedNs: [] };
}

export function waitingCount(q: RequestQueue): number {
  return q.packets.length - q.head;
}

/**
 * A request arrives with no free core: it waits, or is dropped (`queue_full`) when `limit` requests already
 * wait. Counts the queue-length move by "arrival" from `heldBefore` when it is admitted.
 */
export function enqueue(
  q: RequestQueue,
  packet: SimPacket,
  limit: number | undefined,
  heldBefore: number,
  ctx: ActorContext,
): void {
  if (limit !== undefined && waitingCount(q) >= limit) {
    ctx.drop(packet, "queue_full");
    return;
  }
  ctx.countTransitionId(ARRIVAL, heldBefore, heldBefore + 1);
  q.packets.push(packet);
  q.arrivedNs.push(ctx.nowNs);
}

/** The oldest waiting request, or null. */
export function dequeue(q: RequestQueue): { packet: SimPacket; arrivedNs: number } | null {
  if (q.head >= q.packets.length) return null;
  const arrivedNs = oldestArrivedNs(q);
  return { arrivedNs, packet: takeOldest(q) }; // not `packet` first: EventType's `{ packet: 0, ... }` shares that hidden class
}

/** When the oldest waiting request arrived (the queue is not empty). */
export function oldestArrivedNs(q: RequestQueue): number {
  return q.arrivedNs[q.head]!;
}

/** Takes the oldest waiting request (the queue is not empty): `dequeue` without an object per request. */
export function takeOldest(q: RequestQueue): SimPacket {
  const packet = q.packets[q.head]!;
  q.head++;
  // Taken packets must not stay referenced: a queue that keeps them until its compaction keeps thousands of dead
  // packets per server alive through young-generation collections, which then copy and promote them (most of a
  // run's garbage-collection time). An emptied queue starts afresh; a long one is compacted now and then.
  if (q.head === q.packets.length) {
    q.packets.length = 0;
    q.arrivedNs.length = 0;
    q.head = 0;
  } else if (q.head > 1024 && q.head * 2 > q.packets.length) {
    q.packets = q.packets.slice(q.head);
    q.arrivedNs = q.arrivedNs.slice(q.head);
    q.head = 0;
  }
  return packet;
}

/** Drops every waiting request with `reason` (power off, failure, crash). */
export function dropWaiting(q: RequestQueue, reason: string, ctx: ActorContext): void {
  for (let i = q.head; i < q.packets.length; i++) ctx.drop(q.packets[i]!, reason);
  q.packets = [];
  q.arrivedNs = [];
  q.head = 0;
}
