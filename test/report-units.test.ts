/** The report shows a check's observed value in the unit its threshold is written in. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inThresholdUnit } from "../coordinator/observability/report/experiment.ts";

test("report units - observed values in the threshold's unit", () => {
  assert.equal(inThresholdUnit(0.0102044, "response_time_s p(99) < 50ms"), "10.2044 ms");
  assert.equal(inThresholdUnit(2.5e-5, "queue_wait_s mean < 100us"), "25 us");
  assert.equal(inThresholdUnit(0.5, "response_time_s mean < 1s"), "0.5 s");
  assert.equal(inThresholdUnit(446, "dropped_packets{link_down} count > 0"), "446", "a count stays a count");
});
