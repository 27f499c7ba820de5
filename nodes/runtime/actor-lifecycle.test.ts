import assert from "node:assert/strict";
import { test } from "node:test";
import type { ActorContext, ActorModel } from "./actor.ts";
import { CLOCK_DRIFT_COMMAND } from "./clock-drift.ts";
import { applyLifecycleCommand, holdOrLose, newLocalActor, timerDelayNs } from "./actor-lifecycle.ts";
import { EventType, type SimEvent } from "./event-queue.ts";

const calls: string[] = [];
const model: ActorModel = {
  kind: "k",
  initial: () => ({}),
  onPacket: () => {},
  onTimer: () => {},
  onCommand: (_state, command) => void calls.push(command),
  queued: () => 0,
};
const ctx = {} as ActorContext;
const spec = { index: 3, id: "a3", kind: "k", group: "k", labels: {}, params: {} };
const event = (timeNs: number, seq: number, type: EventType = EventType.packet): SimEvent => ({
  timeNs,
  dst: 3,
  src: 1,
  seq,
  type,
  packet: null,
  link: 0,
  tag: 0,
  arg: 0,
});

test("actor lifecycle - pause holds events in order, resume hands them back at the resume time", () => {
  const actor = newLocalActor(spec, model, 1, []);
  assert.deepEqual(applyLifecycleCommand(actor, "pause", {}, 100, ctx), []);
  assert.equal(actor.status, "paused");
  assert.equal(holdOrLose(actor, event(150, 0)), "held");
  assert.equal(holdOrLose(actor, event(170, 1, EventType.timer)), "held");
  const due = applyLifecycleCommand(actor, "resume", {}, 200, ctx)!;
  assert.deepEqual(
    due.map((e) => [e.timeNs, e.seq, e.type]),
    [
      [200, 0, EventType.packet],
      [200, 1, EventType.timer],
    ],
  );
  assert.equal(actor.status, "running");
  assert.equal(actor.deferred, null);
  assert.deepEqual(applyLifecycleCommand(actor, "resume", {}, 300, ctx), [], "resuming a running actor does nothing");
});

test("actor lifecycle - crash tells the model and loses events; recover only from down", () => {
  calls.length = 0;
  const actor = newLocalActor(spec, model, 1, []);
  applyLifecycleCommand(actor, "recover", {}, 0, ctx);
  assert.deepEqual(calls, [], "a running actor does not recover");
  applyLifecycleCommand(actor, "crash", {}, 10, ctx);
  assert.equal(actor.status, "down");
  assert.equal(holdOrLose(actor, event(20, 0)), "lost");
  applyLifecycleCommand(actor, "pause", {}, 30, ctx);
  assert.equal(actor.status, "down", "a crashed actor cannot be paused");
  applyLifecycleCommand(actor, "recover", {}, 40, ctx);
  assert.equal(actor.status, "running");
  assert.deepEqual(calls, ["crash", "recover"]);
});

test("actor lifecycle - clock drift sets the rate its timers use; other commands are the model's", () => {
  const actor = newLocalActor(spec, model, 1, []);
  assert.equal(timerDelayNs(actor, 1000), 1000);
  applyLifecycleCommand(actor, CLOCK_DRIFT_COMMAND, { ppm: 250_000 }, 0, ctx);
  assert.equal(actor.clockRate, 1.25);
  assert.equal(timerDelayNs(actor, 1000), 800, "a fast clock fires its timers early");
  assert.equal(applyLifecycleCommand(actor, "set_rate", {}, 0, ctx), null);
});
