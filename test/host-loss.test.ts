/**
 * Host loss: kill -9 of one host of a 3-host NATS run, at a seeded random checkpoint boundary and host: the
 * coordinator notices the process exit, rolls every host back to the last checkpoint and the run completes with
 * summary.json, timeseries.csv and links.csv byte-identical to an undisturbed run; nothing of the run is left
 * running. 2 trials here; 10 with DCTWIN_LONG_TESTS=1.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { NatsServer } from "../coordinator/nats-server.ts";
import { collect, runCli, startCli } from "./support/cli.ts";
import { alive, processesMentioning, waitFor } from "./support/processes.ts";
import { readResults, seededRandom, startNatsRun } from "./support/nats-run.ts";
import { crossHostScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const TRIALS = process.env.DCTWIN_LONG_TESTS === "1" ? 10 : 2;
const INTERVAL_NS = 250e6;

const file = writeScenario(dir.path, "cross-host", crossHostScenario("250ms"));
const read = readResults;

test(`host loss - kill -9 of one host of 3 at a random window, ${TRIALS} trials: the run recovers from its checkpoint with identical results`, async () => {
  const whole = join(dir.path, "whole");
  assert.equal((await runCli(["run", file, "--out", whole, "-q", "--transport", "inproc"])).code, 0);
  const expected = read(whole);
  const next = seededRandom(14);
  for (let trial = 0; trial < TRIALS; trial++) {
    const victim = Math.floor(next() * 3);
    const afterNs = (1 + Math.floor(next() * 5)) * INTERVAL_NS; // a checkpoint at 0.25 .. 1.25 s
    const runId = `loss-${process.pid}-${trial}`;
    const out = join(dir.path, `trial-${trial}`);
    const run = startNatsRun(file, out, runId);
    try {
      const pids = await run.hostPids();
      await run.checkpointAt(afterNs);
      process.kill(pids[victim]!, "SIGKILL");
      const result = await run.done;
      assert.equal(
        result.code,
        0,
        `trial ${trial} (host ${victim} killed after ${afterNs / 1e9} s):\n${result.stderr}`,
      );
      assert.match(result.stderr, new RegExp(`host ${victim} \\(pid ${pids[victim]}\\) exited with SIGKILL`));
      assert.match(result.stderr, /recovering \(1 of at most 3\): every host goes back to the checkpoint at/);
      // The failed attempt waited for the two survivors' last reports only, not for the killed host's.
      const survivors = [0, 1, 2].filter((h) => h !== victim).join(", ");
      assert.ok(
        result.stderr.includes(
          `last reports taken from host(s) ${survivors}; not waited for (lost): host(s) ${victim}\n`,
        ),
        result.stderr,
      );
      assert.match(result.stderr, /read the checkpoint at [\d.]+ s back from JetStream \(dctwin-checkpoints-/);
      // The server kept across recoveries is started after the first attempt's hosts (they load meanwhile), once.
      const hostsStarted = result.stderr.indexOf("started 3 host process(es)");
      const serverStarted = result.stderr.indexOf("started nats-server");
      assert.ok(hostsStarted >= 0 && serverStarted > hostsStarted, result.stderr);
      assert.equal(result.stderr.split("started nats-server").length, 2, "one server for both attempts");
      assert.deepEqual(read(out), expected, `trial ${trial}: results differ from the undisturbed run`);
      assert.ok(!existsSync(join(out, "checkpoint")));
      await waitFor(() => processesMentioning(runId).length === 0, 10_000, "every process of the run to exit");
      assert.ok(!pids.some(alive));
    } finally {
      run.end();
    }
  }
});

test("host loss - a hung host (SIGSTOP) misses the report deadline; the run recovers from its checkpoint with identical results", async () => {
  const whole = join(dir.path, "whole-hung");
  assert.equal((await runCli(["run", file, "--out", whole, "-q", "--transport", "inproc"])).code, 0);
  const runId = `hung-${process.pid}`;
  const out = join(dir.path, "hung");
  const run = startNatsRun(file, out, runId, ["--report-timeout", "5s"]);
  try {
    const pids = await run.hostPids();
    await run.checkpointAt(2 * INTERVAL_NS);
    process.kill(pids[1]!, "SIGSTOP");
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /no report for 5 s \(--report-timeout\): waiting for host\(s\) [0-9, ]*1/);
    // The hosts that missed the deadline are not waited for: the failed attempt's wait did not run into its limit.
    assert.match(
      result.stderr,
      /last reports taken from host\(s\) [^;]*; not waited for \(lost\): host\(s\) [0-9, ]*1\n/,
    );
    assert.match(result.stderr, /recovering \(1 of at most 3\)/);
    assert.deepEqual(read(out), read(whole));
    await waitFor(() => processesMentioning(runId).length === 0, 10_000, "every process of the run to exit");
  } finally {
    run.end();
  }
});

test("host loss - kill -9 of the coordinator leaves no process behind (hosts see their stdin close, nats-server its parent die)", async () => {
  const runId = `coordinator-killed-${process.pid}`;
  const child = startCli([
    "run",
    file,
    "--out",
    join(dir.path, "coordinator-killed"),
    "--transport",
    "nats",
    "--hosts",
    "3",
    "--speed",
    "0.1",
    "--run-id",
    runId,
  ]);
  const done = collect(child, 120_000);
  let stderr = "";
  child.stderr!.on("data", (c: string) => (stderr += c));
  try {
    await waitFor(() => /3 host\(s\) joined/.test(stderr), 60_000, "hosts to join");
    const pids = [
      ...(/pids (\d+), (\d+), (\d+)/.exec(stderr) ?? []).slice(1),
      /nats-server .* \(pid (\d+)\)/.exec(stderr)?.[1],
    ].map(Number);
    assert.equal(pids.length, 4);
    assert.ok(pids.every(alive));
    child.kill("SIGKILL");
    await done;
    await waitFor(() => !pids.some(alive), 15_000, "the hosts and the nats-server to exit");
    assert.deepEqual(processesMentioning(runId), []);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    for (const pid of processesMentioning(runId)) process.kill(pid, "SIGKILL");
  }
});

test("host loss - a joined host exits (code 1) when its coordinator is killed: nothing heard within --coordinator-timeout", async () => {
  const server = await NatsServer.start({ name: `dctwin-test-joined-${process.pid}` });
  const runId = `joined-${process.pid}`;
  const coordinator = startCli([
    "run",
    file,
    "--out",
    join(dir.path, "joined"),
    "--nats",
    server.url,
    "--join",
    "--hosts",
    "1",
    "--speed",
    "0.1",
    "--run-id",
    runId,
  ]);
  const host = startCli(["host", "--nats", server.url, "--run", runId, "--host", "0", "--coordinator-timeout", "2s"]);
  const coordinatorDone = collect(coordinator, 120_000);
  const hostDone = collect(host, 120_000);
  let stderr = "";
  coordinator.stderr!.on("data", (c: string) => (stderr += c));
  try {
    await waitFor(() => /1 host\(s\) joined/.test(stderr), 60_000, "the host to join");
    coordinator.kill("SIGKILL");
    await coordinatorDone;
    const result = await hostDone;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /nothing heard from the coordinator for 2 s/);
  } finally {
    for (const child of [coordinator, host]) if (child.exitCode === null) child.kill("SIGKILL");
    await server.stop();
  }
});

test("host loss - without recoveries the run fails, writes the part that completed with the reason, and --resume completes it identically", async () => {
  const whole = join(dir.path, "whole-failed");
  assert.equal((await runCli(["run", file, "--out", whole, "-q", "--transport", "inproc"])).code, 0);
  const runId = `failed-${process.pid}`;
  const out = join(dir.path, "failed");
  const run = startNatsRun(file, out, runId, ["--recoveries", "0"]);
  try {
    const pids = await run.hostPids();
    await run.checkpointAt(INTERVAL_NS);
    process.kill(pids[2]!, "SIGKILL");
    const failed = await run.done;
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, new RegExp(`the run can go on from its last checkpoint: dctwin run --resume ${out}`));
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.equal(summary.status, "failed");
    assert.ok(summary.sim_time_s > 0 && summary.sim_time_s < 2, `the part that completed: ${summary.sim_time_s} s`);
    const info = JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
    assert.match(info.failure, /host 2 \(pid \d+\) exited with SIGKILL/);
    // The killed host is known lost: the wait for last reports ended once the two others answered, not on a timer.
    assert.deepEqual(info.last_reports, { answered: [0, 1], lost: [2], silent: [], ended: "lost" });
    const resumed = await runCli(["run", "--resume", out, "--transport", "nats", "-q"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(read(out), read(whole));
  } finally {
    run.end();
  }
});
