import assert from "node:assert/strict";
import { test } from "node:test";
import { PowerMeter } from "./power.ts";

const S = 1e9; // ns per second

test("power meter - piecewise-constant draw integrates exactly; a 0 W component still reports its 0 J", () => {
  const meter = new PowerMeter();
  meter.set("cpu", 100, 0);
  meter.set("gpu", 0, 0);
  meter.set("cpu", 250, 2 * S); // 100 W for 2 s
  meter.accrue(3 * S); // then 250 W for 1 s
  assert.deepEqual(meter.drain(), [
    ["cpu", 450],
    ["gpu", 0],
  ]);
  assert.equal(meter.watt("cpu"), 250);
  assert.equal(meter.watt("fans"), 0, "a component never set draws nothing");
  meter.accrue(3 * S);
  assert.deepEqual(meter.drain(), [], "nothing accrued in an empty stretch");
  meter.accrue(4 * S);
  assert.deepEqual(meter.drain(), [
    ["cpu", 250],
    ["gpu", 0],
  ]);
});

test("power meter - spreads and lumps land in the stretches they overlap, sorted by component whatever the order", () => {
  const meter = new PowerMeter();
  meter.set("nic", 1, 0);
  meter.spread("nic", 10, 1 * S, 3 * S); // 10 W more over [1 s, 3 s)
  // New components sort before the spread's: its slot moves, its energy must stay on "nic".
  meter.add("boot", 5);
  meter.spread("cpu", 4, 0, 4 * S);
  meter.accrue(2 * S);
  assert.deepEqual(meter.drain(), [
    ["boot", 5],
    ["cpu", 8],
    ["nic", 2 + 10],
  ]);
  meter.accrue(5 * S);
  assert.deepEqual(meter.drain(), [
    ["cpu", 8],
    ["nic", 3 + 10],
  ]);
  meter.accrue(6 * S);
  assert.deepEqual(meter.drain(), [["nic", 1]], "the spreads are over; lumps are not repeated");
});

test("power meter - an empty or zero spread adds nothing and no component", () => {
  const meter = new PowerMeter();
  meter.spread("nic", 0, 0, S);
  meter.spread("nic", 5, S, S);
  meter.accrue(2 * S);
  assert.deepEqual(meter.drain(), []);
});
