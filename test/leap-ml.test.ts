/**
 * Ring all-reduce training in leap mode: the job advances by the closed form (compute + 2(N−1) rounds of two
 * hops), so over a run of several seconds the steps trained and the GPU energy agree with the closed form and
 * with exact mode within 1%, the ring's chunks reach the links, and a pause of a worker is refused clearly
 * (crashes and restarts: test/leap-ml-restart.test.ts; random compute times: test/leap-ml-random.test.ts).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { ringTraining, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const N = 4;
const workers = Array.from({ length: N }, (_, i) => `gpu-${i}`);
const gpus = { count: 8, idle_w: 60, max_w: 400 };
const STEPS = 40;
const DURATION_S = 4;

function training(mode: "exact" | "leap", overrides: Record<string, unknown> = {}) {
  const doc = ringTraining({
    name: `ml-${mode}`,
    workers,
    gpus,
    steps: STEPS,
    duration: `${DURATION_S}s`,
    metricsInterval: "1s",
    overrides,
  });
  if (mode === "leap") Object.assign(doc.run, { mode: "leap", leap: { step: "10ms" } });
  return doc;
}

const within = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

test("leap ml - steps trained and GPU energy match the closed form and exact mode within 1%", async () => {
  const chunkBits = (100e6 / N) * 8;
  const roundS = 2 * (Math.ceil((chunkBits * 1e9) / 100e9) / 1e9 + 5e-6);
  const stepS = 0.05 + 2 * (N - 1) * roundS;
  const stepJ = gpus.count * (gpus.max_w * 0.05 + gpus.idle_w * (stepS - 0.05));
  const closedJ = STEPS * stepJ + gpus.count * gpus.idle_w * (DURATION_S - STEPS * stepS);
  assert.ok(STEPS * stepS < DURATION_S, "the job finishes inside the run, so the steps limit is exercised");

  const sizes = { parameters: 1_000_000, examples_per_step: 32 };
  const leap = await runScenario(training("leap", sizes), dir.path);
  const exact = await runScenario(training("exact", sizes), dir.path);
  assert.equal(leap.summary.settings.quantum_s, 0.01, "the leap run steps by 10 ms");
  for (const [name, run] of [
    ["leap", leap],
    ["exact", exact],
  ] as const) {
    const step = run.summary.metrics.step_time_s!.ml_training!;
    assert.equal(step.count, STEPS * N, `${name}: every worker trains its ${STEPS} steps`);
    assert.ok(Math.abs(step.mean! - stepS) < 1e-9, `${name}: step ${step.mean} s vs ${stepS} s`);
    for (const id of workers) {
      const j = run.joules(id, "gpu");
      assert.ok(within(j, closedJ, 0.01), `${name} ${id}: GPU energy ${j} J vs closed form ${closedJ} J`);
    }
    // The training ledger counts the weighted steps: worker steps, examples and the steps' energy.
    const [job] = run.summary.thermodynamics.training;
    assert.equal(job?.worker_steps, STEPS * N, `${name}: worker steps`);
    assert.equal(job?.examples_trained, STEPS * N * 32, `${name}: examples`);
    assert.ok(within(job!.step_energy_j, STEPS * N * stepJ, 1e-6), `${name}: step energy ${job!.step_energy_j} J`);
  }
  const leapJ = workers.reduce((s, id) => s + leap.joules(id, "gpu"), 0);
  const exactJ = workers.reduce((s, id) => s + exact.joules(id, "gpu"), 0);
  assert.ok(within(leapJ, exactJ, 0.01), `GPU energy leap ${leapJ} J vs exact ${exactJ} J`);
  // The rounds' chunks reach the wire: each worker sends 2(N−1) chunks per step; the switch forwards them.
  const chunks = STEPS * N * 2 * (N - 1);
  assert.equal(exact.summary.packets.link_hops, 2 * chunks, "two hops per chunk in exact mode");
  assert.equal(leap.summary.packets.link_hops, exact.summary.packets.link_hops, "as many chunk hops in leap mode");
  assert.equal(leap.summary.packets.dropped, 0);
});

test("leap ml - with checkpoints the GPUs idle after every 5th step, as the closed form and exact mode have it", async () => {
  const checkpoint = { every: 5, time: "20ms" };
  const overrides = { checkpoint, steps: undefined };
  const runS = 2;
  const short = (mode: "exact" | "leap") => {
    const doc = training(mode, overrides);
    doc.run.duration = `${runS}s`;
    return doc;
  };
  // Closed form: blocks of 5 steps and a 20 ms checkpoint; the run ends inside the compute of a step.
  const stepS = 0.05 + 2 * (N - 1) * 2 * (Math.ceil(((100e6 / N) * 8 * 1e9) / 100e9) / 1e9 + 5e-6);
  const blockS = 5 * stepS + 0.02;
  const blocks = Math.floor(runS / blockS);
  const rest = runS - blocks * blockS;
  const steps = blocks * 5 + Math.floor(rest / stepS);
  const busyS = steps * 0.05 + Math.min(rest - Math.floor(rest / stepS) * stepS, 0.05);
  const closedJ = gpus.count * (gpus.idle_w * runS + (gpus.max_w - gpus.idle_w) * busyS);
  assert.ok(steps < Math.floor(runS / stepS), "the checkpoints cost whole steps over the run");
  const leap = await runScenario(short("leap"), dir.path);
  const exact = await runScenario(short("exact"), dir.path);
  for (const [name, run] of [
    ["leap", leap],
    ["exact", exact],
  ] as const) {
    assert.equal(run.summary.metrics.step_time_s!.ml_training!.count, steps * N, `${name}: ${steps} steps each`);
    for (const id of workers) {
      const j = run.joules(id, "gpu");
      assert.ok(within(j, closedJ, 0.01), `${name} ${id}: GPU energy ${j} J vs closed form ${closedJ} J`);
    }
  }
});

test("leap ml - a pause of a worker is refused at load in leap mode, naming the worker", () => {
  const doc = {
    ...training("leap"),
    experiment: { faults: [{ action: "actor-pause", selector: { actors: ["gpu-1"] }, at: "1s", duration: "1s" }] },
  };
  assert.throws(
    () => validateScenario(doc, "ml.yaml"),
    (e: unknown) =>
      e instanceof ScenarioError &&
      e.issues.some((i) => i.path === "experiment" && /"gpu-1"/.test(i.message) && /leap/.test(i.message)),
  );
  const exact = { ...training("exact"), experiment: doc.experiment };
  assert.doesNotThrow(() => validateScenario(exact, "ml.yaml"), "exact mode runs the pause");
});

test("leap ml - a ring with unequal segments steps at compute + 2(N−1) × the mean segment, as exact mode settles", async () => {
  // gpu-0, gpu-1 on leaf-1 and gpu-2, gpu-3 on leaf-2: two segments of two hops, two across the spine in three.
  const doc = (mode: "exact" | "leap") => {
    const d = training(mode, { steps: 30 }) as ReturnType<typeof training> & { actors: unknown[]; links: unknown[] };
    d.run.duration = "5s";
    d.actors = [
      ...d.actors.filter((a) => (a as { kind: string }).kind === "ml_training"),
      { id: "leaf-1", kind: "switch", buffer: "1GB" },
      { id: "leaf-2", kind: "switch", buffer: "1GB" },
    ];
    d.links = [
      ...workers.map((id, i) => ({ a: id, b: i < 2 ? "leaf-1" : "leaf-2", latency: "5us", bandwidth: "100Gbps" })),
      { a: "leaf-1", b: "leaf-2", latency: "20us", bandwidth: "100Gbps" },
    ];
    return d;
  };
  const hopS = 2e-3 + 5e-6;
  const meanSegmentS = (2 * (2 * hopS) + 2 * (2 * hopS + 2e-3 + 20e-6)) / 4;
  const stepS = 0.05 + 2 * (N - 1) * meanSegmentS;
  const leap = await runScenario(doc("leap"), dir.path);
  const exact = await runScenario(doc("exact"), dir.path);
  for (const [name, run] of [
    ["leap", leap],
    ["exact", exact],
  ] as const) {
    const step = run.summary.metrics.step_time_s!.ml_training!;
    assert.equal(step.count, 30 * N, `${name}: every worker trains its 30 steps`);
    assert.ok(within(step.mean!, stepS, 1e-6), `${name}: step ${step.mean} s vs ${stepS} s`);
  }
  const leapJ = workers.reduce((s, id) => s + leap.joules(id, "gpu"), 0);
  const exactJ = workers.reduce((s, id) => s + exact.joules(id, "gpu"), 0);
  assert.ok(within(leapJ, exactJ, 0.01), `GPU energy leap ${leapJ} J vs exact ${exactJ} J`);
});
