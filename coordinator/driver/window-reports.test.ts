/**
 * The coordinator's report collector (window-reports.ts): reports of later windows wait as bytes and come back whole
 * (intervals included) at their turn; a report that does not fit is counted and dropped on arrival, one whose
 * intervals do not decode when its window is taken.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { wire } from "../../nodes/runtime/wire.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";
import { ReportCollector } from "./window-reports.ts";

const COUNTERS = {
  injected: 3,
  consumed: 2,
  dropped: 0,
  queued: 1,
  inFlightLocal: 0,
  sentRemote: 0,
  receivedRemote: 0,
};

function report(window: number, host: number, extra: Partial<dctwin.v1.WindowReport.$Properties> = {}): Uint8Array {
  const intervals = [
    {
      interval: window,
      events: 5,
      counterNames: ["bits_erased"],
      counterActor: [host],
      counterName: [0],
      counterValue: [8 * window],
    },
  ];
  return wire.WindowReport.encode({
    window,
    host,
    nextEventNs: 7,
    batchesSentTo: [0, 0],
    counters: COUNTERS,
    intervals,
    events: 5,
    ...extra,
  }).finish();
}

test("report collector - later windows wait as bytes and are taken whole, in window and host order", () => {
  const c = new ReportCollector(2);
  const sent = [report(0, 1), report(1, 0), report(0, 0), report(1, 1)];
  for (const bytes of sent) assert.equal(c.add(bytes, wire.WindowReport.decode(bytes).host), true);
  sent[1]!.fill(0); // the collector keeps its own copy
  for (const window of [0, 1]) {
    const set = c.take()!;
    assert.deepEqual(
      set.map((r) => [Number(r.window), r.host]),
      [
        [window, 0],
        [window, 1],
      ],
    );
    assert.deepEqual(
      set.map((r) => r.intervals.map((i) => [i.counterActor, i.counterNames, i.counterValue])),
      [[[[0], ["bits_erased"], [8 * window]]], [[[1], ["bits_erased"], [8 * window]]]],
    );
    assert.deepEqual([set[1]!.counters!.injected, set[1]!.counters!.queued].map(Number), [3, 1]);
  }
  assert.equal(c.take(), undefined);
  assert.equal(c.malformed, 0);
});

test("report collector - reports that do not fit are counted: on arrival, or at their turn when the body is bad", () => {
  const c = new ReportCollector(2);
  assert.equal(c.add(report(0, 1), 0), false); // names another host than its subject's
  assert.equal(c.add(report(0, 0, { batchesSentTo: [0] }), 0), false); // a batch count per host is missing
  assert.equal(c.add(report(0, 0, { counters: null }), 0), false);
  assert.equal(c.malformed, 3);
  // A head that decodes, an interval that does not (its first field, a varint, runs past the end of the message).
  const good = report(0, 0);
  const badBody = new Uint8Array([...report(0, 1, { intervals: [] }), 0x62, 0x02, 0x08, 0xff]);
  assert.equal(c.add(good, 0), true);
  assert.equal(c.add(badBody, 1), true);
  assert.equal(c.take(), undefined);
  assert.equal(c.malformed, 4);
  assert.deepEqual(c.missing(), [1]); // dropped: the window waits for a report from host 1 again
  assert.equal(c.add(report(0, 1), 1), true);
  assert.deepEqual(
    c.take()!.map((r) => r.host),
    [0, 1],
  );
});

test("report collector - a bundle's reports are taken in order; a bundle that does not decode is counted", () => {
  const c = new ReportCollector(2);
  const bundle = (reports: Uint8Array[]) => wire.ReportBundle.encode({ reports }).finish();
  assert.equal(c.addBundle(bundle([report(0, 0), report(1, 0), report(2, 0)]), 0), true);
  assert.equal(c.addBundle(bundle([report(0, 1), report(1, 0)]), 1), true, "the report naming host 0 is dropped");
  assert.equal(c.malformed, 1);
  assert.equal(c.addBundle(Uint8Array.of(0xff, 0xff), 1), false);
  assert.equal(c.addBundle(bundle([]), 1), false, "an empty bundle is not a bundle");
  assert.equal(c.malformed, 3);
  assert.equal(
    c
      .take()
      ?.map((r) => r.host)
      .join(),
    "0,1",
  );
  assert.equal(c.take(), undefined, "host 1's report of window 1 is missing");
  assert.equal(c.addBundle(bundle([report(1, 1), report(2, 1)]), 1), true);
  assert.deepEqual(
    [c.take(), c.take()].map((set) => set?.map((r) => `${r.window}/${r.host}`).join()),
    ["1/0,1/1", "2/0,2/1"],
  );
});

test("report collector - every host's last bundle (as it stops) is heard, with or without reports; an empty other one is malformed", () => {
  const c = new ReportCollector(2);
  const bundle = (reports: Uint8Array[], last: boolean) => wire.ReportBundle.encode({ reports, last }).finish();
  assert.equal(c.addBundle(bundle([], false), 0), false, "an empty bundle that is not the last");
  assert.equal(c.malformed, 1);
  assert.equal(c.addBundle(bundle([report(0, 0)], true), 0), true);
  assert.equal(c.lastFrom(0), true);
  assert.equal(c.lastFrom(1), false, "host 1 has not stopped yet");
  assert.equal(c.addBundle(bundle([], true), 1), true, "nothing held: still heard");
  assert.equal(c.lastFrom(1), true);
  assert.equal(c.malformed, 1);
  assert.equal(c.addBundle(bundle([report(0, 1)], true), 1), true, "the reports of a last bundle count as any");
  assert.equal(c.take()?.length, 2);
});
