/**
 * Pacing, pause/resume and live commands on a simulated clock (coordinator/driver/sim-clock.ts): wall time moves
 * only when the test advances it, so the grant horizon is exactly the paced due time and a live change lands at
 * exactly the simulated time the run holds at, whatever the machine's speed. No test here waits in wall time.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { runModels } from "../nodes/leap/support.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { RunDriver, type RunOutcome } from "../coordinator/driver/run-driver.ts";
import { SimClock } from "../coordinator/driver/sim-clock.ts";
import { pacedDueNs } from "../coordinator/driver/pacing.ts";
import { placeActors } from "../coordinator/placement/place.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { runControlled } from "../coordinator/session.ts";
import type { RunController } from "../coordinator/control/controller.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-simclock-");
after(() => dir.remove());

const { scenario } = loadScenarioText(
  stringify(queueScenario({ rate: 300, meanServiceMs: 2, cores: 2, durationS: 2, intervalS: 0.5, warmupS: 0 })),
  "sim.yaml",
);

/** Lets messages and hosts run (event-loop turns, no wall time) until the driver waits for its clock or the end. */
async function settle(driver: () => RunDriver | undefined, done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100_000; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (done() || driver()?.progress().idle === true) return;
  }
  throw new Error("the driver never came to rest");
}

/** Advances the clock in pace ticks until the run ends. */
async function runOut(clock: SimClock, driver: () => RunDriver | undefined, done: () => boolean): Promise<void> {
  while (!done()) {
    clock.advance(10);
    await settle(driver, done);
  }
}

test("sim clock - a paced run's horizon is the due time; a pause stops it and the pace resumes without catching up", async () => {
  const clock = new SimClock();
  const transport = new InProcTransport();
  const speed = 2;
  const driver = new RunDriver({
    transport,
    runId: "sim-pace",
    scenario,
    placement: placeActors(scenario, 1),
    hostCount: 1,
    speed,
    clock,
  });
  driver.listen();
  new HostAgent({ transport, runId: "sim-pace", host: 0, models: runModels }).start();
  let outcome: RunOutcome | undefined;
  const running = driver.run().then((o) => (outcome = o));
  const done = () => outcome !== undefined;
  const sim = () => driver.progress().simTimeNs;
  await settle(() => driver, done);
  assert.equal(sim(), 0, "nothing is due before the clock moves");
  clock.advance(100);
  await settle(() => driver, done);
  assert.equal(sim(), pacedDueNs(100, speed));
  assert.equal(sim(), 0.2e9);
  clock.advance(55); // between ticks: the horizon moves on the tick only
  await settle(() => driver, done);
  assert.equal(sim(), pacedDueNs(150, speed));

  driver.pause();
  clock.advance(10); // the next tick finds the run paused: it holds at the horizon
  await settle(() => driver, done);
  const held = sim();
  assert.equal(held, pacedDueNs(150, speed));
  clock.advance(60_000);
  await settle(() => driver, done);
  assert.equal(sim(), held, "a minute paused: not a nanosecond further");
  assert.equal(driver.progress().paused, true);

  driver.resume();
  await settle(() => driver, done);
  // Paced from 165 ms of run time (the tick that held it), the minute paused taken off: no catching up.
  assert.equal(sim(), pacedDueNs(160, speed));
  clock.advance(40);
  await settle(() => driver, done);
  assert.equal(sim(), pacedDueNs(200, speed));
  await runOut(clock, () => driver, done);
  await running;
  assert.equal(outcome?.status, "completed");
  assert.equal(outcome?.simTimeNs, 2e9);
  // 2 s at speed 2 is 1 s of run time: 165 ms before the pause, the rest after it (origin moved by the minute
  // held), so the end was due at 61 000 ms on the clock, within the last step the test took.
  assert.ok(clock.now() - 10 < 61_000 && 61_000 <= clock.now(), `ended at ${clock.now()} ms`);
});

test("sim clock - live changes land at the simulated time the run holds at, or at the horizon while it runs", async () => {
  const clock = new SimClock();
  let driver: RunDriver | undefined;
  let controller: RunController | undefined;
  let finished = false;
  const run = runControlled({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "live"),
    speed: 4,
    clock,
    onDriver: (d) => (driver = d),
    onController: (c) => (controller = c),
  }).finally(() => (finished = true));
  const done = () => finished;
  await settle(() => driver, done);
  for (let i = 0; i < 30; i++) {
    clock.advance(10);
    await settle(() => driver, done);
  }
  const c = controller!;
  const pausing = c.pause();
  clock.advance(10);
  await settle(() => driver, done);
  await pausing;
  const status = c.status();
  assert.equal(status.state, "paused");
  assert.equal(status.simTimeNs, pacedDueNs(300, 4), "held at the horizon granted on the tick before");
  const fault = c.injectFault({
    name: "cut",
    selector: { actors: [], kinds: [], groups: [], labels: {}, links: ["clients--server"] },
    choice: { mode: "all", value: 0, seed: null },
    action: { type: "link-down" },
    durationNs: 0.25e9,
  });
  assert.equal(fault.injectedNs, status.simTimeNs, "injected while held: at the held time");
  clock.advance(5_000);
  c.resume();
  await settle(() => driver, done);
  assert.equal(c.status().state, "running");
  for (let i = 0; i < 10; i++) {
    clock.advance(10);
    await settle(() => driver, done);
  }
  const horizon = c.status().simTimeNs;
  const load = c.changeLoad({
    name: "double",
    selector: { actors: ["clients"], kinds: [], groups: [], labels: {}, links: [] },
    stepNs: null,
    change: { type: "set", target: { factor: 2 } },
  });
  clock.advance(10);
  await settle(() => driver, done);
  assert.equal(load.startedNs, horizon, "a change while running applies at the horizon it was submitted at");
  await runOut(clock, () => driver, done);
  const result = await run;
  // The timed clear is released at the first boundary at or after it is due: paced horizons fall on the pace tick.
  const tick = pacedDueNs(10, 4);
  const clearNs = Math.ceil((fault.injectedNs! + 0.25e9) / tick) * tick;
  assert.equal(c.faults.get(fault.id)?.clearedNs, clearNs);
  const live = result.outcome.appliedCommands.filter((a) => a.source === "live");
  assert.deepEqual(
    [...new Set(live.map((a) => a.timeNs))],
    [fault.injectedNs, clearNs, horizon].sort((a, b) => a! - b!),
  );
});
