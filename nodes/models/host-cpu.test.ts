import assert from "node:assert/strict";
import { test } from "node:test";
import { idleHostCpu, loseComponentWork, newHostCpu, ownHostCpu } from "./host-cpu.ts";

test("servers share the idle host CPU until one changes it; then it has its own, starting from the same values", () => {
  const a = { cpu: idleHostCpu() };
  const b = { cpu: idleHostCpu() };
  assert.equal(a.cpu, b.cpu);
  assert.deepEqual(a.cpu, newHostCpu());
  assert.throws(() => {
    a.cpu.millicores = 1; // a change that skips ownHostCpu fails loudly instead of reaching every server
  }, TypeError);
  const own = ownHostCpu(a);
  assert.equal(a.cpu, own);
  assert.equal(ownHostCpu(a), own, "made once");
  assert.notEqual(own, b.cpu);
  assert.deepEqual(loseComponentWork(own, "server_failed", 10), []);
  assert.equal(own.epoch, 1);
  assert.equal(b.cpu.epoch, 0);
  assert.deepEqual(idleHostCpu(), newHostCpu());
});
