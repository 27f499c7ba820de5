/**
 * A broker restart during a 3-host NATS run: the nats-server is killed (kill -9) once the run reached a seeded
 * checkpoint boundary, and comes back on the same port — an external server (`--nats`, user and password) started
 * again by the test 2 s later, or the run's private server, which the coordinator starts again itself with the
 * run's credentials. Messages on the wire die with the server; the run misses a report, recovers from its last
 * checkpoint and completes with summary.json, timeseries.csv and links.csv byte-identical to an undisturbed run.
 * Every process is stopped by pid, also on failure. One trial of each here; 4 with DCTWIN_LONG_TESTS=1.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { NatsServer } from "../coordinator/nats-server.ts";
import { runCli } from "./support/cli.ts";
import { readResults, seededRandom, startNatsRun } from "./support/nats-run.ts";
import { alive, processesMentioning, waitFor } from "./support/processes.ts";
import { crossHostScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const TRIALS = process.env.DCTWIN_LONG_TESTS === "1" ? 4 : 1;
const INTERVAL_NS = 250e6;
const file = writeScenario(dir.path, "cross-host", crossHostScenario("250ms"));
const recovery = ["--report-timeout", "5s"];

let expected: string[] | undefined;
async function undisturbed(): Promise<string[]> {
  if (expected === undefined) {
    const whole = join(dir.path, "whole");
    assert.equal((await runCli(["run", file, "--out", whole, "-q", "--transport", "inproc"])).code, 0);
    expected = readResults(whole);
  }
  return expected;
}

/** A checkpoint boundary at 0.25 .. 1.25 s and a further wait of 0 .. 300 ms: where the broker dies. */
function moments(seed: number): { afterNs: number; delayMs: number }[] {
  const next = seededRandom(seed);
  return Array.from({ length: TRIALS }, () => ({
    afterNs: (1 + Math.floor(next() * 5)) * INTERVAL_NS,
    delayMs: Math.floor(next() * 300),
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`nats restart - an external nats-server killed (-9) and started again on its port 2 s later, ${TRIALS} trial(s): identical results`, async () => {
  const want = await undisturbed();
  const config = 'authorization: { users: [ { user: "twin", password: "s3cret-pw" } ] }\n';
  for (const [trial, { afterNs, delayMs }] of moments(21).entries()) {
    const name = `dctwin-test-restart-${process.pid}-${trial}`;
    let server = await NatsServer.start({ name, config });
    const runId = `restart-ext-${process.pid}-${trial}`;
    const out = join(dir.path, `external-${trial}`);
    const env = { DCTWIN_NATS_USER: "twin", DCTWIN_NATS_PASSWORD: "s3cret-pw" };
    const run = startNatsRun(file, out, runId, [...recovery, "--nats", server.url], env);
    try {
      await run.hostPids();
      await run.checkpointAt(afterNs);
      await sleep(delayMs);
      const port = server.port;
      process.kill(server.pid, "SIGKILL");
      await server.exited;
      await sleep(2_000);
      server = await NatsServer.start({ name, config, port });
      const result = await run.done;
      assert.equal(result.code, 0, `trial ${trial} (broker killed after ${afterNs / 1e9} s):\n${result.stderr}`);
      assert.match(result.stderr, /recovering \(1 of at most 3\)/);
      assert.deepEqual(readResults(out), want, `trial ${trial}: results differ from the undisturbed run`);
      await waitFor(() => processesMentioning(runId).length === 0, 10_000, "every process of the run to exit");
    } finally {
      run.end();
      await server.stop();
    }
  }
});

test(`nats restart - the run's private nats-server killed (-9): started again on its port with the run's credentials, ${TRIALS} trial(s): identical results`, async () => {
  const want = await undisturbed();
  for (const [trial, { afterNs, delayMs }] of moments(22).entries()) {
    const runId = `restart-private-${process.pid}-${trial}`;
    const out = join(dir.path, `private-${trial}`);
    const run = startNatsRun(file, out, runId, recovery);
    try {
      await run.hostPids();
      await waitFor(() => /started nats-server/.test(run.stderr()), 60_000, "the server to start (after the hosts)");
      const serverPid = Number(/started nats-server nats:\/\/[\d.:]+ \(pid (\d+)\)/.exec(run.stderr())?.[1]);
      const port = /started nats-server nats:\/\/[\d.]+:(\d+)/.exec(run.stderr())?.[1];
      assert.ok(alive(serverPid), run.stderr());
      await run.checkpointAt(afterNs);
      await sleep(delayMs);
      process.kill(serverPid, "SIGKILL");
      const result = await run.done;
      assert.equal(result.code, 0, `trial ${trial} (broker killed after ${afterNs / 1e9} s):\n${result.stderr}`);
      assert.match(
        result.stderr,
        new RegExp(`nats-server \\(pid ${serverPid}\\) exited; starting it again on port ${port}`),
      );
      assert.match(result.stderr, new RegExp(`nats-server started again: nats://127.0.0.1:${port} \\(pid \\d+\\)`));
      assert.deepEqual(readResults(out), want, `trial ${trial}: results differ from the undisturbed run`);
      await waitFor(() => processesMentioning(runId).length === 0, 10_000, "every process of the run to exit");
    } finally {
      run.end();
    }
  }
});
