import assert from "node:assert/strict";
import { test } from "node:test";
import type { ActorContext } from "../runtime/actor.ts";
import { packetWith, Species, type SimPacket } from "../runtime/packet.ts";
import { dequeue, enqueue, newRequestQueue, waitingCount } from "./request-queue.ts";

/** The context calls a queue makes: the time, and transitions and drops it reports. */
function queueContext() {
  const transitions: [number, number][] = [];
  const ctx = {
    nowNs: 0,
    countTransitionId: (_mechanism: number, from: number, to: number) => transitions.push([from, to]),
    drop: () => assert.fail("nothing is dropped without a limit"),
  } as unknown as ActorContext & { nowNs: number };
  return { ctx, transitions };
}

function request(id: number): SimPacket {
  return packetWith({ id, flowId: id, species: Species.SPECIES_REQUEST, dst: 1, sizeBytes: 100 });
}

test("request queue - FIFO with arrival times, and it keeps no packet it has handed out", () => {
  const q = newRequestQueue();
  const { ctx, transitions } = queueContext();
  let next = 0;
  let taken = 0;
  // Rounds that fill the queue and drain it (partly, then fully), longer than the compaction threshold.
  for (const [add, take] of [
    [3, 2],
    [1, 2],
    [2000, 1500],
    [10, 510],
  ] as const) {
    for (let i = 0; i < add; i++) {
      ctx.nowNs = next * 10;
      enqueue(q, request(next++), undefined, waitingCount(q), ctx);
    }
    for (let i = 0; i < take; i++) {
      const got = dequeue(q)!;
      assert.equal(got.packet.id, taken, "first in, first out");
      assert.equal(got.arrivedNs, taken * 10);
      taken++;
    }
    assert.equal(waitingCount(q), next - taken);
    // Only waiting packets (and, between compactions, some taken ones) are held; none once the queue empties.
    if (next === taken) assert.deepEqual([q.packets.length, q.arrivedNs.length, q.head], [0, 0, 0]);
    else assert.ok(q.packets.length - q.head === next - taken && q.packets.length <= 2 * (next - taken) + 1025);
  }
  assert.equal(dequeue(q), null);
  assert.equal(transitions.length, next, "one arrival transition per admitted request");
  assert.ok(transitions.every(([from, to]) => to === from + 1 && from >= 0));
});
