/**
 * Multi-process behaviour against a real nats-server: Ctrl-C (SIGINT) mid-run stops cleanly, writes what was
 * measured and leaves no process behind; malformed wire messages are counted and dropped without changing the
 * results.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../coordinator/nats-server.ts";
import { wire } from "../nodes/runtime/wire.ts";
import { runCli, watchCli } from "./support/cli.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";
import { pacedTwoHostArgs } from "./support/nats-run.ts";
import { alive, killRun, processesMentioning, waitFor } from "./support/processes.ts";

const dir = tempDir();
after(() => dir.remove());

async function waitForAsync(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The run's simulated clock as its Prometheus endpoint reports it. */
async function simTimeS(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const match = /^dctwin_sim_time_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

test("processes - SIGINT mid-run writes partial results, exits 130 and leaves no host or nats-server behind", async () => {
  const file = writeScenario(
    dir.path,
    "long",
    queueScenario({ rate: 200, meanServiceMs: 1, cores: 1, durationS: 600, warmupS: 0 }),
  );
  const runId = `sigint-${process.pid}`;
  const out = join(dir.path, "sigint");
  const {
    child,
    result,
    stderr: log,
  } = watchCli(pacedTwoHostArgs(file, runId, out, ["--metrics-port", "0"]), { timeoutMs: 60_000 });
  try {
    await waitFor(
      () =>
        /started 2 host process\(es\): pids (\d+), (\d+)/.test(log()) &&
        /started nats-server .* \(pid (\d+)\)/.test(log()),
      20_000,
      "hosts to start",
    );
    const hostPids = /pids (\d+), (\d+)/.exec(log())!.slice(1).map(Number);
    const natsPid = Number(/nats-server .* \(pid (\d+)\)/.exec(log())![1]);
    assert.ok([...hostPids, natsPid].every(alive));
    // Interrupt only once simulated time has really advanced (start-up can be slow on a loaded machine).
    await waitFor(() => /metrics: (http\S+)/.test(log()), 20_000, "the metrics endpoint");
    const metricsUrl = /metrics: (http\S+)/.exec(log())![1]!;
    await waitForAsync(async () => (await simTimeS(metricsUrl)) > 0.5, 30_000, "simulated time to pass 0.5 s");
    child.kill("SIGINT");
    const { code } = await result;
    assert.equal(code, 130);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.equal(summary.status, "interrupted");
    assert.ok(
      summary.sim_time_s > 0 && summary.sim_time_s < 60,
      `sim time ${summary.sim_time_s}: the run was cut mid-way`,
    );
    assert.ok(existsSync(join(out, "timeseries.csv")));
    await waitFor(() => ![...hostPids, natsPid].some(alive), 5_000, "children to exit");
    assert.deepEqual(processesMentioning(runId), [], "no process of this run is left");
  } finally {
    killRun(child, runId);
  }
});

test("processes - malformed messages on the wire are counted and dropped; results are unchanged", async () => {
  const server = await NatsServer.start({ name: `dctwin-test-${process.pid}` });
  const nc = await connect({ servers: server.url });
  try {
    const file = writeScenario(
      dir.path,
      "noisy",
      queueScenario({ rate: 300, meanServiceMs: 1, cores: 1, durationS: 3, warmupS: 0 }),
    );
    const runId = `noisy-${process.pid}`;
    const noisyOut = join(dir.path, "noisy");
    const run = runCli(
      ["run", file, "--nats", server.url, "--hosts", "2", "--speed", "2", "--run-id", runId, "--out", noisyOut, "-q"],
      { timeoutMs: 60_000 },
    );
    // Wait for the run to start its windows, then spray garbage at hosts and coordinator.
    const grants = nc.subscribe(`dct.${runId}.sync.grant`, { max: 1 });
    for await (const _ of grants) break;
    const garbage = [
      new Uint8Array([0xff, 0xff, 0xff, 0xff]),
      new TextEncoder().encode("not protobuf at all"),
      new Uint8Array(0),
    ];
    const report = { window: 10_000, host: 0, batchesSentTo: [0, 0], counters: {} };
    const implausible = wire.PeerWindow.encode({ report }).finish();
    let sentToHosts = 0;
    for (const payload of [...garbage, implausible]) {
      nc.publish(`dct.${runId}.report.0.window.1`, payload); // heard by host 1
      nc.publish(`dct.${runId}.report.1.window.0`, payload);
      nc.publish(`dct.${runId}.report.1.window.1`, payload); // host 1 to itself: heard by host 1, not its own
      sentToHosts += 3;
      nc.publish(`dct.${runId}.sync.grant`, payload);
      sentToHosts += 2;
    }
    await nc.flush();
    const noisy = await run;
    assert.equal(noisy.code, 0, noisy.stderr);
    const info = JSON.parse(readFileSync(join(noisyOut, "run-info.json"), "utf8"));
    assert.ok(
      info.malformed_messages_dropped >= sentToHosts,
      `dropped ${info.malformed_messages_dropped}, sent ${sentToHosts} bad messages to hosts`,
    );

    const cleanOut = join(dir.path, "clean");
    const clean = await runCli(["run", file, "--transport", "inproc", "--out", cleanOut, "-q"]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(
      readFileSync(join(noisyOut, "summary.json"), "utf8"),
      readFileSync(join(cleanOut, "summary.json"), "utf8"),
    );
  } finally {
    await nc.close();
    await server.stop();
  }
});
