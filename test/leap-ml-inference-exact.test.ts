/**
 * ml_inference actors the leap law cannot take (two GPUs, a 2 ms batch timer) run their exact model inside a leap
 * run (nodes/leap/exact-in-leap.ts), fed Poisson arrivals released from the leaping switch's counts:
 * - against all-exact runs of the same scenario (three seeds each, 30 simulated s, ~33,600 requests per run):
 *   the clients' responses (throughput by Poisson counts; mean response within 3 standard errors from batch
 *   means; p99 within 5%) and the GPU energy (within 3 standard errors of its busy part, which follows the
 *   served count: about 1.2%);
 * - byte-identical results in-process on one host and over a real nats-server with two host processes;
 * - examples/gpu-pod.yaml (four GPUs, max_wait 2 ms, behind a least-outstanding balancer) runs with --mode leap,
 *   its inference nodes kept exact, byte-identical on inproc/1 and nats/2 too.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { assertSameFiles, runToFiles } from "./support/cli.ts";
import { DURATION_S, GPUS, mlExactScenario, RATE_PER_S, WARMUP_S } from "./support/leap-ml-exact.ts";
import { agreement, pooled, sum, summaryMetrics } from "./support/statistics.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

async function figures(mode: "exact" | "leap", seed: number) {
  const run = await runScenario(mlExactScenario(mode, seed), dir.path);
  const metrics = summaryMetrics(run.summary);
  const settings = (run.summary as unknown as { settings: { exact_actors?: string[] } }).settings;
  return { response: metrics.response_time_s!.client!, energyJ: run.joules("infer"), exact: settings.exact_actors };
}

test("leap ml_inference exact - two GPUs with a batch timer, kept exact in a leap run, agree with all-exact runs", async (t) => {
  const seeds = [1, 2, 3];
  const exact = [];
  const leap = [];
  for (const seed of seeds) {
    exact.push(await figures("exact", seed));
    leap.push(await figures("leap", seed));
  }
  for (const f of leap) assert.deepEqual(f.exact, ["infer"], "the leap run keeps infer exact");
  for (const f of exact) assert.equal(f.exact, undefined, "an exact run lists no exact actors");
  const report = agreement(t, "leap", "exact");
  const servedL = sum(leap.map((f) => f.response.count));
  const servedE = sum(exact.map((f) => f.response.count));
  report("responses", servedL, servedE, 3 * Math.sqrt(servedL + servedE));
  const expected = seeds.length * RATE_PER_S * (DURATION_S - WARMUP_S);
  assert.ok(Math.abs(servedL - expected) <= 3 * Math.sqrt(expected), `served ${servedL} vs λ·t ${expected}`);
  const meanL = pooled(leap.map((f) => f.response));
  const meanE = pooled(exact.map((f) => f.response));
  report("mean response (s)", meanL.mean, meanE.mean, 3 * Math.hypot(meanL.stderr, meanE.stderr));
  const p99L = sum(leap.map((f) => f.response.p99)) / seeds.length;
  const p99E = sum(exact.map((f) => f.response.p99)) / seeds.length;
  report("p99 response (s)", p99L, p99E, 0.05 * p99E);
  // The GPUs' busy energy follows the requests served (each run's count is Poisson): its relative error is the
  // counts'; the idle part is the same in both.
  const energyL = sum(leap.map((f) => f.energyJ));
  const energyE = sum(exact.map((f) => f.energyJ));
  const idleJ = seeds.length * GPUS.count * GPUS.idle_w * DURATION_S;
  const busyError = (energyE - idleJ) * Math.sqrt(1 / servedL + 1 / servedE);
  report("GPU energy (J)", energyL, energyE, 3 * busyError);
});

test("leap ml_inference exact - byte-identical results for inproc/1 and nats/2 hosts; another seed differs", async () => {
  const file = writeScenario(dir.path, "ml-exact", mlExactScenario("leap", 4, 6));
  const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats2 = await run("nats-2", "--transport", "nats", "--hosts", "2");
  const otherSeed = await run("inproc-seed", "--transport", "inproc", "--seed", "5");
  assert.deepEqual(JSON.parse(inproc.summary).settings.exact_actors, ["infer"]);
  assertSameFiles(nats2, inproc, "nats/2");
  assert.notEqual(otherSeed.summary, inproc.summary, "a different seed must give different results");
});

test("leap ml_inference exact - examples/gpu-pod.yaml runs in leap mode with its inference nodes exact", async () => {
  const file = "examples/gpu-pod.yaml";
  const args = ["--mode", "leap", "--duration", "1500ms"];
  const inproc = await runToFiles(file, join(dir.path, "pod-1"), ...args, "--transport", "inproc", "--hosts", "1");
  const nats2 = await runToFiles(file, join(dir.path, "pod-2"), ...args, "--transport", "nats", "--hosts", "2");
  const summary = JSON.parse(inproc.summary);
  assert.equal(summary.status, "completed");
  assert.deepEqual(summary.settings.exact_actors, ["srv-0-4", "srv-1-4"], "the 4-GPU, max_wait nodes run exact");
  assert.ok(summary.metrics.batch_size.inference.count > 0, "the exact nodes run batches");
  assert.ok(summary.metrics.response_time_s.users.count > 1000, "the users get their answers");
  assert.ok(summary.metrics.step_time_s.training.count > 0, "the training ring leaps alongside");
  assert.equal(nats2.summary, inproc.summary, "summary.json of nats/2 differs from inproc/1");
});

test("leap ml_inference exact - run.leap.exact may select an ml_inference actor the leap law could take", async () => {
  const lawful = (exact?: unknown) => {
    const s = mlExactScenario("leap", 1, 3);
    const infer = s.actors[2] as Record<string, unknown>;
    Object.assign(infer, { gpus: { ...GPUS, count: 1 }, batch: { max_size: 8 } });
    if (exact !== undefined) Object.assign(s.run.leap, { exact });
    return s;
  };
  assert.equal(validateScenario(lawful(), "law").scenario.run.leap?.exact, undefined, "one GPU, no timer: it leaps");
  const selected = lawful({ kinds: ["ml_inference"] });
  assert.deepEqual(validateScenario(selected, "selected").scenario.run.leap?.exact, [2]);
  const run = await runScenario(selected, dir.path);
  const summary = run.summary as unknown as { settings: { exact_actors: string[] }; metrics: Record<string, never> };
  assert.deepEqual(summary.settings.exact_actors, ["infer"]);
  const wait = (summary.metrics as Record<string, Record<string, { count: number; max: number; min: number }>>)
    .queue_wait_s!.ml_inference!;
  assert.ok(wait.count > 0 && wait.max > wait.min, "the exact model records each request's own wait");
});
