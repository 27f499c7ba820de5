import assert from "node:assert/strict";
import { test } from "node:test";
import { PACE_TICK_MS, Pacer, pacedDueNs } from "./pacing.ts";
import { SimClock } from "./sim-clock.ts";
import { sleep, every } from "./clock.ts";

test("pacing - due time follows the clock at the speed, on the pace tick", () => {
  assert.equal(pacedDueNs(PACE_TICK_MS - 1e-9, 1), 0);
  assert.equal(pacedDueNs(25, 2), 20 * 1e6 * 2);
  const clock = new SimClock(1_000);
  const pacer = new Pacer(clock, 0.5);
  assert.equal(pacer.dueNs(), 0);
  clock.advance(1_000);
  assert.equal(pacer.dueNs(), 0.5e9, "one wall second at speed 0.5: half a simulated second");
});

test("pacing - time held does not count, and a held pacer's due time stands still", () => {
  const clock = new SimClock();
  const pacer = new Pacer(clock, 1);
  clock.advance(300);
  pacer.hold();
  pacer.hold(); // idempotent: the hold started at 300 ms
  clock.advance(5_000);
  assert.equal(pacer.dueNs(), 0.3e9);
  pacer.go();
  pacer.go();
  assert.equal(pacer.dueNs(), 0.3e9, "resumed where it was held, no catching up");
  clock.advance(200);
  assert.equal(pacer.dueNs(), 0.5e9);
});

test("sim clock - timers fire in time order at their own time; sleep ends early on abort; every repeats", async () => {
  const clock = new SimClock();
  const fired: [string, number][] = [];
  clock.setTimer(() => fired.push(["b", clock.now()]), 20);
  const a = clock.setTimer(() => fired.push(["x", clock.now()]), 15);
  clock.setTimer(() => fired.push(["a", clock.now()]), 10);
  clock.clearTimer(a);
  const stop = every(clock, 7, () => fired.push(["tick", clock.now()]));
  clock.advance(20);
  stop();
  clock.advance(100);
  assert.deepEqual(fired, [
    ["tick", 7],
    ["a", 10],
    ["tick", 14],
    ["b", 20],
  ]);
  assert.equal(clock.pending, 0);
  const abort = new AbortController();
  const slept = sleep(clock, 1_000, abort.signal);
  abort.abort();
  await slept;
  assert.equal(clock.pending, 0, "the aborted sleep's timer is cleared");
});
