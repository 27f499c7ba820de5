import assert from "node:assert/strict";
import { test } from "node:test";
import { EventQueue, EventType, type SimEvent } from "./event-queue.ts";
import { Xoshiro128 } from "./rng.ts";

function timer(timeNs: number, dst: number, src: number, seq: number): SimEvent {
  return { timeNs, dst, src, seq, type: EventType.timer, packet: null, link: -1, tag: 0, arg: 0 };
}

test("event queue - pops in (time, destination, source, sequence) order whatever the insertion order", () => {
  const rng = Xoshiro128.seeded(1, "queue-test");
  const events: SimEvent[] = [];
  for (let i = 0; i < 2000; i++) events.push(timer(rng.int(50), rng.int(5), rng.int(5), i));
  const expected = [...events].sort((a, b) => a.timeNs - b.timeNs || a.dst - b.dst || a.src - b.src || a.seq - b.seq);
  const shuffled = [...events].sort(() => rng.uniform() - 0.5);
  const queue = new EventQueue();
  for (const e of shuffled) queue.push(e);
  const popped: SimEvent[] = [];
  for (let e = queue.popBefore(Infinity); e !== undefined; e = queue.popBefore(Infinity)) popped.push(e);
  assert.deepEqual(popped, expected);
});

test("event queue - popBefore stops at the window end and counts packets in flight", () => {
  const queue = new EventQueue();
  queue.push(timer(10, 0, 0, 0));
  queue.push({ ...timer(20, 0, 1, 0), type: EventType.packet });
  queue.push({ ...timer(30, 0, 1, 1), type: EventType.packet });
  assert.equal(queue.packetsInFlight, 2);
  assert.equal(queue.popBefore(20)?.timeNs, 10);
  assert.equal(queue.popBefore(20), undefined, "an event at the window end belongs to the next window");
  assert.equal(queue.popBefore(21)?.timeNs, 20);
  assert.equal(queue.packetsInFlight, 1);
  assert.equal(queue.peekTime(), 30);
});
