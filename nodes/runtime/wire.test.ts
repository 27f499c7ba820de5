import assert from "node:assert/strict";
import { test } from "node:test";
import { tryDecodeWindowSync, wire } from "./wire.ts";

test("wire - another host's report decodes with every field but the intervals", () => {
  const report = wire.WindowReport.create({
    window: 41,
    host: 2,
    nextEventNs: 123_456,
    batchesSentTo: [1, 0, 0, 1],
    counters: { injected: 10, consumed: 4, dropped: 1, queued: 2, inFlightLocal: 3 },
    events: 77,
    malformedMessages: 5,
    addedDelayNs: 9,
    intervals: [{ interval: 3, events: 70, counters: [{ actor: 7, name: "packets_injected", value: 10 }] }],
    startNs: 100_000,
    endNs: 120_000,
    stopSeen: true,
  });
  const bytes = wire.WindowReport.encode(report).finish();
  const full = wire.WindowReport.decode(bytes);
  assert.equal(full.intervals.length, 1);
  const sync = tryDecodeWindowSync(bytes)!;
  const { intervals: _, ...rest } = full;
  for (const [field, value] of Object.entries(rest))
    assert.deepEqual((sync as unknown as Record<string, unknown>)[field], value, field);
  assert.equal(sync.intervals.length, 0);
});

test("wire - bytes that are not a report give undefined", () => {
  assert.equal(tryDecodeWindowSync(Uint8Array.of(0x0a, 0xff, 0xff)), undefined, "a length beyond the end");
  assert.equal(tryDecodeWindowSync(Uint8Array.of(0x07)), undefined, "an invalid wire type");
});
