/**
 * Ring all-reduce training with a random compute time in leap mode: a step is the ring's long-run cycle time,
 * estimated by replaying exact mode's recursion (nodes/leap/ml-training-cycle.ts). Against closed forms where
 * communication is negligible (the ring then waits each step for its slowest worker: E[max of N draws] =
 * H_N × mean for the exponential, and an empirical law by enumeration), the steps and GPU energy of a leap run
 * against its law, and against exact mode on the same rings over three seeds, with tolerances from the exact
 * runs' standard error.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ringCycleNs } from "../nodes/leap/ml-training-cycle.ts";
import type { LinkSpec } from "../nodes/runtime/topology.ts";
import { ringTraining, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const gpus = { count: 8, idle_w: 60, max_w: 400 };
const MEAN_S = 0.05;

/** N workers (actors 0…N−1) on one switch (actor N), 5 µs and 100 Gb/s per link. */
function star(n: number): LinkSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    id: `l${i}`,
    a: i,
    b: n,
    latencyNs: 5000,
    bandwidthBps: 100e9,
    loss: 0,
  }));
}

const harmonic = (n: number) => Array.from({ length: n }, (_, k) => 1 / (k + 1)).reduce((s, x) => s + x, 0);

test("leap ml random - with negligible communication a step is E[max of N compute draws]: H_N × mean, enumeration", () => {
  // 1 kB chunks: a round is two 5.08 µs hops, far below the compute time.
  const roundNs = 2 * (Math.ceil((1000 * 8 * 1e9) / 100e9) + 5000);
  for (const n of [2, 4, 8]) {
    const ring = Array.from({ length: n }, (_, i) => i);
    const cycle = ringCycleNs({ distribution: "exponential", mean: 50e6 }, ring, star(n), 1000);
    const closed = 50e6 * harmonic(n) + 2 * (n - 1) * roundNs;
    // The estimate averages ≥ 18,000 steps: standard error ≈ 0.6 × 50 ms / √18,000 ≈ 0.4%.
    assert.ok(Math.abs(cycle / closed - 1) < 0.015, `N = ${n}: ${cycle} ns vs H_N × mean + rounds ${closed} ns`);
  }
  // Values 10, 30, 20 ms with weights 1, 2, 1: the maximum of three draws by enumerating all 64 outcomes.
  const values = [10e6, 30e6, 20e6];
  const weights = [1, 2, 1];
  let enumerated = 0;
  for (const a of [0, 1, 2])
    for (const b of [0, 1, 2])
      for (const c of [0, 1, 2])
        enumerated += (weights[a]! * weights[b]! * weights[c]! * Math.max(values[a]!, values[b]!, values[c]!)) / 4 ** 3;
  const empirical = { distribution: "empirical" as const, values, cumulative: [1, 3, 4] };
  const cycle = ringCycleNs(empirical, [0, 1, 2], star(3), 1000);
  const closed = enumerated + 4 * roundNs;
  assert.ok(Math.abs(cycle / closed - 1) < 0.01, `empirical: ${cycle} ns vs ${closed} ns`);
});

function ring(mode: "exact" | "leap", n: number, modelBytes: string, durationS: number, seed: number) {
  const workers = Array.from({ length: n }, (_, i) => `gpu-${i}`);
  const doc = ringTraining({
    name: `random-${mode}`,
    workers,
    gpus,
    steps: 1,
    duration: `${durationS}s`,
    metricsInterval: "10s",
    overrides: {
      compute_time: { distribution: "exponential", mean: "50ms" },
      model_bytes: modelBytes,
      steps: undefined,
    },
  });
  Object.assign(doc.run, { seed }, mode === "leap" ? { mode: "leap", leap: { step: "10ms" } } : {});
  return { doc, workers };
}

test("leap ml random - a leap run trains the steps of the law; GPU energy from each worker's mean compute", async () => {
  const n = 4;
  const durationS = 20;
  const indices = Array.from({ length: n }, (_, i) => i);
  const stepS = ringCycleNs({ distribution: "exponential", mean: 50e6 }, indices, star(n), 100e6 / n) / 1e9;
  const { doc, workers } = ring("leap", n, "100MB", durationS, 1);
  const run = await runScenario(doc, dir.path);
  const step = run.summary.metrics.step_time_s!.ml_training!;
  const steps = Math.floor(durationS / stepS);
  assert.equal(step.count, steps * n, `${steps} steps of ${stepS} s each`);
  assert.ok(Math.abs(step.mean! - stepS) < 1e-9, `step ${step.mean} s vs ${stepS} s`);
  // Each worker's GPUs are busy its own compute (the mean, 50 ms) per step and idle while it waits for the
  // slowest and for the rounds; the run ends inside a step's compute or its wait.
  const into = durationS - steps * stepS;
  const busyS = steps * MEAN_S + Math.min(into, MEAN_S);
  const closedJ = gpus.count * (gpus.idle_w * durationS + (gpus.max_w - gpus.idle_w) * busyS);
  // The last leap step's draw is its mean over the whole step, of which the run holds the first half.
  const lastHalfJ = gpus.count * (gpus.max_w - gpus.idle_w) * 0.005;
  for (const id of workers) {
    const j = run.joules(id, "gpu");
    assert.ok(Math.abs(j - closedJ) <= lastHalfJ, `${id}: ${j} J vs ${closedJ} J`);
  }
});

/** Steps per second and GPU energy of exact mode over three seeds, and of leap mode. */
async function compare(n: number, modelBytes: string, durationS: number) {
  const rates: number[] = [];
  const energies: number[] = [];
  for (const seed of [1, 2, 3]) {
    const { doc, workers } = ring("exact", n, modelBytes, durationS, seed);
    const run = await runScenario(doc, dir.path);
    rates.push(run.summary.metrics.step_time_s!.ml_training!.count / n / durationS);
    energies.push(workers.reduce((s, id) => s + run.joules(id, "gpu"), 0));
  }
  const { doc, workers } = ring("leap", n, modelBytes, durationS, 1);
  const leap = await runScenario(doc, dir.path);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    exactRate: mean(rates),
    leapRate: leap.summary.metrics.step_time_s!.ml_training!.count / n / durationS,
    exactJ: mean(energies),
    leapJ: workers.reduce((s, id) => s + leap.joules(id, "gpu"), 0),
  };
}

test("leap ml random - against exact mode: steps per second and GPU energy, with little and much communication", async (t) => {
  // A ring's step with exponential compute has a standard deviation of ≈ 60 ms (N = 4) to ≈ 65 ms (N = 8) around
  // 105–160 ms: three seeds of 100 s hold ≥ 1,800 steps, a standard error of ≤ 1.5% on the rate; the GPU energy
  // moves with the busy share of the steps (about half as much). 1 MB: 40 µs rounds, the wait for the slowest
  // dominates; 100 MB: 4 ms rounds, the workers drift apart and chunks queue behind each other (24–56 ms of
  // all-reduce per step), which the cycle estimate replays.
  const durationS = 100;
  const rel = (a: number, b: number) => a / b - 1;
  for (const [n, model] of [
    [4, "1MB"],
    [4, "100MB"],
    [8, "100MB"],
  ] as const) {
    const c = await compare(n, model, durationS);
    t.diagnostic(
      `N = ${n}, ${model}: steps/s leap ${c.leapRate.toFixed(4)} vs exact ${c.exactRate.toFixed(4)} ` +
        `(${(100 * rel(c.leapRate, c.exactRate)).toFixed(2)}%), GPU energy ${(100 * rel(c.leapJ, c.exactJ)).toFixed(2)}%`,
    );
    assert.ok(
      Math.abs(rel(c.leapRate, c.exactRate)) < 0.045,
      `N = ${n}, ${model}: rate ${c.leapRate} vs ${c.exactRate}`,
    );
    assert.ok(Math.abs(rel(c.leapJ, c.exactJ)) < 0.02, `N = ${n}, ${model}: GPU energy ${c.leapJ} vs ${c.exactJ}`);
  }
});
