import assert from "node:assert/strict";
import { test } from "node:test";
import type { LiveLink } from "./link-table.ts";
import { serializationNs, transmit, Transmit, type TransmitTimes } from "./transmission.ts";

const link = (over: Partial<LiveLink> = {}): LiveLink => ({
  index: 0,
  id: "l",
  a: 0,
  b: 1,
  latencyNs: 10_000,
  bandwidthBps: 1e9,
  loss: 0,
  up: true,
  jitterNs: 0,
  ...over,
});
const times = (): TransmitTimes => ({ departNs: -1, doneNs: -1, arriveNs: -1 });
const never = { uniform: () => assert.fail("no random draw expected") };

test("transmission - an idle wire: serialization then latency, no random draw", () => {
  const t = times();
  assert.equal(transmit(link(), 0, 1_000, 1500, never, t), Transmit.sent);
  // 1500 B at 1 Gb/s = 12 us on the wire, then 10 us of latency.
  assert.deepEqual(t, { departNs: 1_000, doneNs: 13_000, arriveNs: 23_000 });
});

test("transmission - a busy wire delays departure; unlimited bandwidth takes no time", () => {
  const t = times();
  transmit(link(), 50_000, 1_000, 125, never, t);
  assert.deepEqual(t, { departNs: 50_000, doneNs: 51_000, arriveNs: 61_000 });
  transmit(link({ bandwidthBps: 0 }), 0, 7, 9000, never, t);
  assert.deepEqual(t, { departNs: 7, doneNs: 7, arriveNs: 10_007 });
});

test("transmission - a down link takes nothing; loss and jitter draw from the stream in that order", () => {
  const t = times();
  assert.equal(transmit(link({ up: false }), 0, 0, 100, never, t), Transmit.linkDown);
  assert.deepEqual(t, times(), "nothing written");
  const draws = [0.2, 0.5];
  const next = { uniform: () => draws.shift()! };
  assert.equal(transmit(link({ loss: 0.3, jitterNs: 1000 }), 0, 0, 125, next, t), Transmit.lost, "0.2 < 0.3: lost");
  assert.equal(t.doneNs, 1_000, "a lost packet still occupied the wire");
  assert.equal(
    transmit(link({ loss: 0.3, jitterNs: 1000 }), 0, 0, 125, { uniform: () => draws.shift() ?? 0.9 }, t),
    Transmit.sent,
    "0.5 >= 0.3: sent",
  );
  assert.equal(t.arriveNs, 1_000 + 10_000 + 900, "jitter floor(0.9 * 1000)");
});

test("transmission - serialization rounds up to whole nanoseconds", () => {
  assert.equal(serializationNs(1, { bandwidthBps: 1e10 }), 1);
  assert.equal(serializationNs(1, { bandwidthBps: 3e9 }), 3);
  assert.equal(serializationNs(0, { bandwidthBps: 1e9 }), 0);
});
