/**
 * Processes fit for pods, against a real nats-server: SIGTERM and SIGINT end a run in every phase (waiting for
 * hosts, running, paused) within 5 s with 143 or 130 and the part that ran written; a join timeout and a killed
 * host fail the run with the completed part written and the reason; a host started before its NATS server connects
 * once the server is up; a coordinator killed outright leaves no nats-server or host behind; results are copied
 * to DIR/<run id>/; the host index comes from the pod.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { NatsServer } from "../coordinator/nats-server.ts";
import { resolveHostIndex } from "../cli/commands/host-index.ts";
import { controlAddress, runCli, watchCli, type CliResult, type WatchedCli } from "./support/cli.ts";
import { freePort } from "./support/ports.ts";
import { pacedTwoHostArgs } from "./support/nats-run.ts";
import { alive, killRun, processesMentioning, waitFor } from "./support/processes.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";
import { assertCleanPartialResults } from "./support/partial-results.ts";

const dir = tempDir("dctwin-pods-");
after(() => dir.remove());
const longRun = writeScenario(
  dir.path,
  "long",
  queueScenario({ rate: 200, meanServiceMs: 1, cores: 1, durationS: 600, warmupS: 0 }),
);
const shortRun = writeScenario(
  dir.path,
  "short",
  queueScenario({ rate: 200, meanServiceMs: 1, cores: 1, durationS: 2, warmupS: 0 }),
);

/** Sends `signal` and requires the process to be gone within 5 s (what a pod's grace period allows). */
async function signalAndWait(w: WatchedCli, signal: NodeJS.Signals): Promise<CliResult> {
  w.child.kill(signal);
  await waitFor(() => w.child.exitCode !== null || w.child.signalCode !== null, 5_000, `exit within 5 s of ${signal}`);
  return w.result;
}

function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

const cleanup = (w: WatchedCli, runId: string) => killRun(w.child, runId);

test("pods - SIGTERM while waiting for hosts to join: exit 143 within 5 s, results written (nothing ran), nothing left", async () => {
  const runId = `join-term-${process.pid}`;
  const out = join(dir.path, "join-term");
  // --join needs --nats: a private nats-server admits only the hosts its coordinator starts.
  const server = await NatsServer.start({ name: `dctwin-test-pods-join-${process.pid}` });
  const w = watchCli(["run", longRun, "--nats", server.url, "--join", "--hosts", "2", "--run-id", runId, "--out", out]);
  try {
    await waitFor(
      () => /waiting for 2 host\(s\) to join/.test(w.stderr()),
      30_000,
      "the coordinator to wait for hosts",
    );
    const { code, stderr } = await signalAndWait(w, "SIGTERM");
    assert.equal(code, 143, stderr);
    const summary = json(join(out, "summary.json"));
    assert.equal(summary.status, "interrupted");
    assert.equal(summary.sim_time_s, 0);
    assert.equal(assertCleanPartialResults(out), 0, "the streamed files hold their headers only");
    assert.match(String(json(join(out, "run-info.json")).failure), /null/);
    await waitFor(() => processesMentioning(runId).length === 0, 5_000, "every process of the run to stop");
  } finally {
    cleanup(w, runId);
    await server.stop();
  }
});

test("pods - SIGTERM while running on 2 hosts: exit 143 within 5 s with partial results; SIGTERM (143) and SIGINT (130) while paused", async () => {
  const runId = `run-term-${process.pid}`;
  const out = join(dir.path, "run-term");
  const running = watchCli(pacedTwoHostArgs(longRun, runId, out));
  try {
    await waitFor(() => /2 host\(s\) joined/.test(running.stderr()), 30_000, "hosts to join");
    await new Promise((r) => setTimeout(r, 1500)); // let simulated time pass (the run is paced at 1 s per s)
    const { code, stderr } = await signalAndWait(running, "SIGTERM");
    assert.equal(code, 143, stderr);
    const summary = json(join(out, "summary.json"));
    assert.equal(summary.status, "interrupted");
    assert.ok((summary.sim_time_s as number) > 0 && (summary.sim_time_s as number) < 600);
    assert.ok(assertCleanPartialResults(out) > 0);
    await waitFor(() => processesMentioning(runId).length === 0, 5_000, "hosts and nats-server to stop");
  } finally {
    cleanup(running, runId);
  }

  // Paused: SIGTERM (a pod stopped) gives 143, SIGINT (Ctrl-C) 130; both write the part that ran.
  for (const [signal, exit] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)
    await signalWhilePaused(signal, exit);
});

async function signalWhilePaused(signal: NodeJS.Signals, exit: number): Promise<void> {
  const pausedId = `paused-${signal}-${process.pid}`;
  const pausedOut = join(dir.path, `paused-${signal}`);
  const paused = watchCli([
    "run",
    longRun,
    "--transport",
    "inproc",
    "--speed",
    "1",
    "--run-id",
    pausedId,
    "--out",
    pausedOut,
    "--control-port",
    "0",
    "--control-token",
    "t0ken",
  ]);
  try {
    const address = await controlAddress(paused);
    const pause = await runCli(["control", "pause", "--control", address, "--token", "t0ken"]);
    assert.equal(pause.code, 0, pause.stderr);
    assert.match(pause.stdout, /paused/);
    const { code, stderr } = await signalAndWait(paused, signal);
    assert.equal(code, exit, stderr);
    const summary = json(join(pausedOut, "summary.json"));
    assert.equal(summary.status, "interrupted");
    assert.ok((summary.sim_time_s as number) < 600);
    assertCleanPartialResults(pausedOut);
  } finally {
    cleanup(paused, pausedId);
  }
}

test("pods - a second signal exits at once (130): no results are written and no part files are left behind", async () => {
  const runId = `second-signal-${process.pid}`;
  const out = join(dir.path, "second-signal");
  const w = watchCli(pacedTwoHostArgs(longRun, runId, out));
  try {
    await waitFor(
      () => /pids (\d+), (\d+)/.test(w.stderr()) && /2 host\(s\) joined/.test(w.stderr()),
      30_000,
      "hosts to start",
    );
    await waitFor(() => existsSync(join(out, ".streaming")), 30_000, "the results to stream");
    // A hung host: the first signal's stop cannot complete the current window, so the second comes mid-stop.
    const hostPid = Number(/pids (\d+), (\d+)/.exec(w.stderr())![2]);
    process.kill(hostPid, "SIGSTOP");
    w.child.kill("SIGINT");
    await waitFor(() => /interrupted: stopping after the current window/.test(w.stderr()), 5_000, "the first stop");
    const { code, stderr } = await signalAndWait(w, "SIGINT");
    assert.equal(code, 130, stderr);
    assert.ok(!existsSync(join(out, "summary.json")), "exited before writing results");
    // Only a checkpoint may be left (for --resume), which holds its own copy of the streamed results.
    assert.deepEqual(
      readdirSync(out).filter((name) => name !== "checkpoint"),
      [],
      "no part files (.streaming) left behind",
    );
    await waitFor(() => processesMentioning(runId).length === 0, 5_000, "the hosts and nats-server to stop");
  } finally {
    cleanup(w, runId);
  }
});

test("pods - a join timeout fails the run (exit 1) with results and the reason; results are copied to DIR/<run id>/", async () => {
  const runId = `join-timeout-${process.pid}`;
  const out = join(dir.path, "join-timeout");
  const copies = join(dir.path, "volume");
  const server = await NatsServer.start({ name: `dctwin-test-pods-timeout-${process.pid}` });
  try {
    const result = await runCli([
      "run",
      shortRun,
      "--nats",
      server.url,
      "--join",
      "--hosts",
      "2",
      "--join-timeout",
      "1s",
      "--run-id",
      runId,
      "--out",
      out,
      "--copy-results-to",
      copies,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /0 of 2 host\(s\) joined run .* within 1 s/);
    assert.equal(json(join(out, "summary.json")).status, "failed");
    assert.match(String(json(join(out, "run-info.json")).failure), /within 1 s/);
    assert.equal(
      readFileSync(join(copies, runId, "summary.json"), "utf8"),
      readFileSync(join(out, "summary.json"), "utf8"),
    );
  } finally {
    await server.stop();
  }
});

test("pods - with --recoveries 0, a host killed mid-run fails the run (exit 1) with the completed windows written and the reason", async () => {
  const runId = `host-killed-${process.pid}`;
  const out = join(dir.path, "host-killed");
  // Otherwise the run recovers (from the start, before its first checkpoint): test/host-loss.test.ts.
  const w = watchCli(pacedTwoHostArgs(longRun, runId, out, ["--recoveries", "0"]));
  try {
    await waitFor(
      () => /pids (\d+), (\d+)/.test(w.stderr()) && /2 host\(s\) joined/.test(w.stderr()),
      30_000,
      "hosts to start",
    );
    await new Promise((r) => setTimeout(r, 1500));
    const hostPid = Number(/pids (\d+), (\d+)/.exec(w.stderr())![2]);
    process.kill(hostPid, "SIGKILL");
    const { code, stderr } = await w.result;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /host 1 .* exited with SIGKILL/);
    const summary = json(join(out, "summary.json"));
    assert.equal(summary.status, "failed");
    assert.ok((summary.sim_time_s as number) > 0, "the windows completed before the failure are in the results");
    assert.match(String(json(join(out, "run-info.json")).failure), /host 1/);
    assert.ok(assertCleanPartialResults(out) > 0);
    await waitFor(() => processesMentioning(runId).length === 0, 5_000, "the other host and nats-server to stop");
  } finally {
    cleanup(w, runId);
  }
});

test("pods - a coordinator killed outright (SIGKILL) leaves neither its nats-server nor its hosts running", async () => {
  const runId = `coord-killed-${process.pid}`;
  const w = watchCli(pacedTwoHostArgs(longRun, runId, join(dir.path, "coord-killed")));
  try {
    await waitFor(() => /2 host\(s\) joined/.test(w.stderr()), 30_000, "hosts to join");
    const natsPid = Number(/started nats-server .* \(pid (\d+)\)/.exec(w.stderr())![1]);
    assert.ok(alive(natsPid));
    w.child.kill("SIGKILL");
    await w.result;
    await waitFor(
      () => processesMentioning(runId).length === 0,
      10_000,
      "nats-server and hosts to die with their coordinator",
    );
  } finally {
    cleanup(w, runId);
  }
});

test("pods - a host started before its NATS server retries and joins once the server is up", async () => {
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const runId = `late-nats-${process.pid}`;
  const host = watchCli(["host", "--nats", url, "--run", runId, "--connect-timeout", "2m"], {
    env: { JOB_COMPLETION_INDEX: "0" },
  });
  let server: NatsServer | undefined;
  try {
    await waitFor(() => /not reachable yet/.test(host.stderr()), 30_000, "the host to report it is retrying");
    assert.equal(host.child.exitCode, null, "the host keeps trying instead of exiting");
    server = await NatsServer.start({ name: `dctwin-${runId}`, args: ["-p", String(port)] });
    assert.equal(server.url, url);
    const run = await runCli([
      "run",
      shortRun,
      "--nats",
      url,
      "--join",
      "--hosts",
      "1",
      "--run-id",
      runId,
      "--out",
      join(dir.path, "late-nats"),
      "-q",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(json(join(dir.path, "late-nats", "summary.json")).status, "completed");
    assert.equal((await host.result).code, 0);
  } finally {
    cleanup(host, runId);
    await server?.stop();
  }
});

test("pods - the host index comes from the flag, an Indexed Job's completion index or a StatefulSet ordinal", () => {
  assert.equal(resolveHostIndex("3", {}, "x"), 3);
  assert.equal(resolveHostIndex("auto", { JOB_COMPLETION_INDEX: "2" }, "twin-hosts-0-abcde"), 2);
  assert.equal(resolveHostIndex(undefined, {}, "twin-host-7"), 7);
  assert.throws(() => resolveHostIndex("auto", {}, "laptop"), /pass --host N/);
  assert.throws(() => resolveHostIndex("-1", {}, "x"), /--host expects/);
});
