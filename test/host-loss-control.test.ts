/**
 * Host loss and --resume for runs with a control layer, through the CLI on 3 NATS host processes: an experiment
 * run (a scheduled link cut and its clear, a load ramp, checks) whose host is killed -9 after a checkpoint, and a
 * run steered over the gRPC control API (a fault injected before the start, so at t = 0) whose host is killed -9
 * later, complete with summary.json, timeseries.csv, links.csv, experiment.json, faults.csv and commands.json
 * byte-identical to the same runs undisturbed; an experiment run stopped by SIGINT after a checkpoint and resumed
 * with `dctwin run --resume` gives the same results as one never stopped.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { collect, runCli, startCli } from "./support/cli.ts";
import { protoOnlyClient, until } from "./support/control-client.ts";
import { processesMentioning, waitFor } from "./support/processes.ts";
import { RESULT_FILES, seededRandom, startNatsRun } from "./support/nats-run.ts";
import { crossHostScenario, tempDir, writeScenario } from "./support/scenarios.ts";
import { EXPERIMENT, EXPERIMENT_FILES } from "./support/control-experiment.ts";

const dir = tempDir("dctwin-host-loss-control-");
after(() => dir.remove());

const INTERVAL_NS = 250e6;
const FILES = [...RESULT_FILES, ...EXPERIMENT_FILES];
const read = (out: string) => FILES.map((f) => [f, readFileSync(join(out, f), "utf8")]);
const experimentFile = writeScenario(dir.path, "exp", { ...crossHostScenario("250ms"), experiment: EXPERIMENT });
const plainFile = writeScenario(dir.path, "plain", crossHostScenario("250ms"));
/** Every interval boundary a horizon (as in the NATS runs), so a live fault's timed clear lands alike. */
const EVERY = ["--checkpoint-every", "1", "--checkpoint-min-wall", "0"];

test("host loss control - kill -9 of one host of an experiment run after a checkpoint: identical results and experiment outputs", async () => {
  const whole = join(dir.path, "exp-whole");
  const undisturbed = await runCli(["run", experimentFile, "--out", whole, "-q", "--transport", "inproc"]);
  assert.equal(undisturbed.code, 0, undisturbed.stderr);
  const next = seededRandom(41);
  const victim = Math.floor(next() * 3);
  const afterNs = (2 + Math.floor(next() * 3)) * INTERVAL_NS; // 0.5 .. 1 s: around the cut and its clear
  const runId = `exp-loss-${process.pid}`;
  const out = join(dir.path, "exp-lost");
  const run = startNatsRun(experimentFile, out, runId);
  try {
    const pids = await run.hostPids();
    await run.checkpointAt(afterNs);
    process.kill(pids[victim]!, "SIGKILL");
    const result = await run.done;
    assert.equal(result.code, 0, `host ${victim} killed after ${afterNs / 1e9} s:\n${result.stderr}`);
    assert.match(result.stderr, /recovering \(1 of at most 3\): every host goes back to the checkpoint at/);
    assert.deepEqual(read(out), read(whole), "results and experiment outputs differ from the undisturbed run");
    assert.ok(!existsSync(join(out, "checkpoint")));
    await waitFor(() => processesMentioning(runId).length === 0, 10_000, "every process of the run to exit");
  } finally {
    run.end();
  }
});

const TOKEN = "loss-token";

/** Starts a run held for StartRun with the control API, injects a link cut (so at t = 0) and starts it. */
async function steeredRun(out: string, extra: string[], onStarted: (stderr: () => string) => Promise<void>) {
  const runId = `steered-${process.pid}-${extra.length}`;
  const child = startCli([
    "run",
    plainFile,
    "--out",
    out,
    "--run-id",
    runId,
    "--control-port",
    "0",
    "--control-token",
    TOKEN,
    "--wait-for-start",
    ...EVERY,
    ...extra,
  ]);
  const done = collect(child, 300_000);
  let stderr = "";
  child.stderr!.on("data", (c: string) => (stderr += c));
  try {
    await until("the control API", () => /control API listening on (\S+)/.test(stderr), 60_000);
    const client = protoOnlyClient(/control API listening on (\S+)/.exec(stderr)![1]!, TOKEN);
    try {
      const cut = await client.call("InjectFault", {
        fault: { name: "cut", link_down: {}, selector: { links: ["clients-b--server-a"] }, duration_ns: 500_000_000 },
      });
      assert.equal(cut.targets[0], "clients-b--server-a");
      await client.call("StartRun", {});
    } finally {
      client.close();
    }
    await onStarted(() => stderr);
    return await done;
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    for (const pid of processesMentioning(runId)) process.kill(pid, "SIGKILL");
  }
}

test("host loss control - a fault injected over gRPC, then kill -9 of a host after a checkpoint: identical to the same injection undisturbed", async () => {
  const whole = join(dir.path, "steered-whole");
  const undisturbed = await steeredRun(whole, ["--transport", "inproc", "-q"], async () => {});
  assert.equal(undisturbed.code, 0, undisturbed.stderr);
  const out = join(dir.path, "steered-lost");
  const lost = await steeredRun(out, ["--transport", "nats", "--hosts", "3", "--speed", "0.5"], async (stderr) => {
    const pidsLine = /started 3 host process\(es\): pids (\d+), (\d+), (\d+)/;
    await waitFor(() => pidsLine.test(stderr()), 60_000, "hosts to start");
    const pids = pidsLine.exec(stderr())!.slice(1).map(Number);
    await waitFor(
      () => {
        try {
          return JSON.parse(readFileSync(join(out, "checkpoint", "meta.json"), "utf8")).at_ns >= 3 * INTERVAL_NS;
        } catch {
          return false;
        }
      },
      90_000,
      "a checkpoint after the cut's clear",
    );
    process.kill(pids[2]!, "SIGKILL");
  });
  assert.equal(lost.code, 0, lost.stderr);
  assert.match(lost.stderr, /host 2 \(pid \d+\) exited with SIGKILL/);
  assert.match(lost.stderr, /recovering \(1 of at most 3\)/);
  const doc = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8"));
  assert.deepEqual(
    doc.faults.map((f: { name: string; injected_s: number; cleared_s: number }) => [f.name, f.injected_s, f.cleared_s]),
    [["cut", 0, 0.5]],
  );
  assert.deepEqual(read(out), read(whole));
});

test("host loss control - SIGINT of an experiment run after a checkpoint, dctwin run --resume: the same results as uninterrupted", async () => {
  const whole = join(dir.path, "resume-whole");
  assert.equal((await runCli(["run", experimentFile, "--out", whole, "-q", "--transport", "inproc"])).code, 0);
  const out = join(dir.path, "resume");
  const child = startCli(
    ["run", experimentFile, "--out", out, "-q", "--transport", "nats", "--hosts", "3"].concat([
      "--speed",
      "0.25",
      ...EVERY,
    ]),
  );
  const done = collect(child, 120_000);
  try {
    await waitFor(
      () => existsSync(join(out, "checkpoint", "meta.json")) || child.exitCode !== null,
      90_000,
      "the first checkpoint",
    );
    child.kill("SIGINT");
    const cut = await done;
    assert.equal(cut.code, 130, cut.stderr);
    assert.equal(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).status, "interrupted");
    assert.ok(existsSync(join(out, "checkpoint", "control.bin")), "the checkpoint holds the control layer");
    const resumed = await runCli(["run", "--resume", out, "--transport", "nats"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming run run-[0-9a-f]+ from its checkpoint at/);
    assert.match(resumed.stdout, /checks: 2 passed, 0 failed/);
    assert.deepEqual(read(out), read(whole));
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
