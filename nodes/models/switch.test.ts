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
function oneWireContext(drops?: [number, string][]) {
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
    drop: (p: SimPacket, reason: string) =>
      drops === undefined ? assert.fail("nothing is dropped: the buffer is large enough") : drops.push([p.id, reason]),
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

test("switch - a full buffer drops at the tail; a crash drops what waits in FIFO order and forwards afresh after", () => {
  const drops: [number, string][] = [];
  const { ctx, sent, timers } = oneWireContext(drops);
  const state = switchModel.initial({ buffer: 250 }, ctx); // two waiting packets of 100 B fit, a third does not
  for (let id = 0; id < 5; id++) switchModel.onPacket(state, packet(id), ctx);
  assert.deepEqual(sent, [0], "the first goes out at once");
  assert.deepEqual(drops, [
    [3, "buffer_full"],
    [4, "buffer_full"],
  ]);
  assert.equal(switchModel.queued!(state), 2);
  switchModel.onCommand!(state, "crash", {}, ctx);
  assert.deepEqual(drops.slice(2), [
    [1, "switch_down"],
    [2, "switch_down"],
  ]);
  assert.deepEqual([switchModel.queued!(state), state.waiting[0], state.waitingBytes[0], state.armed[0]], [0, 0, 0, 0]);
  ctx.nowNs = 100; // the wire is idle again; the PORT_FREE timer armed before the crash is lost with the switch
  timers.length = 0;
  switchModel.onPacket(state, packet(5), ctx);
  switchModel.onPacket(state, packet(6), ctx);
  assert.deepEqual(sent, [0, 5], "an idle port forwards at once; the next waits");
  assert.deepEqual(timers, [{ atNs: 110, tag: 1, arg: 0 }], "a new PORT_FREE timer for the waiting packet");
});
