/**
 * The host's single event queue: a binary min-heap ordered by the fixed key (time, destination, source,
 * sequence). The key is total and independent of placement, so every host pops events in the same order that a
 * one-host run would: this is what makes results identical whatever the sharding.
 *
 * Events live in a struct of typed arrays indexed by slot (a packet reference beside them), slots are reused
 * through a free list, and the heap holds slots with their times alongside: pushing and popping an event
 * allocates nothing, and the hot comparison reads one contiguous array. `SimEvent` objects exist only at the
 * edges (batches from other hosts, held events of paused actors, snapshots).
 */
import type { SimPacket } from "./packet.ts";

export const EventType = { packet: 0, timer: 1 } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** A pending event as plain data (wire batches, checkpoints, held events). */
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

/** dst and src share one exact double (dst · 2^21 + src): one comparison for both. */
const SRC_SPAN = 2 ** 21;
/** The largest actor index the packed key holds. */
export const MAX_QUEUE_ACTOR = SRC_SPAN - 1;

export class EventQueue {
  private timeNs = new Float64Array(0);
  private pair = new Float64Array(0);
  /** The destination alone (the pair's high part), read once per pop without a division. */
  private dstOf = new Int32Array(0);
  private seqOf = new Float64Array(0);
  private typeOf = new Uint8Array(0);
  private linkOf = new Int32Array(0);
  private tagOf = new Float64Array(0);
  private argOf = new Float64Array(0);
  private packetOf: (SimPacket | null)[] = [];
  /** Heap of slots, with each entry's time beside it. */
  private heapSlot = new Int32Array(0);
  private heapTime = new Float64Array(0);
  private count = 0;
  private free = new Int32Array(0);
  private freeCount = 0;
  private capacity = 0;
  /** The slot popBefore returned last: readable until the next popBefore, then reused. */
  private popped = -1;
  private packetEvents = 0;

  constructor(initialCapacity = 64) {
    this.grow(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  /** Packets waiting in the queue (they are in flight on a link). */
  get packetsInFlight(): number {
    return this.packetEvents;
  }

  peekTime(): number {
    return this.count === 0 ? -1 : this.heapTime[0]!;
  }

  push(event: SimEvent): void {
    this.insert(
      event.timeNs,
      event.dst,
      event.src,
      event.seq,
      event.type,
      event.packet,
      event.link,
      event.tag,
      event.arg,
    );
  }

  pushPacket(timeNs: number, dst: number, src: number, seq: number, packet: SimPacket, link: number): void {
    this.insert(timeNs, dst, src, seq, EventType.packet, packet, link, 0, 0);
  }

  /** A timer of actor `actor` (its own source). */
  pushTimer(timeNs: number, actor: number, seq: number, tag: number, arg: number): void {
    this.insert(timeNs, actor, actor, seq, EventType.timer, null, -1, tag, arg);
  }

  /**
   * Removes the earliest event if it is before `limitNs` and returns its slot (-1 if none). Its fields stay
   * readable through the accessors until the next call.
   */
  popBefore(limitNs: number): number {
    this.release();
    if (this.count === 0 || this.heapTime[0]! >= limitNs) return -1;
    const slot = this.heapSlot[0]!;
    const n = --this.count;
    if (n > 0) this.refill(n);
    if (this.typeOf[slot] === EventType.packet) this.packetEvents--;
    this.popped = slot;
    return slot;
  }

  time(slot: number): number {
    return this.timeNs[slot]!;
  }
  dst(slot: number): number {
    return this.dstOf[slot]!;
  }
  src(slot: number): number {
    return this.pair[slot]! % SRC_SPAN;
  }
  seq(slot: number): number {
    return this.seqOf[slot]!;
  }
  type(slot: number): EventType {
    return this.typeOf[slot] as EventType;
  }
  packet(slot: number): SimPacket | null {
    return this.packetOf[slot]!;
  }
  link(slot: number): number {
    return this.linkOf[slot]!;
  }
  tag(slot: number): number {
    return this.tagOf[slot]!;
  }
  arg(slot: number): number {
    return this.argOf[slot]!;
  }

  /** The event in a slot as plain data. */
  event(slot: number): SimEvent {
    return {
      timeNs: this.time(slot),
      dst: this.dst(slot),
      src: this.src(slot),
      seq: this.seq(slot),
      type: this.type(slot),
      packet: this.packet(slot),
      link: this.link(slot),
      tag: this.tag(slot),
      arg: this.arg(slot),
    };
  }

  /** Every pending event, in no particular order (for checkpoints and diagnostics). */
  snapshot(): readonly SimEvent[] {
    const events: SimEvent[] = [];
    for (let i = 0; i < this.count; i++) events.push(this.event(this.heapSlot[i]!));
    return events;
  }

  private insert(
    timeNs: number,
    dst: number,
    src: number,
    seq: number,
    type: EventType,
    packet: SimPacket | null,
    link: number,
    tag: number,
    arg: number,
  ): void {
    if (!(dst >= 0 && dst <= MAX_QUEUE_ACTOR && src >= 0 && src <= MAX_QUEUE_ACTOR))
      throw new RangeError(
        `event between actors ${src} and ${dst}: the queue holds actor indices up to ${MAX_QUEUE_ACTOR}`,
      );
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    const slot = this.free[--this.freeCount]!;
    this.timeNs[slot] = timeNs;
    this.pair[slot] = dst * SRC_SPAN + src;
    this.dstOf[slot] = dst;
    this.seqOf[slot] = seq;
    this.typeOf[slot] = type;
    this.packetOf[slot] = packet;
    this.linkOf[slot] = link;
    this.tagOf[slot] = tag;
    this.argOf[slot] = arg;
    if (type === EventType.packet) this.packetEvents++;
    this.siftUp(slot, timeNs);
  }

  private release(): void {
    const slot = this.popped;
    if (slot < 0) return;
    this.packetOf[slot] = null;
    this.free[this.freeCount++] = slot;
    this.popped = -1;
  }

  /** Whether slot a's key is below slot b's, given their times. */
  private before(a: number, ta: number, b: number, tb: number): boolean {
    if (ta !== tb) return ta < tb;
    const pa = this.pair[a]!;
    const pb = this.pair[b]!;
    if (pa !== pb) return pa < pb;
    return this.seqOf[a]! < this.seqOf[b]!;
  }

  private siftUp(slot: number, timeNs: number): void {
    this.rise(this.count++, slot, timeNs);
  }

  /** Puts (slot, timeNs) at heap index `i` or above it, moving later parents down: the queue's one upward sift. */
  private rise(i: number, slot: number, timeNs: number): void {
    const heapSlot = this.heapSlot;
    const heapTime = this.heapTime;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heapSlot[parent]!;
      const tp = heapTime[parent]!;
      if (!this.before(slot, timeNs, p, tp)) break;
      heapSlot[i] = p;
      heapTime[i] = tp;
      i = parent;
    }
    heapSlot[i] = slot;
    heapTime[i] = timeNs;
  }

  /**
   * Refills the root after a pop, `n` entries remaining (the former last one at index n): the hole goes down the
   * smaller children to a leaf, and the last entry rises from there (Floyd's bottom-up variant). The last entry
   * is usually among the latest, so it rises little: one comparison per level instead of two. The key order is
   * strict (no two events share a key), so the pop order is the same as any other heap's.
   *
   * The smaller child is picked by its time as a number (l + 0 or 1), not a branch: which child is earlier is a
   * coin toss the processor cannot predict. Only equal times take the full key. Index n leaves the heap, so it
   * holds +∞ while the hole descends: a right child there is never the smaller, with no bound check per level.
   */
  private refill(n: number): void {
    const heapSlot = this.heapSlot;
    const heapTime = this.heapTime;
    const lastSlot = heapSlot[n]!;
    const lastTime = heapTime[n]!;
    heapTime[n] = Number.POSITIVE_INFINITY;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const tl = heapTime[l]!;
      const tr = heapTime[r]!;
      let c = l + Number(tr < tl);
      if (tr === tl && r < n && this.before(heapSlot[r]!, tr, heapSlot[l]!, tl)) c = r;
      heapSlot[i] = heapSlot[c]!;
      heapTime[i] = heapTime[c]!;
      i = c;
    }
    this.rise(i, lastSlot, lastTime);
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(from: T, make: (n: number) => T): T => {
      const to = make(capacity);
      to.set(from);
      return to;
    };
    this.timeNs = copy(this.timeNs, (n) => new Float64Array(n));
    this.pair = copy(this.pair, (n) => new Float64Array(n));
    this.dstOf = copy(this.dstOf, (n) => new Int32Array(n));
    this.seqOf = copy(this.seqOf, (n) => new Float64Array(n));
    this.typeOf = copy(this.typeOf, (n) => new Uint8Array(n));
    this.linkOf = copy(this.linkOf, (n) => new Int32Array(n));
    this.tagOf = copy(this.tagOf, (n) => new Float64Array(n));
    this.argOf = copy(this.argOf, (n) => new Float64Array(n));
    this.heapSlot = copy(this.heapSlot, (n) => new Int32Array(n));
    this.heapTime = copy(this.heapTime, (n) => new Float64Array(n));
    for (let i = old; i < capacity; i++) this.packetOf.push(null);
    // Free slots are the new ones, handed out lowest first.
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeCount));
    for (let slot = capacity - 1; slot >= old; slot--) free[this.freeCount++] = slot;
    this.free = free;
    this.capacity = capacity;
  }
}

/**
 * Runs the key's tie-breaks once when the module loads. Events of equal times are rare (a few per run), and V8
 * compiles the hot loop that pops events (the shard's, with the queue inlined) before it has seen one: the first
 * tie then finds a comparison it has no type feedback for, throws the compiled loop away and starts the loop again
 * in the interpreter until it is compiled anew. Times here are above the small-integer range, as run times are.
 */
function primeTieBreaks(): void {
  const queue = new EventQueue(4);
  const t = 2 ** 40;
  for (let seq = 0; seq < 12; seq++) queue.pushTimer(t + (seq % 3), 5 - (seq % 4), seq, 0, 0);
  for (let seq = 0; seq < 12; seq++) queue.pushTimer(t + 1, 3, 12 + seq, 0, 0);
  while (queue.popBefore(Number.POSITIVE_INFINITY) >= 0);
}

primeTieBreaks();
