import assert from "node:assert/strict";
import { test } from "node:test";
import { PreconditionError } from "../../spec/requests.ts";
import { LEGAL_CALLS, Lifecycle, TRANSITIONS, type RunState } from "./lifecycle.ts";

test("lifecycle - a waiting run starts, runs, pauses, resumes and completes", () => {
  const l = new Lifecycle("waiting");
  assert.equal(l.allows("start"), true);
  l.to("starting");
  l.advance("starting", "running");
  assert.equal(l.state, "running");
  l.advance("starting", "running"); // only from starting
  l.to("paused");
  l.to("running");
  l.to("completed");
  assert.equal(l.ended, true);
});

test("lifecycle - moves not in the table are refused", () => {
  const l = new Lifecycle("starting");
  assert.throws(() => l.to("waiting"), /no transition from starting to waiting/);
  l.to("failed");
  assert.throws(() => l.to("running"), /no transition from failed to running/);
  for (const ended of ["completed", "interrupted", "failed"] as RunState[]) assert.deepEqual(TRANSITIONS[ended], []);
});

test("lifecycle - calls: start only while waiting; changes refused once the run has ended", () => {
  const l = new Lifecycle("starting");
  assert.throws(
    () => l.check("start"),
    (e: unknown) => e instanceof PreconditionError && /the run is starting, not waiting/.test(e.message),
  );
  l.check("injectFault");
  l.to("interrupted");
  for (const call of ["pause", "resume", "injectFault", "clearFault", "changeLoad", "start"] as const)
    assert.throws(
      () => l.check(call),
      (e: unknown) => e instanceof PreconditionError && e.message === "the run has ended (interrupted)",
    );
  assert.equal(l.allows("stop"), false, "stop does nothing once ended (the controller asks allows, not check)");
});

test("lifecycle - every state a call is legal in can be reached", () => {
  const reachable = new Set<RunState>(["waiting", "starting"]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of [...reachable])
      for (const n of TRANSITIONS[s]) if (!reachable.has(n)) reachable.add(n), (changed = true);
  }
  for (const states of Object.values(LEGAL_CALLS)) for (const s of states) assert.ok(reachable.has(s), s);
  assert.equal(reachable.size, Object.keys(TRANSITIONS).length);
});
