/**
 * A training job whose worker fails restarts from its last checkpoint after a backoff, and the work it lost is
 * counted, against a hand-computed timeline and GPU-energy integral in the style of SimGrid's energy examples.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ringTraining, tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const gpus = { count: 1, idle_w: 60, max_w: 400 };
const workers = ["gpu-0", "gpu-1"];

function job(extra: Record<string, unknown>) {
  return ringTraining({
    name: "restart",
    workers,
    gpus,
    steps: 6,
    duration: "1s",
    metricsInterval: "100ms",
    overrides: extra,
  });
}

const hop = (bytes: number) => Math.ceil((bytes * 8 * 1e9) / 100e9) / 1e9 + 5e-6;

test("ml restart - a failed worker restarts from its last checkpoint; the energy and time lost are counted", async () => {
  const restartable = { checkpoint: { every: 2, time: "10ms" }, restart: { backoff: "100ms" } };
  // gpu-0 crashes at 0.31 s and recovers at 0.5 s.
  const schedule = [actorCommand(0, 0.31e9, "crash"), actorCommand(0, 0.5e9, "recover")];
  const { summary, joules } = await runScenario(job(restartable), dir.path, { schedule });
  const m = summary.metrics;
  // A step: 50 ms of compute, then 2(N−1) = 2 rounds of two hops of a 50 MB chunk (4 ms + 5 µs each).
  const stepS = 0.05 + 2 * 2 * hop(50e6);
  // Steps 1–4 with checkpoints (10 ms) after steps 2 and 4: step 5 starts at 4 steps + 20 ms.
  const checkpointS = 4 * stepS + 0.02;
  // gpu-0 lost step 5's compute so far; gpu-1 computed all of it (50 ms at 400 W), then waited at 60 W for
  // gpu-0's chunk until the restart notice (sent at 0.5 s + the 100 ms backoff, two 64-byte hops) arrived.
  const noticeS = 0.6 + 2 * hop(64);
  const lost0 = 0.31 - checkpointS;
  const lost1 = noticeS - checkpointS;
  const wasted0 = 400 * lost0;
  const wasted1 = 400 * 0.05 + 60 * (lost1 - 0.05);
  const wasted = m.wasted_energy_uj?.ml_training?.whole_run; // µJ, rounded to whole µJ
  assert.equal(wasted?.count, 2, "both workers lost work");
  assert.ok(Math.abs(wasted!.min! - wasted0 * 1e6) <= 1, `gpu-0 wasted ${wasted!.min} µJ vs ${wasted0 * 1e6} µJ`);
  assert.ok(Math.abs(wasted!.max! - wasted1 * 1e6) <= 1, `gpu-1 wasted ${wasted!.max} µJ vs ${wasted1 * 1e6} µJ`);
  const lost = m.lost_training_s?.ml_training?.whole_run;
  assert.ok(Math.abs(lost!.sum! - (lost0 + lost1)) <= 1e-9, `lost time ${lost!.sum} s vs ${lost0 + lost1} s`);
  assert.equal(m.restarts?.ml_training?.whole_run.sum, 1);
  // Both workers train their 6 steps: steps 5 and 6 again after the restart (no step finished twice).
  assert.equal(m.step_time_s?.ml_training?.count, 12);
  // gpu-0's energy: 400 W while computing (6 steps of 50 ms and the 25.92 ms lost), 0 W while down
  // (0.31–0.5 s), 60 W the rest of the second.
  const computeS = 6 * 0.05 + lost0;
  const upS = 1 - (0.5 - 0.31);
  const expected0 = 400 * computeS + 60 * (upS - computeS);
  assert.ok(Math.abs(joules("gpu-0") - expected0) < 1e-9 * expected0, `gpu-0 ${joules("gpu-0")} J vs ${expected0} J`);
  // gpu-1 computes 50 ms more (step 5 twice) and is never down.
  const expected1 = 400 * (7 * 0.05) + 60 * (1 - 7 * 0.05);
  assert.ok(Math.abs(joules("gpu-1") - expected1) < 1e-9 * expected1, `gpu-1 ${joules("gpu-1")} J vs ${expected1} J`);
});

test("ml restart - without a checkpoint the job goes back to the start; the backoff grows by the multiplier", async () => {
  const restart = { restart: { backoff: "100ms", multiplier: 2 } };
  // gpu-0 fails twice: down 0.1–0.2 s (restart at 0.3 s), then 0.4–0.45 s (restart after 200 ms, at 0.65 s).
  const schedule = [
    actorCommand(0, 0.1e9, "crash"),
    actorCommand(0, 0.2e9, "recover"),
    actorCommand(0, 0.4e9, "crash"),
    actorCommand(0, 0.45e9, "recover"),
  ];
  const { summary } = await runScenario(job(restart), dir.path, { schedule });
  const m = summary.metrics;
  assert.equal(m.restarts?.ml_training?.whole_run.sum, 2);
  // gpu-0 loses 0.1 s (since the start), then 0.4 − 0.3 s (since its first restart); gpu-1 loses what it did
  // from the start, then from the first notice (0.3 s + two hops), up to each notice.
  const notice = 2 * hop(64);
  const lost = m.lost_training_s?.ml_training?.whole_run;
  assert.equal(lost?.count, 4, "each failure costs both workers");
  const expectedLost = 0.1 + (0.3 + notice) + (0.4 - 0.3) + (0.65 + notice - (0.3 + notice));
  assert.ok(Math.abs(lost!.sum! - expectedLost) <= 1e-9, `lost ${lost!.sum} s vs ${expectedLost} s`);
  // Steps of 66.02 ms: one each before the first crash, one each between the restart at 0.3 s and the crash at
  // 0.4 s, and five each in the 0.35 s after the second restart.
  assert.equal(0.05 + 2 * 2 * hop(50e6) < 0.35 / 5, true);
  assert.equal(m.step_time_s?.ml_training?.whole_run.count, 2 + 2 + 2 * 5);
});

test("ml restart - without restart a crashed worker stalls the ring as before", async () => {
  const schedule = [actorCommand(0, 0.1e9, "crash"), actorCommand(0, 0.2e9, "recover")];
  const { summary } = await runScenario(job({}), dir.path, { schedule });
  assert.equal(summary.metrics.restarts, undefined);
  assert.equal(summary.metrics.wasted_energy_uj, undefined);
  assert.equal(summary.metrics.step_time_s?.ml_training?.count, 2, "one step each before the crash, then stalled");
});
