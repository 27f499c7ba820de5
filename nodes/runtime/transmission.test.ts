import assert from "node:assert/strict";
import { test } from "node:test";
import type { LiveLink } from "./link-table.ts";
import { Xoshiro128 } from "./rng.ts";
import {
  serializationNs,
  transmit,
  Transmit,
  WIRE_FIELDS,
  WireField,
  writeWire,
  type TransmitTimes,
} from "./transmission.ts";

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
/** Transmits on a wire table holding just `l`, its forward wire busy until `busyUntilNs`. */
function transmitOn(
  l: LiveLink,
  busyUntilNs: number,
  nowNs: number,
  sizeBytes: number,
  rng: { uniform(): number },
  out: TransmitTimes,
  multiplicity = 1,
): Transmit {
  const wires = new Float64Array(WIRE_FIELDS);
  writeWire(wires, 0, l);
  wires[WireField.busyUntilNs] = busyUntilNs;
  return transmit(wires, 0, 0, nowNs, sizeBytes, rng, out, multiplicity);
}
const times = (): TransmitTimes => ({ departNs: -1, doneNs: -1, arriveNs: -1, lost: -1 });
const never = { uniform: () => assert.fail("no random draw expected") };

test("transmission - an idle wire: serialization then latency, no random draw", () => {
  const t = times();
  assert.equal(transmitOn(link(), 0, 1_000, 1500, never, t), Transmit.sent);
  // 1500 B at 1 Gb/s = 12 us on the wire, then 10 us of latency.
  assert.deepEqual(t, { departNs: 1_000, doneNs: 13_000, arriveNs: 23_000, lost: 0 });
});

test("transmission - a busy wire delays departure; unlimited bandwidth takes no time", () => {
  const t = times();
  transmitOn(link(), 50_000, 1_000, 125, never, t);
  assert.deepEqual(t, { departNs: 50_000, doneNs: 51_000, arriveNs: 61_000, lost: 0 });
  transmitOn(link({ bandwidthBps: 0 }), 0, 7, 9000, never, t);
  assert.deepEqual(t, { departNs: 7, doneNs: 7, arriveNs: 10_007, lost: 0 });
});

test("transmission - a down link takes nothing; loss and jitter draw from the stream in that order", () => {
  const t = times();
  assert.equal(transmitOn(link({ up: false }), 0, 0, 100, never, t), Transmit.linkDown);
  assert.deepEqual(t, times(), "nothing written");
  const draws = [0.2, 0.5];
  const next = { uniform: () => draws.shift()! };
  assert.equal(transmitOn(link({ loss: 0.3, jitterNs: 1000 }), 0, 0, 125, next, t), Transmit.lost, "0.2 < 0.3: lost");
  assert.equal(t.doneNs, 1_000, "a lost packet still occupied the wire");
  assert.equal(
    transmitOn(link({ loss: 0.3, jitterNs: 1000 }), 0, 0, 125, { uniform: () => draws.shift() ?? 0.9 }, t),
    Transmit.sent,
    "0.5 >= 0.3: sent",
  );
  assert.equal(t.arriveNs, 1_000 + 10_000 + 900, "jitter floor(0.9 * 1000)");
});

test("transmission - each direction has its own wire, busy until the packet is serialized; a down link leaves it", () => {
  const wires = new Float64Array(2 * WIRE_FIELDS);
  writeWire(wires, 0, link({ bandwidthBps: 1e6 }));
  writeWire(wires, WIRE_FIELDS, link({ up: false }));
  const t = times();
  // 125 B at 1 Mb/s = 1 ms.
  assert.equal(transmit(wires, 0, 1, 0, 125, never, t), Transmit.sent);
  assert.equal(transmit(wires, 0, 1, 0, 125, never, t), Transmit.sent);
  assert.deepEqual(
    t,
    { departNs: 1e6, doneNs: 2e6, arriveNs: 2e6 + 10_000, lost: 0 },
    "the second waits for the first",
  );
  assert.equal(wires[WireField.busyUntilNs + 1], 2e6, "the reverse wire");
  assert.equal(wires[WireField.busyUntilNs], 0, "the forward wire is idle");
  assert.equal(transmit(wires, WIRE_FIELDS, 0, 5, 125, never, t), Transmit.linkDown);
  assert.equal(wires[WIRE_FIELDS + WireField.busyUntilNs], 0, "a down link's wire stays idle");
});

test("transmission - serialization rounds up to whole nanoseconds", () => {
  assert.equal(serializationNs(1, { bandwidthBps: 1e10 }), 1);
  assert.equal(serializationNs(1, { bandwidthBps: 3e9 }), 3);
  assert.equal(serializationNs(0, { bandwidthBps: 1e9 }), 0);
});

test("transmission - a count loses a binomial part of itself: mean n·p, variance n·p(1 − p) over many seeds", () => {
  const n = 10_000;
  const p = 0.1;
  const lossy = link({ loss: p });
  const t = times();
  const losses: number[] = [];
  for (let seed = 1; seed <= 400; seed++) {
    assert.equal(transmitOn(lossy, 0, 0, 125, Xoshiro128.seeded(seed, "wire"), t, n), Transmit.sent);
    losses.push(t.lost);
  }
  const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
  const variance = losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1);
  // The sample mean's standard error is √(900/400) = 1.5: 4 of them is 6. The variance's relative error is √(2/399) ≈ 7%.
  assert.ok(Math.abs(mean - n * p) < 6, `mean loss ${mean}`);
  assert.ok(Math.abs(variance / (n * p * (1 - p)) - 1) < 0.25, `variance ${variance}`);
  assert.equal(
    transmitOn(link({ loss: 1 }), 0, 0, 125, never, t, 7),
    Transmit.lost,
    "a certain loss takes all, no draw",
  );
  assert.equal(t.lost, 7);
});
