/**
 * Crashes and restarts of a training job in leap mode, against the hand-computed timelines of exact mode's tests
 * (test/models-ml-restart.test.ts) and against exact mode on the same scenarios: the work lost since the last
 * checkpoint (its time and GPU energy), the restarts, the steps redone, the GPUs' energy while down and during the
 * backoff, and a crash without `restart` stalling the ring.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ringTraining, tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const gpus = { count: 1, idle_w: 60, max_w: 400 };
const workers = ["gpu-0", "gpu-1"];
const MODES = ["leap", "exact"] as const;

function job(mode: (typeof MODES)[number], extra: Record<string, unknown>) {
  const doc = ringTraining({
    name: `restart-${mode}`,
    workers,
    gpus,
    steps: 6,
    duration: "1s",
    metricsInterval: "100ms",
    overrides: extra,
  });
  // Commands fall on the 10 ms steps' boundaries.
  if (mode === "leap") Object.assign(doc.run, { mode: "leap", leap: { step: "10ms" } });
  return doc;
}

const hop = (bytes: number) => Math.ceil((bytes * 8 * 1e9) / 100e9) / 1e9 + 5e-6;
/** A step: 50 ms of compute, then 2(N−1) = 2 rounds of two hops of a 50 MB chunk (4 ms + 5 µs each). */
const stepS = 0.05 + 2 * 2 * hop(50e6);
/** The restart notice: two 64-byte hops. */
const noticeS = 2 * hop(64);

test("leap ml restart - a failed worker restarts from its last checkpoint; lost work as the closed form and exact mode", async () => {
  const restartable = { checkpoint: { every: 2, time: "10ms" }, restart: { backoff: "100ms" } };
  const schedule = [actorCommand(0, 0.31e9, "crash"), actorCommand(0, 0.5e9, "recover")];
  // Steps 1–4 with checkpoints (10 ms) after steps 2 and 4: the restart point is 4 steps + 20 ms. gpu-0 loses
  // step 5's compute up to its crash; gpu-1 computes all of it, then waits at idle until the restart notice
  // (0.5 s + the 100 ms backoff + two hops).
  const checkpointS = 4 * stepS + 0.02;
  const lost0 = 0.31 - checkpointS;
  const lost1 = 0.6 + noticeS - checkpointS;
  const wasted0 = 400 * lost0;
  const wasted1 = 400 * 0.05 + 60 * (lost1 - 0.05);
  // gpu-0: 400 W for 6 steps of compute and the lost part of step 5, 0 W while down (0.31–0.5 s), 60 W otherwise;
  // gpu-1 computes step 5 twice and is never down.
  const computeS = 6 * 0.05 + lost0;
  const expected0 = 400 * computeS + 60 * (1 - 0.19 - computeS);
  const expected1 = 400 * (7 * 0.05) + 60 * (1 - 7 * 0.05);
  const gpuJ: Record<string, number[]> = {};
  for (const mode of MODES) {
    const { summary, joules } = await runScenario(job(mode, restartable), dir.path, { schedule });
    const m = summary.metrics;
    assert.equal(summary.settings.quantum_s, mode === "leap" ? 0.01 : summary.settings.quantum_s, "10 ms leap steps");
    const wasted = m.wasted_energy_uj?.ml_training?.whole_run; // µJ, rounded to whole µJ
    assert.equal(wasted?.count, 2, `${mode}: both workers lost work`);
    assert.ok(
      Math.abs(wasted!.min! - wasted0 * 1e6) <= 1,
      `${mode}: gpu-0 wasted ${wasted!.min} µJ vs ${wasted0 * 1e6}`,
    );
    assert.ok(
      Math.abs(wasted!.max! - wasted1 * 1e6) <= 1,
      `${mode}: gpu-1 wasted ${wasted!.max} µJ vs ${wasted1 * 1e6}`,
    );
    const lost = m.lost_training_s?.ml_training?.whole_run;
    assert.ok(Math.abs(lost!.sum! - (lost0 + lost1)) <= 1e-9, `${mode}: lost ${lost!.sum} s vs ${lost0 + lost1} s`);
    assert.equal(m.restarts?.ml_training?.whole_run.sum, 1, `${mode}: one restart`);
    assert.equal(m.step_time_s?.ml_training?.count, 12, `${mode}: 6 steps each, steps 5 and 6 after the restart`);
    // Leap mode restarts the whole ring at the restart time; exact mode's gpu-1 starts when the notice
    // reaches it (10 µs later): 3.4 mJ of compute in 179 J.
    assert.ok(
      Math.abs(joules("gpu-0") - expected0) < 1e-9 * expected0,
      `${mode}: gpu-0 ${joules("gpu-0")} J vs ${expected0} J`,
    );
    assert.ok(
      Math.abs(joules("gpu-1") - expected1) < 1e-4 * expected1,
      `${mode}: gpu-1 ${joules("gpu-1")} J vs ${expected1} J`,
    );
    gpuJ[mode] = workers.map((id) => joules(id, "gpu"));
  }
  for (const [i, id] of workers.entries())
    assert.ok(Math.abs(gpuJ.leap![i]! - gpuJ.exact![i]!) < 1e-4 * gpuJ.exact![i]!, `${id}: leap vs exact GPU energy`);
});

test("leap ml restart - without a checkpoint the job goes back to the start; the backoff grows by the multiplier", async () => {
  const restart = { restart: { backoff: "100ms", multiplier: 2 } };
  // gpu-0 fails twice: down 0.1–0.2 s (restart at 0.3 s), then 0.4–0.45 s (restart after 200 ms, at 0.65 s).
  const schedule = [
    actorCommand(0, 0.1e9, "crash"),
    actorCommand(0, 0.2e9, "recover"),
    actorCommand(0, 0.4e9, "crash"),
    actorCommand(0, 0.45e9, "recover"),
  ];
  // gpu-0 loses 0.1 s (since the start), then 0.4 − 0.3 s (since its first restart); gpu-1 what it did from the
  // start, then from the first notice, up to each notice.
  const expectedLost = 0.1 + (0.3 + noticeS) + (0.4 - 0.3) + (0.65 + noticeS - (0.3 + noticeS));
  assert.ok(stepS < 0.35 / 5, "five steps fit after the second restart");
  for (const mode of MODES) {
    const { summary } = await runScenario(job(mode, restart), dir.path, { schedule });
    const m = summary.metrics;
    assert.equal(m.restarts?.ml_training?.whole_run.sum, 2, mode);
    const lost = m.lost_training_s?.ml_training?.whole_run;
    assert.equal(lost?.count, 4, `${mode}: each failure costs both workers`);
    assert.ok(Math.abs(lost!.sum! - expectedLost) <= 1e-9, `${mode}: lost ${lost!.sum} s vs ${expectedLost} s`);
    // One step each before the first crash, one each between the restart at 0.3 s and the crash at 0.4 s, five
    // each after the second restart.
    assert.equal(m.step_time_s?.ml_training?.whole_run.count, 2 + 2 + 2 * 5, mode);
  }
});

test("leap ml restart - without restart a crashed worker stalls the ring, as in exact mode", async () => {
  const schedule = [actorCommand(0, 0.1e9, "crash"), actorCommand(0, 0.2e9, "recover")];
  const gpuJ: Record<string, number> = {};
  for (const mode of MODES) {
    const { summary, joules } = await runScenario(job(mode, {}), dir.path, { schedule });
    assert.equal(summary.metrics.restarts, undefined, mode);
    assert.equal(summary.metrics.wasted_energy_uj, undefined, mode);
    assert.equal(summary.metrics.step_time_s?.ml_training?.count, 2, `${mode}: one step each, then stalled`);
    // gpu-1 computes its second step (from 66 ms) to the end, then idles; gpu-0 keeps the draw it had at its
    // crash (computing: exact mode loses its timers).
    const expected1 = 400 * 0.1 + 60 * 0.9;
    assert.ok(Math.abs(joules("gpu-1") - expected1) < 1e-9 * expected1, `${mode}: gpu-1 ${joules("gpu-1")} J`);
    gpuJ[mode] = joules("gpu-0");
  }
  assert.ok(
    Math.abs(gpuJ.leap! - gpuJ.exact!) < 1e-9 * gpuJ.exact!,
    `gpu-0 leap ${gpuJ.leap} J vs exact ${gpuJ.exact} J`,
  );
});

test("leap ml restart - random compute times with crashes: steps, restarts and GPU energy as exact mode over three seeds", async (t) => {
  // Four workers, exponential compute (mean 50 ms), 1 MB of gradients, a checkpoint every 10 steps; gpu-1 crashes
  // at 10, 25 and 40 s and recovers 0.5 s later (backoff 200 ms). Each crash loses the steps since the last
  // checkpoint (≈ 5 of ≈ 9.6 per second) plus 0.7 s, so ≈ 10% of the run.
  const workers4 = ["gpu-0", "gpu-1", "gpu-2", "gpu-3"];
  const durationS = 60;
  const schedule = [10, 25, 40].flatMap((s) => [
    actorCommand(1, s * 1e9, "crash"),
    actorCommand(1, (s + 0.5) * 1e9, "recover"),
  ]);
  const doc = (mode: (typeof MODES)[number], seed: number) => {
    const d = ringTraining({
      name: `random-restart-${mode}`,
      workers: workers4,
      gpus,
      steps: 1,
      duration: `${durationS}s`,
      metricsInterval: "10s",
      overrides: {
        compute_time: { distribution: "exponential", mean: "50ms" },
        model_bytes: "1MB",
        steps: undefined,
        checkpoint: { every: 10, time: "50ms" },
        restart: { backoff: "200ms" },
      },
    });
    Object.assign(d.run, { seed }, mode === "leap" ? { mode: "leap", leap: { step: "10ms" } } : {});
    return d;
  };
  const measure = async (mode: (typeof MODES)[number], seed: number) => {
    const { summary, joules } = await runScenario(doc(mode, seed), dir.path, { schedule });
    const m = summary.metrics;
    assert.equal(m.restarts?.ml_training?.whole_run.sum, 3, `${mode} seed ${seed}: three restarts`);
    assert.equal(m.lost_training_s?.ml_training?.whole_run.count, 3 * workers4.length, `${mode}: all lose work`);
    return {
      steps: m.step_time_s!.ml_training!.count / workers4.length,
      joules: workers4.reduce((s, id) => s + joules(id, "gpu"), 0),
    };
  };
  const exact = [await measure("exact", 1), await measure("exact", 2), await measure("exact", 3)];
  const leap = await measure("leap", 1);
  const mean = (f: (r: { steps: number; joules: number }) => number) => exact.reduce((s, r) => s + f(r), 0) / 3;
  const steps = leap.steps / mean((r) => r.steps) - 1;
  const energy = leap.joules / mean((r) => r.joules) - 1;
  t.diagnostic(
    `steps per worker leap ${leap.steps} vs exact ${mean((r) => r.steps)} (${(100 * steps).toFixed(2)}%), GPU energy ${(100 * energy).toFixed(2)}%`,
  );
  // ≈ 520 steps per worker and seed with a step's standard deviation ≈ 57% of its mean: a standard error ≈ 1.4%
  // on the steps of three seeds; the phase of each crash in its checkpoint block adds about as much again.
  assert.ok(Math.abs(steps) < 0.05, `steps ${leap.steps} vs ${mean((r) => r.steps)}`);
  assert.ok(Math.abs(energy) < 0.02, `GPU energy ${leap.joules} vs ${mean((r) => r.joules)}`);
});

test("leap ml restart - a step the law completes while the stall notice travels is counted (the stated bias), its loss is not", async () => {
  // gpu-0 crashes at 0.34 s, 10 ms before step 5 would end (0.35 s); gpu-1 learns of it at its mid-step of
  // 0.365 s (two hops of one 10 ms step each), so leap mode counts gpu-1's step 5, which exact mode's stalled ring
  // never finishes. The work lost is computed from the crash time: the same in both modes.
  const restartable = { checkpoint: { every: 2, time: "10ms" }, restart: { backoff: "100ms" } };
  const schedule = [actorCommand(0, 0.34e9, "crash"), actorCommand(0, 0.5e9, "recover")];
  const checkpointS = 4 * stepS + 0.02;
  assert.ok(checkpointS + stepS > 0.34 && checkpointS + stepS < 0.365, "step 5 ends inside the notice's lag");
  const counts: Record<string, number> = {};
  for (const mode of MODES) {
    const { summary } = await runScenario(job(mode, restartable), dir.path, { schedule });
    const m = summary.metrics;
    const lost = m.lost_training_s?.ml_training?.whole_run;
    const expected = 0.34 - checkpointS + (0.6 + noticeS - checkpointS);
    assert.ok(Math.abs(lost!.sum! - expected) <= 1e-9, `${mode}: lost ${lost!.sum} s vs ${expected} s`);
    counts[mode] = m.step_time_s!.ml_training!.count;
  }
  assert.equal(counts.exact, 12, "exact mode: 6 steps each");
  assert.equal(counts.leap, 13, "leap mode: gpu-1's step 5 once more");
});

test("leap ml restart - a crash during the backoff cancels the restart, as in exact mode", async () => {
  // gpu-0: down 0.1–0.2 s, its restart due at 0.3 s; down again at 0.25 s (the restart is lost), recovers at 0.4 s
  // and restarts at 0.5 s. The job goes back to the start; both workers then train all 6 steps.
  const schedule = [
    actorCommand(0, 0.1e9, "crash"),
    actorCommand(0, 0.2e9, "recover"),
    actorCommand(0, 0.25e9, "crash"),
    actorCommand(0, 0.4e9, "recover"),
  ];
  for (const mode of MODES) {
    const { summary } = await runScenario(job(mode, { restart: { backoff: "100ms" } }), dir.path, { schedule });
    const m = summary.metrics;
    assert.equal(m.restarts?.ml_training?.whole_run.sum, 1, `${mode}: one restart`);
    // gpu-0 records a loss at each crash (both since the start, as exact mode keeps its restart point), gpu-1 at
    // the restart notice (0.5 s + two hops).
    const lost = m.lost_training_s?.ml_training?.whole_run;
    const expected = 0.1 + 0.25 + (0.5 + noticeS);
    assert.equal(lost?.count, 3, `${mode}: gpu-1 loses work once, at the restart that happens`);
    assert.ok(Math.abs(lost!.sum! - expected) <= 1e-9, `${mode}: lost ${lost!.sum} s vs ${expected} s`);
    assert.equal(m.step_time_s?.ml_training?.count, 2 * (1 + 6), `${mode}: one step each before, all 6 after`);
  }
});
