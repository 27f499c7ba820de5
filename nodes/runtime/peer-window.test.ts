import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { EventType, type SimEvent } from "./event-queue.ts";
import { packetWith, type SimPacket } from "./packet.ts";
import { decodePeerWindow, encodePeerWindow } from "./peer-window.ts";
import { wire } from "./wire.ts";

const SEED = 35;
const ACTORS = 1 << 20;

/** The generated encoder's input for an event: every field given, as the runtime's packets have them all. */
function inFlight(e: SimEvent): dctwin.v1.InFlight.$Properties {
  const p = e.packet!;
  return {
    packet: {
      ...{ id: p.id, flowId: p.flowId, species: p.species, src: p.src, dst: p.dst, sizeBytes: p.sizeBytes },
      ...{ multiplicity: p.multiplicity, createdNs: p.createdNs, hops: p.hops, kind: p.kind },
      ...{ flowCreatedNs: p.flowCreatedNs, replyBytes: p.replyBytes, streamRatePerS: p.streamRatePerS },
      ...{ streamArrivalScv: p.streamArrivalScv, streamPool: p.streamPool },
      trace: p.traceparent === "" ? null : { traceparent: p.traceparent },
    },
    ...{ toActor: e.dst, fromActor: e.src, link: e.link, deliverNs: e.timeNs, seq: e.seq },
  };
}

/** A packet as the generated decoder reads it back (an absent field is its zero). */
function decodedPacket(p: dctwin.v1.IPacket): SimPacket {
  return packetWith({
    ...{ id: Number(p.id), flowId: Number(p.flowId), species: p.species!, src: p.src!, dst: p.dst! },
    ...{ sizeBytes: Number(p.sizeBytes), multiplicity: Number(p.multiplicity), createdNs: Number(p.createdNs) },
    ...{ hops: p.hops!, kind: p.kind!, flowCreatedNs: Number(p.flowCreatedNs), replyBytes: Number(p.replyBytes) },
    ...{ streamRatePerS: p.streamRatePerS!, streamArrivalScv: p.streamArrivalScv!, streamPool: p.streamPool! },
    traceparent: p.trace?.traceparent ?? "",
  });
}

const u32 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: ACTORS - 1 }));
const u53 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }), fc.maxSafeNat());
const i53 = fc.oneof(u53, fc.constant(-1), fc.constant(-0), fc.integer({ min: -(2 ** 40), max: -1 }));
const real = fc.oneof(fc.constant(0), fc.constant(-0), fc.double({ noNaN: true }));
const packetArb = fc.record({
  ...{ id: u53, flowId: u53, species: fc.integer({ min: 0, max: 3 }), src: u32, dst: u32, sizeBytes: u53 },
  ...{ multiplicity: u53, createdNs: i53, hops: u32, kind: u32, flowCreatedNs: i53, replyBytes: u53 },
  ...{ streamRatePerS: real, streamArrivalScv: real, streamPool: u32 },
  traceparent: fc.oneof(fc.constant(""), fc.string({ minLength: 1, maxLength: 200 })),
});
const eventArb = fc
  .record({ timeNs: i53, dst: u32, src: u32, seq: u53, link: u32, packet: packetArb })
  .map((e): SimEvent => ({ ...e, type: EventType.packet, tag: 0, arg: 0 }));
const reportBytes = wire.WindowReport.encode({ window: 9, host: 1, nextEventNs: -1, batchesSentTo: [0, 1] }).finish();

test("peer window - the same bytes as the generated encoder, and read back as the generated decoder reads them", () => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 6 }), (events) => {
      const bytes = encodePeerWindow(reportBytes, events);
      const reference = wire.PeerWindow.encode({
        report: wire.WindowReport.decode(reportBytes),
        items: events.map(inFlight),
      }).finish();
      assert.deepEqual(bytes, reference);

      const decoded = decodePeerWindow(bytes, ACTORS)!;
      assert.deepEqual(decoded.report, wire.WindowReport.decode(reportBytes));
      const items = wire.PeerWindow.decode(bytes).items;
      assert.equal(decoded.events.length, items.length);
      decoded.events.forEach((e, i) => {
        const item = items[i]!;
        assert.deepEqual(e.packet, decodedPacket(item.packet!));
        assert.deepEqual(
          { timeNs: e.timeNs, dst: e.dst, src: e.src, seq: e.seq, link: e.link, type: e.type },
          {
            ...{ timeNs: Number(item.deliverNs), dst: item.toActor, src: item.fromActor, seq: Number(item.seq) },
            ...{ link: item.link, type: EventType.packet },
          },
        );
      });
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test("peer window - a packet's fields come back as sent (zeros and -0 times as 0)", () => {
  const packet = packetWith({
    ...{ id: 2 ** 40, flowId: 7, species: 1, src: 3, dst: 4, sizeBytes: 1500, multiplicity: 3, createdNs: 123 },
    ...{ hops: 2, kind: 5, flowCreatedNs: 100, replyBytes: 2 ** 33, streamRatePerS: 1.5, streamArrivalScv: -0 },
    ...{ streamPool: 4, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
  });
  const sent: SimEvent = {
    timeNs: 900,
    dst: 6,
    src: 5,
    seq: 2 ** 35,
    type: EventType.packet,
    packet,
    link: 9,
    tag: 0,
    arg: 0,
  };
  const [got] = decodePeerWindow(encodePeerWindow(reportBytes, [sent]), 10)!.events;
  assert.deepEqual(got, sent);
  const zero: SimEvent = {
    ...sent,
    packet: packetWith({ multiplicity: 1 }),
    timeNs: 0,
    dst: 0,
    src: 0,
    seq: 0,
    link: 0,
  };
  const [back] = decodePeerWindow(encodePeerWindow(reportBytes, [zero]), 10)!.events;
  assert.deepEqual(back, { ...zero, packet: { ...zero.packet!, createdNs: 0, flowCreatedNs: 0 } });
});

test("peer window - refuses bytes that are not a PeerWindow, items without a packet and actors out of range", () => {
  const event = (fields: Partial<SimEvent>, packet: Partial<SimPacket> = {}): SimEvent => ({
    ...{ timeNs: 5, dst: 1, src: 0, seq: 0, type: EventType.packet, link: 0, tag: 0, arg: 0 },
    packet: packetWith({ id: 1, src: 0, dst: 1, ...packet }),
    ...fields,
  });
  const ok = encodePeerWindow(reportBytes, [event({})]);
  assert.equal(decodePeerWindow(ok, 2)?.events.length, 1);
  assert.equal(decodePeerWindow(ok.subarray(0, ok.length - 1), 2), undefined, "truncated");
  assert.equal(decodePeerWindow(Uint8Array.of(0xff, 0xff, 0xff), 2), undefined, "not a message");
  for (const [what, bad] of [
    ["next hop", event({ dst: 2 })],
    ["previous hop", event({ src: 2 })],
    ["source", event({}, { src: 2 })],
    ["destination", event({}, { dst: 2 })],
  ] as const)
    assert.equal(decodePeerWindow(encodePeerWindow(reportBytes, [bad]), 2), undefined, what);
  const noPacket = wire.PeerWindow.encode({ report: wire.WindowReport.decode(reportBytes), items: [{ toActor: 1 }] });
  assert.equal(decodePeerWindow(noPacket.finish(), 2), undefined, "an item without its packet");
  const empty = decodePeerWindow(wire.PeerWindow.encode({}).finish(), 2);
  assert.deepEqual(empty, { report: null, events: [] }, "no report: the caller refuses it");
});
