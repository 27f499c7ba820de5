/**
 * Recovery and --resume for runs whose hosts join over NATS (`dctwin run --join`, as on Kubernetes), on a real
 * nats-server: kill -9 of a joined host after the first checkpoint, a replacement `dctwin host` started as a pod
 * would be → every host goes back to the checkpoint (the survivor in place, the replacement taking the lost shard),
 * each getting its snapshot over NATS, and the results equal an undisturbed run's byte for byte; a replacement that
 * never comes ends the run at --rejoin-timeout with the results up to the checkpoint, and `--resume --join`
 * completes it identically, as it does a SIGINT-ed join run. A host cannot read another host's snapshot subject,
 * nor send on its own (NATS permissions of the private server).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { NatsServer } from "../coordinator/nats-server.ts";
import { PrivateBroker } from "../coordinator/private-broker.ts";
import { restoreFrames } from "../nodes/runtime/restore-wire.ts";
import { natsConnectionOptions } from "../nodes/runtime/transport/nats-auth.ts";
import { subjects } from "../nodes/runtime/transport/transport.ts";
import {
  CHECKPOINT_EVERY_INTERVAL,
  firstCheckpoint,
  JoinProcesses,
  joinRunArgs,
  undisturbedResults,
} from "./support/join-run.ts";
import { checkpointAtNs, readResults } from "./support/nats-run.ts";
import { serverErrors } from "./support/nats-errors.ts";
import { waitFor } from "./support/processes.ts";
import { crossHostScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const file = writeScenario(dir.path, "cross-host", crossHostScenario("250ms"));
const expected = undisturbedResults(file, dir.path);
const coordinatorArgs = (url: string, runId: string, out: string, extra: string[] = []) =>
  joinRunArgs(file, url, runId, out, [
    "--speed",
    "0.5",
    ...CHECKPOINT_EVERY_INTERVAL,
    "--report-timeout",
    "5s",
    ...extra,
  ]);

test("join recovery - kill -9 of a joined host after a checkpoint; a replacement host joins; identical results", async () => {
  const server = await NatsServer.start({ name: `dctwin-test-join-loss-${process.pid}` });
  const processes = new JoinProcesses();
  try {
    const runId = `join-loss-${process.pid}`;
    const out = join(dir.path, "loss");
    const coordinator = processes.start(coordinatorArgs(server.url, runId, out));
    const survivor = processes.host(server.url, runId, 0);
    const victim = processes.host(server.url, runId, 1);
    await firstCheckpoint(out, coordinator);
    victim.child.kill("SIGKILL");
    await victim.result;
    const replacement = processes.host(server.url, runId, 1);
    const result = await coordinator.result;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /recovering \(1 of at most 3\): every host goes back to the checkpoint at [\d.]+ s/);
    assert.match(result.stderr, /waiting for 2 host\(s\) to join again run/);
    assert.match(result.stderr, /completed after 1 recovery/);
    for (const host of [survivor, replacement]) {
      const ended = await host.result;
      assert.equal(ended.code, 0, `a host failed: ${ended.stderr}`);
    }
    assert.match(survivor.stderr(), /the run goes back to its last checkpoint; joining run join-loss-\d+ again/);
    assert.deepEqual(readResults(out), await expected(), "results differ from the undisturbed run");
  } finally {
    processes.end();
    await server.stop();
  }
});

test("join recovery - no replacement within --rejoin-timeout: the run fails with the results up to its checkpoint; --resume --join completes it identically", async () => {
  const server = await NatsServer.start({ name: `dctwin-test-join-deadline-${process.pid}` });
  const processes = new JoinProcesses();
  try {
    const runId = `join-deadline-${process.pid}`;
    const out = join(dir.path, "deadline");
    const coordinator = processes.start(coordinatorArgs(server.url, runId, out, ["--rejoin-timeout", "4s"]));
    const survivor = processes.host(server.url, runId, 0);
    const victim = processes.host(server.url, runId, 1);
    await firstCheckpoint(out, coordinator);
    victim.child.kill("SIGKILL");
    const failed = await coordinator.result;
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /1 of 2 host\(s\) joined again run join-deadline-\d+ within 4 s \(--rejoin-timeout\)/);
    const resumeHint = `dctwin run --resume ${out} --nats ${server.url} --join`;
    assert.ok(failed.stderr.includes(`the run can go on from its last checkpoint: ${resumeHint}`), failed.stderr);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.equal(summary.status, "failed");
    assert.equal(summary.sim_time_s * 1e9, checkpointAtNs(out), "the results up to the checkpoint");
    const ended = await survivor.result;
    assert.equal(ended.code, 0, `the survivor exits with the run: ${ended.stderr}`);

    await processes.resume(out, server.url, runId, ["-q"]);
    assert.deepEqual(readResults(out), await expected());
  } finally {
    processes.end();
    await server.stop();
  }
});

test("join resume - SIGINT a join run after a checkpoint; --resume RUN_DIR --join with the hosts joining again gives the same results", async () => {
  const server = await NatsServer.start({ name: `dctwin-test-join-resume-${process.pid}` });
  const processes = new JoinProcesses();
  try {
    const runId = `join-resume-${process.pid}`;
    const out = join(dir.path, "resume");
    await processes.interruptAfterCheckpoint(coordinatorArgs(server.url, runId, out), server.url, runId, out);
    assert.equal(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).status, "interrupted");

    const result = await processes.resume(out, server.url, runId);
    assert.match(result.stderr, /resuming run join-resume-\d+ from its checkpoint at [\d.]+ s/);
    assert.match(result.stderr, /waiting for 2 host\(s\) to join run/);
    assert.deepEqual(readResults(out), await expected());
  } finally {
    processes.end();
    await server.stop();
  }
});

test("join recovery - a host may read only its own snapshot subject, and not send on it (NATS permissions)", async () => {
  const runId = `restore-perm-${process.pid}`;
  const broker = await PrivateBroker.start({ runId, hosts: 2, log: () => {} });
  const connections: NatsConnection[] = [];
  try {
    const as = async (auth: Parameters<typeof natsConnectionOptions>[0]) => {
      const nc = await connect({ servers: broker.url, reconnect: false, ...natsConnectionOptions(auth) });
      connections.push(nc);
      return nc;
    };
    const host0 = await as(broker.hostAuth(0));
    const coordinator = await as(broker.coordinatorAuth);
    const errors = serverErrors(host0);
    const s = subjects(runId);
    const own = host0.subscribe(s.restore(0));
    const other = host0.subscribe(s.restore(1));
    await host0.flush();
    const [frame] = restoreFrames(5e8, new Uint8Array([1, 2, 3]));
    host0.publish(s.restore(0), new Uint8Array([9])); // a host forging a snapshot
    host0.publish(s.restore(1), new Uint8Array([9]));
    await host0.flush();
    coordinator.publish(s.restore(0), frame!);
    coordinator.publish(s.restore(1), frame!);
    await coordinator.flush();
    for await (const message of own) {
      assert.deepEqual(
        new Uint8Array(message.data),
        frame,
        "host 0 gets the coordinator's frame on its own subject, and only it",
      );
      break;
    }
    await waitFor(() => errors.length >= 3, 10_000, "the server to refuse the other subject and the forgeries");
    assert.ok(
      errors.some((e) => e.includes(`Subscription to "${s.restore(1)}"`)),
      `reading host 1's snapshot is refused: ${errors.join("; ")}`,
    );
    for (const subject of [s.restore(0), s.restore(1)])
      assert.ok(
        errors.some((e) => e.includes(`Publish to "${subject}"`)),
        `a host may not send on ${subject}`,
      );
    assert.ok((await other.closed) instanceof Error, "the server closes the subscription to host 1's snapshot");
  } finally {
    for (const nc of connections) await nc.close().catch(() => {});
    await broker.stop();
  }
});
