/**
 * NATS security of a run's private nats-server, against a real one: it admits only its coordinator and hosts,
 * each with its role's permissions: a stranger cannot connect, and a stolen host credential (read from the host
 * process's environment, as another process of the same user could) is refused every subject of the coordinator
 * and of the other hosts (including what they send each other); forged messages of every kind change nothing, so
 * summary.json stays byte-identical to an undisturbed run, and a window report on its own subject that names
 * another host is dropped and counted by the coordinator and the host it went to. External servers:
 * test/nats-security-external.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { connect, nkeyAuthenticator } from "@nats-io/transport-node";
import { encodePeerWindow } from "../nodes/runtime/peer-window.ts";
import { wire } from "../nodes/runtime/wire.ts";
import { collect, startCli } from "./support/cli.ts";
import { until } from "./support/control-client.ts";
import { serverErrors } from "./support/nats-errors.ts";
import { tempDir } from "./support/scenarios.ts";
import { secureRun } from "./support/secure-run.ts";

const dir = tempDir();
after(() => dir.remove());
const { file, reference: undisturbedSummary } = secureRun(dir.path);

test("security - a private run's nats-server refuses strangers and wrong roles; forged messages change nothing", async () => {
  const runId = `sec-${process.pid}`;
  const out = join(dir.path, "private");
  const child = startCli(["run", file, "--hosts", "3", "--speed", "0.5", "--run-id", runId, "--out", out]);
  const done = collect(child, 120_000);
  let log = "";
  child.stderr!.on("data", (c: string) => (log += c));
  try {
    // The hosts start first (they load while the server starts), the server then.
    await until(
      "the hosts and the server to start",
      () => /started 3 host process\(es\): pids[\s\S]*started nats-server/.test(log),
      60_000,
    );
    const url = /started nats-server (nats:\/\/[\d.:]+)/.exec(log)![1]!;
    const pids = /pids ([\d, ]+)/.exec(log)![1]!.split(", ").map(Number);

    // A stranger cannot even connect, and guessing a role's name does not help.
    await assert.rejects(
      connect({ servers: url, reconnect: false }),
      /Authorization Violation/i,
      "an anonymous client is refused",
    );
    await assert.rejects(
      connect({ servers: url, reconnect: false, user: "coordinator", pass: "guess" }),
      /Authorization Violation/i,
    );

    // Credentials reach the hosts through the environment, never argv.
    for (const pid of pids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      assert.ok(
        !/SU[A-Z2-7]{20}/.test(argv) && !argv.includes("nkey"),
        `host pid ${pid} has no credential in its arguments`,
      );
    }
    const environ = readFileSync(`/proc/${pids[1]}/environ`, "utf8").split("\0");
    const seedFile = environ
      .find((e) => e.startsWith("DCTWIN_NATS_NKEY_SEED="))!
      .slice("DCTWIN_NATS_NKEY_SEED=".length);
    const seed = readFileSync(seedFile);

    // Host 1's stolen credential: host 1's role only.
    const rogue = await connect({ servers: url, authenticator: nkeyAuthenticator(new Uint8Array(seed)) });
    const errors = serverErrors(rogue);
    try {
      const firstGrant = rogue.subscribe(`dct.${runId}.sync.grant`, { max: 1 }); // hosts may listen to control
      for await (const _ of firstGrant) break;
      const root = `dct.${runId}`;
      const counters = {
        injected: 5,
        consumed: 0,
        dropped: 0,
        queued: 0,
        inFlightLocal: 5,
        sentRemote: 0,
        receivedRemote: 0,
      };
      const report = (host: number) =>
        wire.WindowReport.encode({
          window: 1,
          host,
          startNs: 0,
          endNs: 1e6,
          nextEventNs: 1e6,
          batchesSentTo: [0, 0, 0],
          counters,
        }).finish();
      const forged: [string, Uint8Array][] = [
        [
          `${root}.sync.start`,
          wire.RunStart.encode({ scenarioJson: "{}", hostCount: 3, placement: [0, 0, 0, 0] }).finish(),
        ],
        [`${root}.sync.grant`, wire.Grant.encode({ seq: 2, untilNs: 1e9, stop: true }).finish()],
        [`${root}.sync.stop`, wire.RunStop.encode({ reason: "forged stop" }).finish()],
        [`${root}.report.0.hello`, wire.HostHello.encode({ host: 0, hostname: "evil", pid: 1 }).finish()],
        [`${root}.report.0.window.1`, encodePeerWindow(report(0), [])],
        [`${root}.report.0.error`, wire.HostError.encode({ host: 0, message: "forged error" }).finish()],
      ];
      for (const [subject, payload] of forged) rogue.publish(subject, payload);
      const spies = [`dct.${runId}.>`, `dct.${runId}.report.0.error`, `dct.${runId}.report.1.window.0`].map((subject) =>
        rogue.subscribe(subject),
      );
      // Allowed to host 1, but naming host 0: every host (window) and the coordinator (full) drop it as not host 1's.
      rogue.publish(`${root}.report.1.window.0`, encodePeerWindow(report(0), []));
      rogue.publish(`${root}.report.1.full`, wire.ReportBundle.encode({ reports: [report(0)] }).finish());
      await rogue.flush();
      await until(
        "the server to refuse every forged message and the spying subscriptions",
        () => errors.length >= forged.length + spies.length,
        10_000,
      );
      for (const [subject] of forged)
        assert.ok(
          errors.some((e) => e.includes(`Publish to "${subject}"`)),
          `publishing to ${subject} is refused: ${errors.join("; ")}`,
        );
      assert.ok(
        errors.some((e) => e.includes(`Subscription to "dct.${runId}.>"`)),
        "listening to the whole run is refused",
      );
      assert.ok(
        errors.some((e) => e.includes(`Subscription to "dct.${runId}.report.0.error"`)),
        "listening to another host's errors is refused",
      );
      assert.ok(
        errors.some((e) => e.includes(`Subscription to "dct.${runId}.report.1.window.0"`)),
        "listening to what another host is sent is refused",
      );
      for (const spy of spies)
        assert.ok((await spy.closed) instanceof Error, "a spying subscription is closed by the server");
      assert.ok(
        !errors.some((e) => e.includes(`Publish to "${root}.report.1.`)),
        "host 1 may publish its own window reports",
      );
    } finally {
      await rogue.close();
    }

    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(out, "summary.json"), "utf8"), await undisturbedSummary(), "the run is unchanged");
    // Only the reports on host 1's own subjects reached the run: dropped by the coordinator and by host 0.
    assert.equal(
      JSON.parse(readFileSync(join(out, "run-info.json"), "utf8")).malformed_messages_dropped,
      2,
      "the report naming another host is dropped where it arrives",
    );
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
