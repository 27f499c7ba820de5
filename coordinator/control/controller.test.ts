import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { CommandSpec, RunDriver } from "../driver/run-driver.ts";
import { SimClock } from "../driver/sim-clock.ts";
import { PreconditionError, emptySelector } from "../../spec/requests.ts";
import { RunController } from "./controller.ts";
import { emptyPlan } from "./plan.ts";

const S = 1e9;
const scenario = {
  run: {
    name: "c",
    seed: 1,
    durationNs: 10 * S,
    quantumNs: 50_000,
    metricsIntervalNs: S,
    warmupNs: 0,
    ambientTemperatureK: 300,
    distributionLoss: 0,
    traceSampleRatio: 0,
    carbon: null,
  },
  actors: [{ index: 0, id: "a", kind: "server", group: "server", labels: {}, params: {} }],
  links: [{ index: 0, id: "l", a: 0, b: 0, latencyNs: 50_000, bandwidthBps: 0, loss: 0 }],
} as unknown as ResolvedScenario;

/** The driver as the controller sees it: it records what is submitted and holds when paused. */
function fakeDriver() {
  const submitted: CommandSpec[] = [];
  let paused = false;
  const driver = {
    submit: (c: CommandSpec) => submitted.push(c),
    pause: () => (paused = true),
    resume: () => (paused = false),
    progress: () => ({ simTimeNs: 0, windows: 0, paused, hostsJoined: 1, appliedCommands: 0, idle: true }),
  };
  return { driver: driver as unknown as RunDriver, submitted };
}

const linkDown = {
  name: "cut",
  selector: { ...emptySelector(), links: ["l"] },
  choice: { mode: "all" as const, value: 0, seed: null },
  action: { type: "link-down" as const },
  durationNs: 2 * S,
};

test("controller - waits for start, holds on pause, applies a change made while held at the held time", async () => {
  const clock = new SimClock();
  const c = new RunController({ scenario, plan: emptyPlan(), runId: "r", hostCount: 1, waitForStart: true, clock });
  assert.equal(c.runState, "waiting");
  c.start();
  assert.throws(() => c.start(), PreconditionError);
  const { driver, submitted } = fakeDriver();
  c.attach(driver);
  c.onWindow({ window: 0, startNs: 0, endNs: S, events: 0, packets: 0, totals: {} as never });
  assert.equal(c.runState, "running");
  const pausing = c.pause();
  c.onBoundary(3 * S); // the driver holds at its horizon
  await pausing;
  assert.equal(c.runState, "paused");
  const fault = c.injectFault(linkDown);
  assert.equal(fault.injectedNs, 3 * S, "applied where the run holds");
  assert.equal(submitted.length, 1);
  c.resume();
  assert.equal(c.runState, "running");
  c.onBoundary(4 * S);
  assert.equal(submitted.length, 1, "the timed clear is not due yet");
  c.onBoundary(5 * S);
  assert.equal(c.faults.get(fault.id)?.clearedNs, 5 * S);
  assert.equal(submitted.length, 2);
  c.finish({ status: "completed", simTimeNs: 10 * S } as never);
  assert.equal(c.runState, "completed");
  assert.throws(() => c.injectFault(linkDown), /the run has ended \(completed\)/);
  c.stop("late"); // nothing happens once ended
  assert.equal(c.stopSignal.aborted, false);
  assert.equal(c.intervalFaultRows().length, 10, "one row per interval, also those nothing was reported in");
});

test("controller - a pause that never holds gives up after its wait on the clock", async () => {
  const clock = new SimClock();
  const c = new RunController({ scenario, plan: emptyPlan(), runId: "r", hostCount: 1, clock });
  c.attach(fakeDriver().driver);
  let resolved = false;
  const pausing = c.pause(5_000).then(() => (resolved = true));
  clock.advance(4_999);
  await Promise.resolve();
  assert.equal(resolved, false);
  clock.advance(1);
  await pausing;
  assert.equal(c.runState, "starting", "asked, not yet held");
});
