/**
 * Checkpoints and --resume: a run interrupted after a checkpoint and resumed from it gives byte-identical results
 * (summary.json, timeseries.csv, links.csv) to the same run undisturbed — in process on 3 hosts (and with the
 * cooling relay's state in the coordinator's checkpoint), and through the CLI: SIGINT of a 3-host NATS run once its
 * first checkpoint is on disk, then `dctwin run --resume`. Resuming what cannot be resumed exits 2.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { interruptedRun, resumedRun } from "./support/checkpoints.ts";
import { collect, REPO_ROOT, runCli, startCli } from "./support/cli.ts";
import { readResults as results } from "./support/nats-run.ts";
import { crossHostScenario, tempDir, writeScenario } from "./support/scenarios.ts";
import { assertCleanPartialResults } from "./support/partial-results.ts";

const dir = tempDir();
after(() => dir.remove());

// Traffic crosses hosts both ways on 3 hosts, with link loss and queue-full drops (as in determinism.test.ts).
const file = writeScenario(dir.path, "cross-host", crossHostScenario("250ms"));

async function interruptAndResume(
  name: string,
  scenarioFile: string,
  hosts: number,
  stopAfterIntervals: number,
  durationNs?: number,
) {
  const { scenario } = loadScenarioFile(scenarioFile, durationNs === undefined ? {} : { durationNs });
  const whole = join(dir.path, `${name}-whole`);
  await runTwin({ scenario, hosts: 1, transport: "inproc", outDir: whole });
  const out = join(dir.path, name);
  const run = { scenario, hosts, outDir: out };
  const stored = await interruptedRun(run, `${name}-run`, stopAfterIntervals);
  assert.equal(stored.hosts.length, hosts);
  assert.notDeepEqual(results(out), results(whole), "the interrupted run's results are partial");
  assertCleanPartialResults(out);
  await resumedRun(run, stored);
  assert.deepEqual(results(out), results(whole), "resumed = undisturbed, byte for byte");
  assert.ok(!existsSync(join(out, ".streaming")), "its part files became its results");
  assert.ok(!existsSync(join(out, "checkpoint")), "a completed run leaves no checkpoint behind");
}

test("checkpoint - an interrupted 3-host run resumed from its checkpoint gives the undisturbed run's results", async () => {
  await interruptAndResume("cross-host", file, 3, 3);
});

test("checkpoint - warm-up auto: the queue moves its batches read at the end are in the checkpoint too", async () => {
  const auto = crossHostScenario("250ms");
  (auto.run as Record<string, unknown>).warmup = "auto";
  await interruptAndResume("warmup-auto", writeScenario(dir.path, "warmup-auto", auto), 3, 3);
});

test("checkpoint - with cooling, the coordinator's relay state is in the checkpoint too", async () => {
  await interruptAndResume("cooling", join(REPO_ROOT, "examples/cooling-zone.yaml"), 2, 4, 8e9);
});

test("checkpoint - SIGINT a 3-host NATS run after a checkpoint, dctwin run --resume: the same summary as an undisturbed run", async () => {
  const whole = join(dir.path, "cli-whole");
  assert.equal((await runCli(["run", file, "--out", whole, "-q", "--transport", "inproc"])).code, 0);
  const out = join(dir.path, "cli");
  // Paced (8 s of wall time for 2 s simulated) so that the interrupt comes well before the end.
  const child = startCli([
    "run",
    file,
    "--out",
    out,
    "-q",
    "--transport",
    "nats",
    "--hosts",
    "3",
    "--speed",
    "0.25",
    "--checkpoint-every",
    "1",
    "--checkpoint-min-wall",
    "0",
  ]);
  const done = collect(child, 120_000);
  while (!existsSync(join(out, "checkpoint", "meta.json")) && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGINT");
  const cut = await done;
  assert.equal(cut.code, 130, cut.stderr);
  assert.equal(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).status, "interrupted");
  assert.ok(assertCleanPartialResults(out) > 0, "the part that ran, from the streamed files, and no .streaming");
  const resumed = await runCli(["run", "--resume", out, "--transport", "nats"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming run run-[0-9a-f]+ from its checkpoint at/);
  assert.deepEqual(results(out), results(whole));
  assert.ok(!existsSync(join(out, ".streaming")));
});

test("checkpoint - --resume without a checkpoint, with a scenario file or with a flag that changes the run exits 2", async () => {
  const none = await runCli(["run", "--resume", join(dir.path, "nowhere"), "-q"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /has no checkpoint/);
  assert.doesNotMatch(none.stderr, /\n\s+at /, "no stack trace");
  const withFile = await runCli(["run", file, "--resume", dir.path, "-q"]);
  assert.equal(withFile.code, 2);
  assert.match(withFile.stderr, /give no scenario file/);
  const withSeed = await runCli(["run", "--resume", dir.path, "--seed", "3", "-q"]);
  assert.equal(withSeed.code, 2);
  assert.match(withSeed.stderr, /cannot take --seed/);
});
