/**
 * Ring all-reduce training in leap mode is deterministic and distributed like the other leap kinds: a ring of
 * four workers on two switches (so its workers land on different hosts), sharing the inter-switch link with
 * client traffic, gives byte-identical results in-process on one host and over a real nats-server with two host
 * processes; every worker trains the steps the closed form gives, whatever host it ran on. So does a ring with a
 * random compute time whose worker crashes and restarts from its checkpoint (stall and restart notices cross hosts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { assertSameFiles, runToFiles } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const ring = ["gpu-0", "gpu-1", "gpu-2", "gpu-3"];
const STEPS = 30;
const scenario = {
  name: "leap-ml-cross-host",
  run: { duration: "5s", seed: 7, metrics_interval: "1s", mode: "leap", leap: { step: "10ms" } },
  actors: [
    ...ring.map((id) => ({
      id,
      kind: "ml_training",
      ring,
      gpus: { count: 8, idle_w: 60, max_w: 400 },
      compute_time: { distribution: "deterministic", value: "50ms" },
      model_bytes: "100MB",
      steps: STEPS,
    })),
    { id: "users", kind: "client", target: "web", arrivals: { process: "poisson", rate_per_s: 500 } },
    { id: "web", kind: "server", service: { distribution: "exponential", mean: "1ms" } },
    { id: "leaf-1", kind: "switch", buffer: "1GB" },
    { id: "leaf-2", kind: "switch", buffer: "1GB" },
  ],
  links: [
    { a: "gpu-0", b: "leaf-1", latency: "5us", bandwidth: "100Gbps" },
    { a: "gpu-1", b: "leaf-1", latency: "5us", bandwidth: "100Gbps" },
    { a: "gpu-2", b: "leaf-2", latency: "5us", bandwidth: "100Gbps" },
    { a: "gpu-3", b: "leaf-2", latency: "5us", bandwidth: "100Gbps" },
    { a: "leaf-1", b: "leaf-2", latency: "20us", bandwidth: "100Gbps" },
    { a: "users", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "web", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
  ],
};
const file = writeScenario(dir.path, "leap-ml-cross-host", scenario);

const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

test("leap ml determinism - byte-identical results for inproc/1 and nats/2 hosts", async () => {
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats2 = await run("nats-2", "--transport", "nats", "--hosts", "2");
  const parsed = JSON.parse(inproc.summary);
  assert.equal(parsed.status, "completed");
  // Two segments take two hops (4.01 ms), two cross the spine in three (6.03 ms): a round is their mean, as exact
  // mode's ring settles to (it gives 0.08012 s per step on this ring, test/leap-ml.test.ts).
  const roundS = (2 * (2 * 2.005e-3) + 2 * (2 * 2.005e-3 + 2.02e-3)) / 4;
  const stepS = 0.05 + 2 * 3 * roundS;
  assert.ok(STEPS * stepS < 5, "the job finishes inside the run");
  const step = parsed.metrics.step_time_s.ml_training;
  assert.equal(step.count, STEPS * ring.length, "every worker trains its steps");
  assert.ok(Math.abs(step.mean - stepS) < 1e-9, `step ${step.mean} s vs ${stepS} s`);
  assertSameFiles(nats2, inproc, "nats/2");
});

test("leap ml determinism - a crash and restart with random compute times: byte-identical for inproc/1 and nats/2", async () => {
  const faulty = {
    ...scenario,
    name: "leap-ml-restart-cross-host",
    actors: scenario.actors.map((a) =>
      a.kind === "ml_training"
        ? {
            ...a,
            compute_time: { distribution: "exponential", mean: "50ms" },
            steps: undefined,
            checkpoint: { every: 5, time: "20ms" },
            restart: { backoff: "100ms" },
          }
        : a,
    ),
    experiment: { faults: [{ action: "actor-crash", selector: { actors: ["gpu-2"] }, at: "2s", duration: "500ms" }] },
  };
  const restartFile = writeScenario(dir.path, "leap-ml-restart-cross-host", faulty);
  const inproc = await runToFiles(
    restartFile,
    join(dir.path, "restart-inproc-1"),
    "--transport",
    "inproc",
    "--hosts",
    "1",
  );
  const nats2 = await runToFiles(restartFile, join(dir.path, "restart-nats-2"), "--transport", "nats", "--hosts", "2");
  const m = JSON.parse(inproc.summary).metrics;
  assert.equal(m.restarts.ml_training.whole_run.sum, 1, "gpu-2 restarts the job once");
  assert.equal(m.lost_training_s.ml_training.whole_run.count, ring.length, "every worker loses work");
  assertSameFiles(nats2, inproc, "nats/2");
});
