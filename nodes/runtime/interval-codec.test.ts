import assert from "node:assert/strict";
import { test } from "node:test";
import $protobuf from "protobufjs/minimal.js";
import { encodeInterval, encodeWindowReport } from "./interval-codec.ts";
import { IntervalLedger, type IntervalData } from "./interval-ledger.ts";
import { toWireInterval, wire } from "./wire.ts";

/** An interval with every kind of entry, and the values the fast paths must not get wrong. */
function sampleInterval(interval: number): IntervalData {
  const ledger = new IntervalLedger();
  ledger.events = 12_345;
  ledger.metrics.record("busy_core_s", "web", 1_500);
  ledger.metrics.record("busy_core_s", "web", 2 ** 40);
  ledger.countLink(7, 1_500, false, 1);
  ledger.countLink(0, 64, true, 2, 3);
  ledger.drop("queue_full", 2);
  ledger.transition(0, "arrival", 0, 1); // actor 0 and state 0: fields the generated encoder leaves out
  ledger.transition(3, "arrival", 1, 2, 2 ** 33); // a count beyond 32 bits
  ledger.transition(3, "service", 5, -1); // a negative state: ten bytes
  ledger.transition(4, "mode→idle", 2 ** 35, 7); // a large state and a non-ASCII name
  ledger.transition(5, "", 1, 0); // an empty name: left out too
  ledger.tally(0, "packets_injected", 3);
  ledger.tally(2, "bits_erased", -8); // a tally may go below zero
  ledger.tally(2, "bits_delivered", 2 ** 45);
  ledger.exchange(2, 1, "created", 4);
  ledger.count(9, "level:busy", 2 ** 32);
  ledger.count(9, "level:queue", 0.5); // not a whole number: the generated encoder's conversion
  ledger.count(1_000_000, "level:ä", 1);
  ledger.traceEvents.push({
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    kind: "hop",
    timeNs: 10,
    actor: 1,
    toActor: 2,
    link: 3,
    arriveNs: 20,
    packetId: 4,
    packetSrc: 1,
    species: 1,
    sizeBytes: 1_500,
    reason: "",
    multiplicity: 1,
  });
  return ledger.drain(interval, [
    { actor: 0, component: "cpu", joules: 0.25 },
    { actor: 9, component: "nic", joules: 1e-9 },
  ]);
}

test("interval codec - an interval's bytes are exactly the generated IntervalReport encoder's", () => {
  for (const interval of [0, 1, 2 ** 33]) {
    const data = sampleInterval(interval);
    const expected = wire.IntervalReport.encode(toWireInterval(data)).finish();
    const actual = encodeInterval(data, $protobuf.Writer.create()).finish();
    assert.deepEqual(Buffer.from(actual), Buffer.from(expected), `interval ${interval}`);
  }
});

test("interval codec - a window report with intervals decodes as the generated encoder's", () => {
  const report = {
    window: 42,
    host: 1,
    nextEventNs: 123_456,
    batchesSentTo: [0, 1],
    counters: { injected: 5, consumed: 3, dropped: 0, queued: 1, inFlightLocal: 1, sentRemote: 2, receivedRemote: 1 },
    events: 99,
    startNs: 100,
    endNs: 200,
    stopSeen: true,
  };
  const intervals = [sampleInterval(3), sampleInterval(4)];
  const expected = wire.WindowReport.encode({ ...report, intervals: intervals.map(toWireInterval) }).finish();
  const actual = encodeWindowReport(report, intervals);
  const asObject = (bytes: Uint8Array) => wire.WindowReport.decode(bytes);
  assert.deepEqual(asObject(actual), asObject(expected));
  assert.equal(wire.WindowReport.decode(actual).intervals.length, 2);
  // Without intervals the report is the generated encoder's, byte for byte.
  assert.deepEqual(Buffer.from(encodeWindowReport(report, [])), Buffer.from(wire.WindowReport.encode(report).finish()));
});
