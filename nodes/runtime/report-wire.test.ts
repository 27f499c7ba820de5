import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { encodeReport } from "./report-wire.ts";
import { wire } from "./wire.ts";

const SEED = 35;
const COUNTERS = [
  "injected",
  "consumed",
  "dropped",
  "queued",
  "inFlightLocal",
  "sentRemote",
  "receivedRemote",
] as const;
const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 }), fc.maxSafeNat());
const time = fc.oneof(count, fc.constant(-1));
const counters = fc.record({
  ...{ injected: count, consumed: count, dropped: count, queued: count },
  ...{ inFlightLocal: count, sentRemote: count, receivedRemote: count },
});
const interval = fc.record({
  interval: count,
  events: count,
  linkDirection: fc.array(fc.nat(1000), { maxLength: 4 }),
  linkPackets: fc.array(count, { maxLength: 4 }),
  counterNames: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
});
const report = fc.record(
  {
    ...{ window: count, nextEventNs: time, batchesSentTo: fc.array(fc.nat(1), { maxLength: 4 }), counters },
    ...{ events: count, addedDelayNs: count, startNs: count, endNs: count, final: fc.boolean() },
    intervals: fc.array(interval, { maxLength: 2 }),
    timing: fc.record({ windowsS: fc.double({ noNaN: true }), eventsS: fc.double({ noNaN: true }), windows: count }),
  },
  { requiredKeys: ["window", "startNs", "endNs"] },
);
const stamp = fc.record({ host: fc.nat(7), malformedMessages: count, stopSeen: fc.boolean(), fragmentsDropped: count });

test("report wire - the generated encoder's bytes, whole and without the intervals; the peers' form as they read it", () => {
  fc.assert(
    fc.property(report, stamp, (fields, own) => {
      const { full, sync, syncReport } = encodeReport(fields, own);
      const whole = wire.WindowReport.create({ ...fields, ...own });
      assert.deepEqual([...full()], [...wire.WindowReport.encode(whole).finish()]);
      const withoutIntervals = wire.WindowReport.encode(wire.WindowReport.create({ ...whole, intervals: [] }));
      assert.deepEqual([...sync], [...withoutIntervals.finish()]);
      if ((fields.intervals ?? []).length === 0) assert.equal(full(), sync);
      const read = wire.WindowReport.decode(sync);
      const plain = (r: dctwin.v1.WindowReport) => ({
        ...{ window: Number(r.window), host: r.host, nextEventNs: Number(r.nextEventNs) },
        ...{ batchesSentTo: [...r.batchesSentTo], events: Number(r.events), addedDelayNs: Number(r.addedDelayNs) },
        ...{ malformedMessages: Number(r.malformedMessages), startNs: Number(r.startNs), endNs: Number(r.endNs) },
        ...{
          final: r.final,
          stopSeen: r.stopSeen,
          fragmentsDropped: Number(r.fragmentsDropped),
          intervals: r.intervals,
          timing:
            r.timing == null
              ? null
              : [r.timing.windowsS, r.timing.eventsS, r.timing.exchangeS, Number(r.timing.windows)],
        },
        counters: r.counters == null ? null : COUNTERS.map((name) => Number(r.counters![name])),
      });
      assert.deepEqual(plain(syncReport), plain(read));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test("report wire - a report without counters has none; the stamp takes the place of the report's own fields", () => {
  const { full, syncReport } = encodeReport(
    { window: 3, host: 5, malformedMessages: 9, stopSeen: true, startNs: 10, endNs: 20 },
    { host: 1, malformedMessages: 2, stopSeen: false, fragmentsDropped: 4 },
  );
  const read = wire.WindowReport.decode(full());
  assert.equal(read.counters, null);
  assert.equal(syncReport.counters, null);
  assert.deepEqual(
    [read.host, read.malformedMessages, read.stopSeen, read.fragmentsDropped, read.window, read.startNs, read.endNs],
    [1, 2, false, 4, 3, 10, 20],
  );
});
