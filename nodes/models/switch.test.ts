import assert from "node:assert/strict";
import { test } from "node:test";
import type { ActorContext } from "../runtime/actor.ts";
import { packetWith, Species, type SimPacket } from "../runtime/packet.ts";
import { switchModel } from "./switch.ts";

function packet(id: number): SimPacket {
  return packetWith({ id, flowId: id, species: Species.SPECIES_REQUEST, dst: 2, sizeBytes: 100 });
}

/**
 * The calls a switch with one port makes: its wire is busy for 10 ns after each packet it is handed, and timers
 * are kept for the test to fire.
 */
function oneWireContext() {
  const sent: number[] = [];
  const timers: { atNs: number; tag: number; arg: number }[] = [];
  let freeNs = 0;
  const ctx = {
    nowNs: 0,
    self: { index: 1, id: "sw" },
    ports: [{ link: 0 }],
    routeAll: () => [0],
    portUp: () => true,
    portsUp: () => true,
    portFreeNs: () => freeNs,
    send: (p: SimPacket) => {
      sent.push(p.id);
      freeNs = ctx.nowNs + 10;
    },
    schedule: (delayNs: number, tag: number, arg: number) => timers.push({ atNs: ctx.nowNs + delayNs, tag, arg }),
    countTransitionId: () => {},
    drop: () => assert.fail("nothing is dropped: the buffer is large enough"),
  };
  return { ctx: ctx as unknown as ActorContext & { nowNs: number }, sent, timers };
}

test("switch - a congested port forwards FIFO and keeps no packet it has sent", () => {
  const { ctx, sent, timers } = oneWireContext();
  const state = switchModel.initial({ buffer: 1e9 }, ctx);
  const arrived: SimPacket[] = [];
  // Packets arrive every 5 ns at a wire that takes 10 ns each: the queue grows and never empties.
  for (let id = 0; id < 2000; id++) {
    ctx.nowNs = id * 5;
    while (timers.length > 0 && timers[0]!.atNs <= ctx.nowNs) {
      const t = timers.shift()!;
      const now = ctx.nowNs;
      ctx.nowNs = t.atNs;
      switchModel.onTimer!(state, t.tag, t.arg, ctx);
      ctx.nowNs = now;
    }
    const p = packet(id);
    arrived.push(p);
    switchModel.onPacket(state, p, ctx);
  }
  assert.ok(sent.length > 900 && sent.length < 1100, `about half of the packets are sent (${sent.length})`);
  assert.deepEqual(
    sent,
    sent.map((_, i) => i),
    "first in, first out",
  );
  const held = new Set(state.fifos[0]!.packets.filter((p) => p !== undefined));
  assert.equal(held.size, 2000 - sent.length, "the waiting packets are held");
  assert.equal(switchModel.queued!(state), 2000 - sent.length);
  assert.deepEqual(
    [state.waiting[0], state.waitingBytes[0]],
    [2000 - sent.length, 100 * (2000 - sent.length)],
    "the port's count and bytes",
  );
  for (const id of sent) assert.ok(!held.has(arrived[id]!), `sent packet ${id} is not held`);
});
