/**
 * The window exchange on the wire (README "How it works"), counted on a real nats-server by a client that listens
 * to every subject of a 2-host run: per window each host sends its peer exactly one message (its report and its
 * packets, on `report.<n>.window.<m>`), and nothing else per window; the coordinator gets the full reports in
 * bundles, far fewer messages than windows × hosts, yet every report (each window's, the start-up and the final
 * one). The final reports say where each host's time went (run-info.json's window_time). The run's summary.json is
 * byte-identical to an in-process run.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../coordinator/nats-server.ts";
import { newRunId, runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { tryDecode, wire } from "../nodes/runtime/wire.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

test("window messages - one message per peer and window; the coordinator gets bundles; results as in-process", async () => {
  const loaded = loadScenarioFile(join(REPO_ROOT, "examples", "tiny.yaml")).scenario;
  const scenario = { ...loaded, run: { ...loaded.run, durationNs: 1e9, warmupNs: 0, metricsIntervalNs: 250e6 } };
  const server = await NatsServer.start({ name: `dctwin-window-messages-${process.pid}` });
  const monitor = await connect({ servers: server.url });
  try {
    const runId = newRunId();
    const root = `dct.${runId}.`;
    const messages = new Map<string, number>();
    let bundledReports = 0;
    const sub = monitor.subscribe(`dct.${runId}.>`, {
      callback: (_error, msg) => {
        const subject = msg.subject.slice(root.length);
        messages.set(subject, (messages.get(subject) ?? 0) + 1);
        if (subject.endsWith(".full")) bundledReports += tryDecode(wire.ReportBundle, msg.data)?.reports.length ?? 0;
      },
    });
    await monitor.flush();
    const natsOut = join(dir.path, "nats-2");
    const { outcome } = await runTwin({
      scenario,
      hosts: 2,
      transport: "nats",
      outDir: natsOut,
      runId,
      natsUrl: server.url,
    });
    assert.equal(outcome.status, "completed");
    await monitor.flush();
    sub.unsubscribe();

    const info = JSON.parse(readFileSync(join(natsOut, "run-info.json"), "utf8"));
    const windows = info.windows as number;
    assert.ok(windows > 1000, `the run has many windows (${windows})`);
    // Where each host's time went: every window it ran, split into events, exchange and the rest, within the run.
    assert.deepEqual(
      info.window_time.map((t: { host: number; windows: number }) => [t.host, t.windows]),
      [
        [0, windows],
        [1, windows],
      ],
    );
    for (const t of info.window_time) {
      assert.ok(t.events_s > 0 && t.exchange_s > 0 && t.waiting_s >= 0, JSON.stringify(t));
      assert.ok(Math.abs(t.events_s + t.exchange_s + t.waiting_s - t.windows_s) < 1e-6, "the parts make the whole");
      assert.ok(t.windows_s < info.wall_time_s, "the windows are part of the run");
    }
    // Each host's report of every window it ran and of its start-up (window 0), to its peer; none to itself.
    assert.equal(messages.get("report.0.window.1"), windows + 1, "host 0 to host 1: one message per window");
    assert.equal(messages.get("report.1.window.0"), windows + 1, "host 1 to host 0: one message per window");
    const perWindow = [...messages].filter(([, n]) => n > windows / 10).map(([subject]) => subject);
    assert.deepEqual(perWindow.sort(), ["report.0.window.1", "report.1.window.0"], "no other message per window");
    // The coordinator: every report (each window, the start-up and the final one) of both hosts, in bundles.
    const bundles = (messages.get("report.0.full") ?? 0) + (messages.get("report.1.full") ?? 0);
    assert.equal(bundledReports, 2 * (windows + 2), "every full report reaches the coordinator");
    assert.ok(bundles < windows / 4, `${bundles} bundles for ${windows} windows × 2 hosts`);

    const inprocOut = join(dir.path, "inproc");
    await runTwin({ scenario, hosts: 1, transport: "inproc", outDir: inprocOut });
    assert.equal(
      readFileSync(join(natsOut, "summary.json"), "utf8"),
      readFileSync(join(inprocOut, "summary.json"), "utf8"),
      "summary.json of NATS/2 is the in-process one",
    );
  } finally {
    await monitor.close();
    await server.stop();
  }
});
