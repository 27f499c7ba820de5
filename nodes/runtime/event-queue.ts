/**
 * The host's single event queue: a binary min-heap ordered by the fixed key (time, destination, source,
 * sequence). The key is total and independent of placement, so every host pops events in the same order that a
 * one-host run would: this is what makes results identical whatever the sharding.
 */
import type { SimPacket } from "./packet.ts";

export const EventType = { packet: 0, timer: 1 } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** A pending event. Plain data, so a checkpoint can copy the queue. */
export interface SimEvent {
  timeNs: number;
  /** Actor index the event is for. */
  dst: number;
  /** Actor index that caused it (the previous hop for a packet, the actor itself for a timer). */
  src: number;
  /** Source actor's event sequence number. */
  seq: number;
  type: EventType;
  /** For packets: the packet and the link it arrives over. */
  packet: SimPacket | null;
  link: number;
  /** For timers: a model-defined tag and argument. */
  tag: number;
  arg: number;
}

function before(a: SimEvent, b: SimEvent): boolean {
  if (a.timeNs !== b.timeNs) return a.timeNs < b.timeNs;
  if (a.dst !== b.dst) return a.dst < b.dst;
  if (a.src !== b.src) return a.src < b.src;
  return a.seq < b.seq;
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private packetEvents = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Packets waiting in the queue (they are in flight on a link). */
  get packetsInFlight(): number {
    return this.packetEvents;
  }

  peekTime(): number {
    const top = this.heap[0];
    return top === undefined ? -1 : top.timeNs;
  }

  push(event: SimEvent): void {
    if (event.type === EventType.packet) this.packetEvents++;
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  /** Removes and returns the earliest event if it is before `limitNs`. */
  popBefore(limitNs: number): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined || top.timeNs >= limitNs) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[c]!, last)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    if (top.type === EventType.packet) this.packetEvents--;
    return top;
  }

  /** Every pending event, in no particular order (for checkpoints and diagnostics). */
  snapshot(): readonly SimEvent[] {
    return this.heap;
  }
}
