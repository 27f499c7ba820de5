/**
 * Data-parallel training with ring all-reduce on four GPU workers behind one switch. Every round each worker
 * sends one chunk to its successor and the switch's output ports each carry one chunk, so a round takes two
 * serializations and two latencies (store-and-forward), and a step takes compute + 2(N−1) rounds exactly; GPU
 * energy is max power while computing and idle power while communicating. Inference batches by size and wait.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ScenarioError } from "../scenario/issues.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { ringTraining, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const N = 4;
const workers = Array.from({ length: N }, (_, i) => `gpu-${i}`);
const gpus = { count: 8, idle_w: 60, max_w: 400 };

function training(overrides: Record<string, unknown> = {}) {
  return ringTraining({ name: "training", workers, gpus, steps: 5, duration: "2s", metricsInterval: "1s", overrides });
}

test("ml - ring all-reduce steps take compute + 2(N−1) rounds of two hops, with the GPU energy that implies", async () => {
  const { summary, joules } = await runScenario(training(), dir.path);
  const chunkBits = (100e6 / N) * 8;
  const roundS = 2 * (Math.ceil((chunkBits * 1e9) / 100e9) / 1e9 + 5e-6);
  const stepS = 0.05 + 2 * (N - 1) * roundS;
  const step = summary.metrics.step_time_s!.ml_training!;
  assert.equal(step.count, 5 * N, "every worker trains its 5 steps");
  assert.ok(
    Math.abs(step.min! - stepS) < 1e-9 && Math.abs(step.max! - stepS) < 1e-9,
    `step ${step.min}..${step.max} s vs ${stepS} s`,
  );
  const commS = stepS - 0.05;
  const stepJ = gpus.count * (gpus.max_w * 0.05 + gpus.idle_w * commS);
  assert.ok(
    Math.abs(summary.metrics.step_energy_uj!.ml_training!.mean! / 1e6 - stepJ) < 1e-5,
    "recorded energy per step",
  );
  // After its 5 steps the worker idles until the end of the run.
  const expectedJ = 5 * stepJ + gpus.count * gpus.idle_w * (2 - 5 * stepS);
  assert.ok(
    Math.abs(joules("gpu-0") - expectedJ) < 1e-6 * expectedJ,
    `worker energy ${joules("gpu-0")} J vs ${expectedJ} J`,
  );
  assert.equal(summary.packets.dropped, 0);
});

test("ml - the training floor 2·N·D·k_B·T against the energy of the steps trained (η_train)", async () => {
  const { summary } = await runScenario(training({ parameters: 1_000_000, examples_per_step: 32 }), dir.path);
  const [job] = summary.thermodynamics.training;
  assert.ok(job !== undefined && job.group === "ml_training");
  const examples = 5 * N * 32; // 5 steps on each of N workers, 32 examples each
  assert.equal(job.worker_steps, 5 * N);
  assert.equal(job.examples_trained, examples);
  const floorJ = 2 * 1_000_000 * examples * 1.380649e-23 * 300;
  assert.ok(
    Math.abs(job.training_floor_j! - floorJ) < 1e-12 * floorJ,
    `floor ${job.training_floor_j} J vs ${floorJ} J`,
  );
  const chunkBits = (100e6 / N) * 8;
  const stepS = 0.05 + 2 * (N - 1) * 2 * (Math.ceil((chunkBits * 1e9) / 100e9) / 1e9 + 5e-6);
  const stepJ = gpus.count * (gpus.max_w * 0.05 + gpus.idle_w * (stepS - 0.05));
  assert.ok(
    Math.abs(job.step_energy_j - 5 * N * stepJ) < 1e-6 * 5 * N * stepJ,
    `step energy ${job.step_energy_j} J vs ${5 * N * stepJ} J`,
  );
  assert.ok(Math.abs(job.eta_train! - floorJ / job.step_energy_j) < 1e-12, "η_train = floor / energy");
  assert.ok(job.eta_train! > 0 && job.eta_train! < 1e-10, "real training is far above the floor");
  // Without parameters and examples there is no floor to state.
  const plain = await runScenario(training(), dir.path);
  assert.deepEqual(plain.summary.thermodynamics.training, []);
});

test("ml - a worker missing from its own ring is a validation problem", () => {
  assert.throws(
    () => validateScenario(training({ ring: ["gpu-1", "gpu-2"] }), "training"),
    (e: unknown) =>
      e instanceof ScenarioError &&
      e.issues.some((i) => i.path === "actors[0].ring" && i.message.includes("exactly once")),
  );
});

test("ml - inference batches up to max_size at once, or what waits after max_wait", async () => {
  const server = (id: string) => ({
    id,
    kind: "ml_inference",
    group: id,
    gpus: { count: 1, idle_w: 50, max_w: 350 },
    batch: { max_size: 4, max_wait: "10ms" },
    batch_time: { base: "20ms", per_item: "5ms" },
  });
  const burst = (id: string, target: string, n: number) => ({
    id,
    kind: "client",
    group: id,
    target,
    arrivals: { process: "trace", rows: Array.from({ length: n }, () => ({ at: 0 })) },
  });
  const { summary, joules } = await runScenario(
    {
      name: "inference",
      run: { duration: "1s", metrics_interval: "1s" },
      actors: [burst("ten", "batcher", 10), server("batcher"), burst("one", "waiter", 1), server("waiter")],
      links: [
        { a: "ten", b: "batcher", latency: "100us" },
        { a: "one", b: "waiter", latency: "100us" },
      ],
    },
    dir.path,
  );
  const L = 100e-6;
  // Ten at once: batches of 4 (40 ms), 4 (40 ms) and 2 (30 ms) back to back.
  const ten = summary.metrics.response_time_s!.ten!;
  assert.equal(ten.count, 10);
  assert.ok(Math.abs(ten.mean! - (0.07 + 2 * L)) < 1e-9, `mean response ${ten.mean} s`);
  assert.deepEqual([summary.metrics.batch_size!.batcher!.count, summary.metrics.batch_size!.batcher!.sum], [3, 10]);
  // One alone waits max_wait, then runs as a batch of 1 (25 ms).
  assert.ok(Math.abs(summary.metrics.response_time_s!.one!.max! - (0.035 + 2 * L)) < 1e-9);
  const expectedJ = 350 * 0.11 + 50 * (1 - 0.11);
  assert.ok(
    Math.abs(joules("batcher") - expectedJ) < 1e-9 * expectedJ,
    `GPU energy ${joules("batcher")} J vs ${expectedJ} J`,
  );
});
