import assert from "node:assert/strict";
import { test } from "node:test";
import { packetWith } from "./packet.ts";
import { ZERO_NS } from "./time-fields.ts";

test("time fields - start at a zero that is a double (not a small integer) yet acts and prints as 0", () => {
  assert.ok(Object.is(ZERO_NS, -0), "-0: V8 stores it as a double, so the field never changes representation");
  assert.ok(ZERO_NS === 0);
  assert.equal(1_500 - ZERO_NS, 1_500);
  assert.ok(Math.max(ZERO_NS, 0) === 0);
  assert.equal(String(ZERO_NS), "0");
  assert.equal(JSON.stringify({ createdNs: ZERO_NS }), '{"createdNs":0}');
  const packet = packetWith({});
  assert.ok(packet.createdNs === 0);
  assert.ok(packet.flowCreatedNs === 0);
});
