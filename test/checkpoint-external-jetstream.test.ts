/**
 * Checkpoints in the JetStream of an external NATS server (`--nats URL`, here with `--join` as on Kubernetes), on
 * a real nats-server: a 2-host join run is interrupted (SIGINT) after a checkpoint, its results directory loses its
 * checkpoint folder (a coordinator pod lost without a persistent volume), and `--resume RUN_DIR --nats URL --join`
 * reads the checkpoint back from JetStream and completes with results byte-identical to an undisturbed run; the
 * bucket is removed once the run completed. The same when the whole results directory is lost (`--run-id` names the
 * run). A recovery from a lost joined host reads its checkpoint back from JetStream. The coordinator's user needs only
 * the permissions docs/recovery.md names. On a server without JetStream the run keeps its checkpoints in the
 * results directory only, says so once, and its results are unchanged; `--checkpoint-store jetstream` refuses it.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import { ExternalCheckpoints, readExternalCheckpoint } from "../coordinator/checkpoint/external-store.ts";
import { NatsServer } from "../coordinator/nats-server.ts";
import { openPart, sealPart } from "../nodes/runtime/checkpoint-part.ts";
import { checkpointBucket } from "../nodes/runtime/transport/permissions.ts";
import { testRunMeta } from "./support/checkpoints.ts";
import {
  CHECKPOINT_EVERY_INTERVAL,
  firstCheckpoint,
  JoinProcesses,
  joinRunArgs,
  undisturbedResults,
} from "./support/join-run.ts";
import { readResults } from "./support/nats-run.ts";
import { crossHostScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const file = writeScenario(dir.path, "cross-host", crossHostScenario("250ms"));
const expected = undisturbedResults(file, dir.path);
const coordinatorArgs = (url: string, runId: string, out: string, extra: string[] = []) =>
  joinRunArgs(file, url, runId, out, [...CHECKPOINT_EVERY_INTERVAL, ...extra]);

/** The object store buckets on the server at `url`. */
async function buckets(url: string): Promise<string[]> {
  const nc = await connect({ servers: url, reconnect: false });
  try {
    const names: string[] = [];
    for await (const status of new Objm(jetstream(nc)).list()) names.push(status.bucket);
    return names;
  } finally {
    await nc.close();
  }
}

/**
 * SIGINT a join run on a server with JetStream after a checkpoint, lose `lost` of its results directory, and resume
 * it with `--resume RUN_DIR --nats URL --join` (and `extra` flags) and the hosts joining again.
 */
async function interruptLoseResume(name: string, lost: "checkpoint" | "everything"): Promise<void> {
  const store = tempDir("dctwin-test-js-");
  const server = await NatsServer.start({ name: `dctwin-test-ext-js-${process.pid}`, jetStreamDir: store.path });
  const processes = new JoinProcesses();
  try {
    const runId = `ext-js-${name}-${process.pid}`;
    const out = join(dir.path, `external-js-${name}`);
    const args = coordinatorArgs(server.url, runId, out, ["--speed", "0.5"]);
    const cut = await processes.interruptAfterCheckpoint(args, server.url, runId, out);
    assert.ok(
      cut.stderr.includes(
        `checkpoints are also kept in JetStream on ${server.url} (bucket ${checkpointBucket(runId)})`,
      ),
      cut.stderr,
    );
    assert.ok((await buckets(server.url)).includes(checkpointBucket(runId)), "the checkpoint bucket is on the server");

    // The coordinator's copy is lost (with the whole results directory: a pod without a persistent volume).
    rmSync(lost === "checkpoint" ? join(out, "checkpoint") : out, { recursive: true, force: true });
    const runIdFlag = lost === "everything" ? ["--run-id", runId] : [];
    const result = await processes.resume(out, server.url, runId, runIdFlag);
    assert.ok(
      new RegExp(`read the checkpoint at [\\d.]+ s from JetStream on \\S+ \\(${checkpointBucket(runId)}\\)`).test(
        result.stderr,
      ),
      result.stderr,
    );
    assert.ok(result.stderr.includes(`resuming run ${runId} from its checkpoint at `), result.stderr);
    assert.deepEqual(readResults(out), await expected());
    assert.ok(!(await buckets(server.url)).includes(checkpointBucket(runId)), "a completed run removes its bucket");
  } finally {
    processes.end();
    await server.stop();
    store.remove();
  }
}

test("external JetStream - SIGINT a join run after a checkpoint, delete RUN_DIR/checkpoint; --resume --nats --join reads it from JetStream; identical results", () =>
  interruptLoseResume("dir", "checkpoint"));

test("external JetStream - the whole results directory lost: --resume RUN_DIR --run-id R --nats --join reads the checkpoint from JetStream; identical results", () =>
  interruptLoseResume("all", "everything"));

test("external NATS without JetStream - checkpoints in the results directory only, said once; results unchanged; --checkpoint-store jetstream refuses it", async () => {
  const server = await NatsServer.start({ name: `dctwin-test-ext-nojs-${process.pid}` });
  const processes = new JoinProcesses();
  try {
    const runId = `ext-nojs-${process.pid}`;
    const out = join(dir.path, "external-nojs");
    const coordinator = processes.start(coordinatorArgs(server.url, runId, out));
    processes.hosts(server.url, runId);
    const result = await coordinator.result;
    assert.equal(result.code, 0, result.stderr);
    const said = result.stderr.match(/has no JetStream for this user \(.*\): checkpoints are kept in the results/g);
    assert.equal(said?.length, 1, result.stderr);
    assert.ok(!result.stderr.includes("kept in JetStream"), result.stderr);
    const info = JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
    assert.ok(info.checkpoints.saved > 0, "checkpoints were taken (in the results directory)");
    assert.ok(!existsSync(join(out, "checkpoint")), "a completed run removes its checkpoint");
    assert.deepEqual(readResults(out), await expected());

    const strict = processes.start(
      coordinatorArgs(server.url, `${runId}-strict`, join(dir.path, "strict"), ["--checkpoint-store", "jetstream"]),
    );
    const refused = await strict.result;
    assert.notEqual(refused.code, 0, refused.stderr);
    assert.match(refused.stderr, /--checkpoint-store jetstream: the NATS server \S+ has no JetStream/);
  } finally {
    processes.end();
    await server.stop();
  }
});

test("external JetStream - the documented permissions suffice for the coordinator's user; without them: results directory only", async () => {
  const store = tempDir("dctwin-test-js-perm-");
  const runId = `perm-${process.pid}`;
  const bucket = checkpointBucket(runId);
  const users = [
    // The permissions docs/recovery.md names (the run's own subjects left out: this test stores checkpoints only).
    `{ user: "coord", password: "pw", permissions: { publish: { allow: ["$JS.API.>", "$JS.FC.>", "$O.${bucket}.>"] }, subscribe: { allow: ["_INBOX.>"] } } }`,
    `{ user: "plain", password: "pw", permissions: { publish: { allow: ["dct.>"] }, subscribe: { allow: ["dct.>", "_INBOX.>"] } } }`,
  ];
  const server = await NatsServer.start({
    name: `dctwin-test-ext-js-perm-${process.pid}`,
    jetStreamDir: store.path,
    config: `authorization { users = [\n${users.join("\n")}\n] }\n`,
  });
  const logs: string[] = [];
  const options = { url: server.url, runId, mode: "auto" as const, log: (m: string) => logs.push(m) };
  try {
    const denied = await ExternalCheckpoints.open({ ...options, auth: { user: "plain", password: "pw" } });
    assert.equal(denied, undefined);
    assert.match(
      logs.join("\n"),
      /has no JetStream for this user \(.*\): checkpoints are kept in the results directory only/,
    );

    const granted = await ExternalCheckpoints.open({ ...options, auth: { user: "coord", password: "pw" } });
    assert.ok(granted !== undefined, logs.join("\n"));
    try {
      const set = {
        atNs: 5e8,
        coordinator: sealPart("coordinator", new Uint8Array([1, 2])),
        hosts: [sealPart("host", new Uint8Array([3])), sealPart("host", new Uint8Array([4, 5]))],
      };
      granted.checkpoints.save(testRunMeta(runId, 2), set, (m) => logs.push(m));
      await granted.checkpoints.settled();
      assert.ok(!logs.some((m) => m.includes("not stored")), logs.join("\n"));
      const read = await readExternalCheckpoint({ url: server.url, runId, auth: { user: "coord", password: "pw" } });
      assert.equal(read?.bucket, bucket);
      assert.equal(read?.checkpoint.meta.at_ns, 5e8);
      assert.deepEqual(
        read?.checkpoint.hosts.map((h) => [...openPart("host", h)]),
        [[3], [4, 5]],
      );
      await granted.completed((m) => logs.push(m));
      assert.equal(
        await readExternalCheckpoint({ url: server.url, runId, auth: { user: "coord", password: "pw" } }),
        undefined,
        "the bucket is gone once the run completed",
      );
    } finally {
      await granted.close();
    }
  } finally {
    await server.stop();
    store.remove();
  }
});

test("external JetStream - kill -9 of a joined host after a checkpoint: the recovery reads the checkpoint back from JetStream; identical results", async () => {
  const store = tempDir("dctwin-test-js-loss-");
  const server = await NatsServer.start({ name: `dctwin-test-ext-js-loss-${process.pid}`, jetStreamDir: store.path });
  const processes = new JoinProcesses();
  try {
    const runId = `ext-js-loss-${process.pid}`;
    const out = join(dir.path, "external-js-loss");
    const coordinator = processes.start(
      coordinatorArgs(server.url, runId, out, ["--speed", "0.5", "--report-timeout", "5s"]),
    );
    const [, victim] = processes.hosts(server.url, runId);
    await firstCheckpoint(out, coordinator);
    victim!.child.kill("SIGKILL");
    await victim!.result;
    processes.host(server.url, runId, 1);
    const result = await coordinator.result;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      result.stderr.includes(`s back from JetStream (${checkpointBucket(runId)})`),
      `the recovery reads JetStream: ${result.stderr}`,
    );
    assert.match(result.stderr, /completed after 1 recovery/);
    assert.deepEqual(readResults(out), await expected());
  } finally {
    processes.end();
    await server.stop();
    store.remove();
  }
});
