/**
 * A hybrid run (rack a exact, the rest leaping; an exact server crashed and recovered at step boundaries, a
 * least-outstanding balancer in front of the exact rack) gives byte-identical results in-process on one host and
 * over a real nats-server with two host processes; another seed differs. A run interrupted after a checkpoint (the
 * exact servers' requests waiting for release, their timers) and resumed gives the undisturbed run's results.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { interruptedRun, resumedRun } from "./support/checkpoints.ts";
import { assertSameFiles, runToFiles } from "./support/cli.ts";
import { hybridScenario } from "./support/leap-hybrid.ts";
import { readResults as files } from "./support/nats-run.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const base = hybridScenario("hybrid", 5);
const scenario = {
  ...base,
  run: { ...base.run, duration: "10s" },
  actors: base.actors.map((a) => (a.id === "lb-a" ? { ...a, policy: "least_outstanding" } : a)),
  experiment: { faults: [{ action: "actor-crash", selector: { actors: ["a0"] }, at: "4s", duration: "2s" }] },
};
const file = writeScenario(dir.path, "hybrid", scenario);
const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

test("leap hybrid determinism - byte-identical results for inproc/1 and nats/2 hosts; another seed differs", async () => {
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats2 = await run("nats-2", "--transport", "nats", "--hosts", "2");
  const otherSeed = await run("inproc-seed", "--transport", "inproc", "--seed", "6");
  const parsed = JSON.parse(inproc.summary);
  assert.equal(parsed.status, "completed");
  assert.equal(parsed.settings.quantum_s, 0.01, "the step is the window");
  assert.deepEqual(parsed.settings.exact_actors, ["a0", "a1", "c0", "api"], "rack a's servers with c0's component");
  const down = parsed.packets.dropped_by_reason.actor_down ?? 0;
  const failed = parsed.packets.dropped_by_reason.server_failed ?? 0;
  assert.ok(down + failed > 0, "the exact server's crash drops requests");
  const busy = parsed.metrics.busy_core_s;
  assert.ok(busy["rack-a"].max > busy["rack-a"].min, "the exact rack records each request's own service time");
  assert.equal(busy["rack-b"].max, busy["rack-b"].min, "the leaping rack records the mean service per count");
  assertSameFiles(nats2, inproc, "nats/2");
  assert.notEqual(otherSeed.summary, inproc.summary, "a different seed must give different results");
});

test("leap hybrid determinism - a run interrupted after a checkpoint and resumed gives the undisturbed results", async () => {
  const resolved = validateScenario(scenario, "hybrid.yaml").scenario;
  const whole = join(dir.path, "whole");
  await runTwin({ scenario: resolved, hosts: 1, transport: "inproc", outDir: whole });
  const out = join(dir.path, "cut");
  const run = { scenario: resolved, hosts: 2, outDir: out };
  await resumedRun(run, await interruptedRun(run, "hybrid-cut", 5));
  assert.deepEqual(files(out), files(whole), "resumed = undisturbed, byte for byte");
});
