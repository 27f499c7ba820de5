import assert from "node:assert/strict";
import { test } from "node:test";
import { curveWatts, powerCurve, pstateSpeed, slowestPstate } from "./power-curves.ts";

test("power curves - linear and SPECpower interpolate; P-states scale speed by frequency", () => {
  const linear = powerCurve.parse({ model: "linear", idle_w: 100, max_w: 300 });
  assert.equal(curveWatts(linear, 0.25, 0), 150);
  const spec = powerCurve.parse({ model: "specpower", points_w: [50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 200] });
  assert.equal(curveWatts(spec, 0.35, 0), 85);
  assert.equal(curveWatts(spec, 1, 0), 200);
  assert.equal(curveWatts(spec, 0.95, 0), 170);
  const dvfs = powerCurve.parse({
    model: "pstate",
    states: [
      { freq_ghz: 2, idle_w: 80, max_w: 160 },
      { freq_ghz: 3, idle_w: 100, max_w: 300 },
      { freq_ghz: 1.5, idle_w: 70, max_w: 120 },
    ],
  });
  assert.equal(dvfs.model === "pstate" && dvfs.initial, 0);
  assert.equal(pstateSpeed(dvfs, 0), 2 / 3);
  assert.equal(dvfs.model === "pstate" && slowestPstate(dvfs), 2);
  assert.equal(curveWatts(dvfs, 0.5, 1), 200);
  assert.equal(pstateSpeed(undefined, 0), 1);
});

test("power curves - schema problems name the field", () => {
  const issues = (input: unknown) =>
    powerCurve.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  assert.deepEqual(issues({ model: "linear", idle_w: 200, max_w: 100 }), ["max_w: max_w must be at least idle_w"]);
  assert.deepEqual(issues({ model: "specpower", points_w: [1, 2, 3] }), [
    "points_w: expected 11 powers in watts (0%, 10%, .., 100% load)",
  ]);
  assert.deepEqual(issues({ model: "pstate", states: [{ freq_ghz: 2, idle_w: 1, max_w: 2 }], initial: 3 }), [
    "initial: no P-state with this index",
  ]);
  assert.match(
    issues({ model: "quartic" })![0]!,
    /expected "model": one of linear, sqrt, square, cubic, mse, asymptotic, specpower, pstate/,
  );
});
