import assert from "node:assert/strict";
import { test } from "node:test";
import { EventQueue, EventType, type SimEvent } from "./event-queue.ts";
import type { SimPacket } from "./packet.ts";
import { Xoshiro128 } from "./rng.ts";

function timer(timeNs: number, dst: number, src: number, seq: number): SimEvent {
  return { timeNs, dst, src, seq, type: EventType.timer, packet: null, link: -1, tag: seq % 7, arg: seq / 4 };
}

function byKey(a: SimEvent, b: SimEvent): number {
  return a.timeNs - b.timeNs || a.dst - b.dst || a.src - b.src || a.seq - b.seq;
}

function drain(queue: EventQueue, limitNs = Infinity): SimEvent[] {
  const popped: SimEvent[] = [];
  for (let slot = queue.popBefore(limitNs); slot >= 0; slot = queue.popBefore(limitNs)) popped.push(queue.event(slot));
  return popped;
}

test("event queue - pops in (time, destination, source, sequence) order whatever the insertion order", () => {
  const rng = Xoshiro128.seeded(1, "queue-test");
  const events: SimEvent[] = [];
  for (let i = 0; i < 2000; i++) events.push(timer(rng.int(50), rng.int(5), rng.int(5), i));
  const expected = [...events].sort(byKey);
  const shuffled = [...events].sort(() => rng.uniform() - 0.5);
  const queue = new EventQueue(4); // grows many times on the way
  for (const e of shuffled) queue.push(e);
  assert.equal(queue.size, 2000);
  assert.deepEqual([...queue.snapshot()].sort(byKey), expected, "a snapshot holds every pending event");
  assert.deepEqual(drain(queue), expected);
});

test("event queue - interleaved pushes and pops (reused slots) keep the key order and every field, over many seeds", () => {
  for (let seed = 2; seed < 42; seed++) interleaved(seed);
});

/** Random pushes (many ties of time, or of time and actors) and pops, against a sorted reference. */
function interleaved(seed: number): void {
  const rng = Xoshiro128.seeded(seed, "queue-test");
  const queue = new EventQueue(2);
  const pending: SimEvent[] = [];
  const packets = Array.from({ length: 8 }, (_, i) => ({ id: i }) as SimPacket);
  let seq = 0;
  let now = 0;
  for (let step = 0; step < 2500; step++) {
    if (rng.uniform() < 0.55) {
      const e: SimEvent =
        rng.uniform() < 0.5
          ? timer(now + rng.int(100), rng.int(300_000), rng.int(300_000), seq++)
          : {
              timeNs: now + rng.int(100),
              dst: rng.int(9),
              src: rng.int(9),
              seq: seq++,
              type: EventType.packet,
              packet: packets[rng.int(8)]!,
              link: rng.int(40),
              tag: 0,
              arg: 0,
            };
      pending.push(e);
      queue.push(e);
    } else {
      pending.sort(byKey);
      const slot = queue.popBefore(Infinity);
      const expected = pending.shift();
      if (expected === undefined) assert.equal(slot, -1);
      else {
        assert.deepEqual(queue.event(slot), expected);
        assert.equal(queue.time(slot), expected.timeNs);
        assert.equal(queue.dst(slot), expected.dst);
        now = expected.timeNs;
      }
    }
    assert.equal(queue.packetsInFlight, pending.filter((e) => e.type === EventType.packet).length);
  }
}

test("event queue - popBefore stops at the window end and counts packets in flight", () => {
  const queue = new EventQueue();
  queue.push(timer(10, 0, 0, 0));
  queue.push({ ...timer(20, 0, 1, 0), type: EventType.packet });
  queue.push({ ...timer(30, 0, 1, 1), type: EventType.packet });
  assert.equal(queue.packetsInFlight, 2);
  assert.equal(queue.time(queue.popBefore(20)), 10);
  assert.equal(queue.popBefore(20), -1, "an event at the window end belongs to the next window");
  assert.equal(queue.time(queue.popBefore(21)), 20);
  assert.equal(queue.packetsInFlight, 1);
  assert.equal(queue.peekTime(), 30);
  assert.throws(
    () => queue.pushTimer(1, 2 ** 21, 0, 0, 0),
    RangeError,
    "actor indices beyond the packed key are refused",
  );
});

test("event queue - times spread over many orders of magnitude, dense and sparse in turn, pop in key order", () => {
  const spreads = [0, 100, 50_000, 20_000_000, 5e9];
  for (let seed = 1; seed <= 30; seed++) {
    const rng = Xoshiro128.seeded(seed, "queue-calendar");
    const queue = new EventQueue(4);
    const pending: SimEvent[] = [];
    let now = 0;
    let seq = 0;
    for (let step = 0; step < 4000; step++) {
      // Dense and sparse phases in turn (many ties, then gaps from nanoseconds to seconds).
      const dense = Math.floor(step / 1000) % 2 === 0;
      if (rng.uniform() < 0.52 || pending.length === 0) {
        const spread = dense ? spreads[rng.int(2)]! : spreads[rng.int(spreads.length)]!;
        const e = timer(now + rng.int(spread + 1), rng.int(4), rng.int(4), seq++);
        pending.push(e);
        queue.push(e);
        continue;
      }
      pending.sort(byKey);
      const expected = pending.shift()!;
      assert.equal(queue.peekTime(), expected.timeNs);
      const slot = queue.popBefore(expected.timeNs + 1);
      assert.deepEqual(queue.event(slot), expected);
      now = expected.timeNs;
    }
    pending.sort(byKey);
    assert.deepEqual([...queue.snapshot()].sort(byKey), pending);
    assert.deepEqual(drain(queue), pending);
  }
});

test("event queue - events far apart pop in order", () => {
  const queue = new EventQueue();
  const times = [3e12, 7, 1e12 + 5, 1e12 + 5, 4096 * 2048 * 3, 4096 * 2048 * 3 - 1, 2 ** 50];
  times.forEach((t, i) => queue.push(timer(t, i, 0, i)));
  const popped = drain(queue).map((e) => e.timeNs);
  assert.deepEqual(
    popped,
    [...times].sort((a, b) => a - b),
  );
  assert.equal(queue.peekTime(), -1);
  for (const far of [1e12, 3e15]) {
    const pair = [far + 4096 * 1000, far + 4096 * 5];
    pair.forEach((t, i) => queue.push(timer(t, 0, 0, i)));
    assert.deepEqual(
      drain(queue).map((e) => e.timeNs),
      [pair[1], pair[0]],
    );
  }
});

test("event queue - timers at an infinite time stay behind every other, each kept once, while the rest pops", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rng = Xoshiro128.seeded(seed, "queue-infinite");
    const queue = new EventQueue(2);
    const finite: SimEvent[] = [];
    const infinite: SimEvent[] = [];
    for (let seq = 0; seq < 40; seq++) {
      const e = timer(rng.uniform() < 0.4 ? Infinity : 2 ** 40 + rng.int(5), rng.int(3), rng.int(3), seq);
      (e.timeNs === Infinity ? infinite : finite).push(e);
      queue.push(e);
    }
    assert.deepEqual(drain(queue), finite.sort(byKey), "every finite event, in key order");
    assert.equal(queue.peekTime(), Infinity);
    assert.deepEqual([...queue.snapshot()].sort(byKey), infinite.sort(byKey), "the infinite ones, each once");
  }
});
