import assert from "node:assert/strict";
import { test } from "node:test";
import { LAST_REPORTS_WAIT_MS, LastReports, type LastReportsRecord } from "./last-reports.ts";
import { SimClock } from "./sim-clock.ts";
import { Waker } from "./waker.ts";

/** A 3-host wait on a simulated clock; `answer(host)` is a host's last bundle coming in. */
function setup(flush: () => Promise<void> = async () => {}) {
  const clock = new SimClock();
  const waker = new Waker(clock);
  const answered = new Set<number>();
  const last = new LastReports(3, (host) => answered.has(host));
  let flushes = 0;
  let done: LastReportsRecord | undefined;
  const waiting = last.wait(waker, clock, () => (flushes++, flush())).then((r) => (done = r));
  const answer = (host: number) => (answered.add(host), waker.poke());
  return { clock, waker, last, answered, answer, waiting, done: () => done, flushes: () => flushes };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test("last reports - every host answers: the wait ends on the last answer, without a flush", async () => {
  const s = setup();
  s.answer(0);
  s.answer(2);
  await turn();
  assert.equal(s.done(), undefined, "host 1 can still answer");
  assert.deepEqual(s.last.pending, [1]);
  s.answer(1);
  await s.waiting;
  assert.deepEqual(s.done(), { answered: [0, 1, 2], lost: [], silent: [], ended: "answered" });
  assert.equal(s.flushes(), 0);
  assert.equal(s.clock.pending, 0, "no timer left");
});

test("last reports - a host known lost is not waited for, also one lost during the wait", async () => {
  const s = setup();
  s.last.lost([1]);
  s.answer(0);
  await turn();
  assert.equal(s.done(), undefined, "host 2 can still answer");
  s.last.lost([2, 7]); // a host index out of range is ignored
  s.waker.poke();
  await s.waiting;
  assert.deepEqual(s.done(), { answered: [0], lost: [1, 2], silent: [], ended: "lost" });
  assert.equal(s.flushes(), 1, "one round trip for bundles sent just before the hosts were seen to go");
  assert.equal(s.clock.pending, 0);
});

test("last reports - a host seen to exit before its bundle was read: the flush brings the bundle in", async () => {
  let s: ReturnType<typeof setup> | undefined;
  s = setup(async () => {
    s!.answered.add(1);
  });
  s.answer(0);
  s.answer(2);
  s.last.lost([1]);
  s.waker.poke();
  await s.waiting;
  assert.deepEqual(s.done(), { answered: [0, 1, 2], lost: [], silent: [], ended: "answered" });
});

test("last reports - a host neither answered nor known lost is waited for up to the time limit", async () => {
  const s = setup();
  s.answer(0);
  s.last.lost([2]);
  s.waker.poke();
  s.clock.advance(LAST_REPORTS_WAIT_MS - 1);
  await turn();
  assert.equal(s.done(), undefined);
  s.clock.advance(1);
  await s.waiting;
  assert.deepEqual(s.done(), { answered: [0], lost: [2], silent: [1], ended: "time-limit" });
  assert.equal(s.flushes(), 0, "the time limit passed: nothing more is waited for");
});

test("last reports - a flush that never returns (NATS lost) ends with the time limit", async () => {
  const s = setup(() => new Promise<void>(() => {}));
  s.last.lost([0, 1, 2]);
  s.waker.poke();
  await turn();
  assert.equal(s.flushes(), 1);
  assert.equal(s.done(), undefined, "the flush is given what is left of the time limit");
  s.clock.advance(LAST_REPORTS_WAIT_MS);
  await s.waiting;
  assert.deepEqual(s.done(), { answered: [], lost: [0, 1, 2], silent: [], ended: "lost" });
  assert.equal(s.last.record, s.done());
});
