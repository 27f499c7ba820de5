import assert from "node:assert/strict";
import { test } from "node:test";
import type { ActorModel } from "./actor.ts";
import { newLocalActor, type LocalActor } from "./actor-lifecycle.ts";
import { ActorMeters } from "./actor-meters.ts";
import { Delivery } from "./delivery.ts";
import { EventQueue } from "./event-queue.ts";
import { IntervalLedger } from "./interval-ledger.ts";
import { LinkTable } from "./link-table.ts";
import { packetWith, type SimPacket } from "./packet.ts";
import { ModelContractError } from "./shard-contract.ts";
import type { ActorSpec, LinkSpec } from "./topology.ts";
import { Transmit } from "./transmission.ts";

// Three actors in a line, 0 - 1 - 2, 1 Gb/s links of 10 us; actors 0 and 1 on host 0, actor 2 on host 1.
const links: LinkSpec[] = [
  { index: 0, id: "l01", a: 0, b: 1, latencyNs: 10_000, bandwidthBps: 1e9, loss: 0, busyExtraW: 2 },
  { index: 1, id: "l12", a: 1, b: 2, latencyNs: 10_000, bandwidthBps: 1e9, loss: 0 },
];
const spec = (index: number): ActorSpec => ({ index, id: `a${index}`, kind: "k", group: "k", labels: {}, params: {} });

function setup(exact = true) {
  const queue = new EventQueue();
  const ledger = new IntervalLedger();
  const counters = {
    injected: 0,
    consumed: 0,
    dropped: 0,
    queued: 0,
    inFlightLocal: 0,
    sentRemote: 0,
    receivedRemote: 0,
  };
  const linkTable = new LinkTable(links);
  const meters = new ActorMeters();
  const model = {} as ActorModel;
  const a0 = newLocalActor(spec(0), model, 1, [{ link: 0, neighbor: 1, reverse: false }]);
  const a1 = newLocalActor(spec(1), model, 1, [
    { link: 0, neighbor: 0, reverse: true },
    { link: 1, neighbor: 2, reverse: false },
  ]);
  const byIndex: (LocalActor | undefined)[] = [a0, a1, undefined];
  const delivery = new Delivery({
    queue,
    ledger,
    counters,
    linkTable,
    meters,
    byIndex,
    nodeOf: Int32Array.of(0, 1, 2),
    hostOf: [0, 0, 1],
    hostIndex: 0,
    exact,
  });
  return { queue, ledger, counters, linkTable, meters, a0, a1, delivery };
}

const packet = (dst: number): SimPacket => packetWith({ dst, sizeBytes: 1250 }); // 10 us on a 1 Gb/s wire

/** A single packet (multiplicity 1) is lost whole or not at all: no part of it is ever dropped. */
const keepWhole = { dropLostPart: (): void => assert.fail("a single packet lost a part of itself") };

test("delivery - a packet for this host arrives after serialization and latency; the wire and its power follow", () => {
  const { queue, delivery, a0, meters } = setup();
  delivery.windowEndNs = 1_000_000;
  assert.equal(delivery.send(a0, a0.ports[0]!, packet(1), 5_000, keepWhole), Transmit.sent);
  assert.equal(
    delivery.send(a0, a0.ports[0]!, packet(1), 5_000, keepWhole),
    Transmit.sent,
    "the second waits for the wire",
  );
  assert.equal(delivery.portFreeNs(a0.ports[0]!), 25_000);
  const slot = queue.popBefore(1_000_000);
  assert.deepEqual([queue.time(slot), queue.dst(slot)], [25_000, 1]);
  assert.equal(queue.time(queue.popBefore(1_000_000)), 35_000);
  assert.deepEqual(meters.powered, [a0], "the busy port's extra draw is metered on its owner");
  assert.equal(delivery.takeOutbox().outbox.size, 0);
});

test("delivery - a packet for another host goes to the outbox, never inside the window", () => {
  const { delivery, a1, counters } = setup();
  delivery.windowEndNs = 20_000;
  delivery.send(a1, a1.ports[1]!, packet(2), 0, keepWhole);
  const taken = delivery.takeOutbox();
  assert.deepEqual([...taken.outbox.keys()], [1]);
  assert.deepEqual(
    taken.outbox.get(1)!.map((e) => [e.timeNs, e.dst, e.src, e.link]),
    [[20_000, 2, 1, 1]],
  );
  assert.equal(taken.minNs, 20_000);
  assert.equal(counters.sentRemote, 1);
  assert.equal(delivery.takeOutbox().outbox.size, 0, "a new outbox each window");
  delivery.windowEndNs = 40_000;
  assert.throws(
    () => delivery.send(a1, a1.ports[1]!, packet(2), 15_000, keepWhole),
    ModelContractError,
    "arrives at 35 us < 40 us",
  );
});

test("delivery - with a quantum above the latency, arrivals wait for the window's end and the delay is reported", () => {
  const { queue, delivery, a0 } = setup(false);
  delivery.windowEndNs = 50_000;
  delivery.send(a0, a0.ports[0]!, packet(1), 0, keepWhole);
  assert.equal(queue.time(queue.popBefore(1_000_000)), 50_000);
  assert.equal(delivery.takeOutbox().addedDelayNs, 30_000);
});

test("delivery - a link that is down takes nothing: the wire stays free, the packet is counted on the link", () => {
  const { delivery, a0, linkTable, ledger, queue } = setup();
  linkTable.apply({ link: 0, up: false });
  assert.equal(delivery.send(a0, a0.ports[0]!, packet(1), 5_000, keepWhole), Transmit.linkDown);
  assert.equal(delivery.portFreeNs(a0.ports[0]!), 0);
  assert.equal(queue.peekTime(), -1);
  assert.equal(ledger.drain(0).links.direction.length, 1);
});

test("delivery - link commands between sends take effect on the next packet (latency, bandwidth, up again)", () => {
  const { delivery, a0, linkTable, queue } = setup();
  delivery.windowEndNs = 1_000_000;
  linkTable.apply({ link: 0, up: false });
  assert.equal(delivery.send(a0, a0.ports[0]!, packet(1), 0, keepWhole), Transmit.linkDown);
  linkTable.apply({ link: 0, up: true, latencyNs: 50_000, bandwidthBps: 1e8 });
  assert.equal(delivery.send(a0, a0.ports[0]!, packet(1), 0, keepWhole), Transmit.sent);
  // 1250 B at 100 Mb/s = 100 us on the wire, then 50 us.
  assert.equal(queue.time(queue.popBefore(1_000_000)), 150_000);
  assert.equal(delivery.portFreeNs(a0.ports[0]!), 100_000);
});
