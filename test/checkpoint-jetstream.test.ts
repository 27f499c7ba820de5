/**
 * Checkpoints in NATS JetStream (a real nats-server with JetStream, as the private server of a run starts it): a
 * checkpoint set stored in the run's object store bucket reads back byte for byte, a newer one replaces it (the
 * older objects deleted), and both survive a kill -9 of the server, which the run's broker starts again on its
 * port with the run's credentials (a host logs in again with the key it has). A host's credentials cannot reach
 * the bucket.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, test } from "node:test";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import type { CheckpointSet } from "../coordinator/driver/checkpointer.ts";
import { PrivateBroker } from "../coordinator/private-broker.ts";
import { sealPart } from "../nodes/runtime/checkpoint-part.ts";
import { natsConnectionOptions } from "../nodes/runtime/transport/nats-auth.ts";
import { checkpointBucket } from "../nodes/runtime/transport/permissions.ts";
import { testRunMeta } from "./support/checkpoints.ts";
import { alive, waitFor } from "./support/processes.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const runId = `js-${process.pid}`;
const meta = testRunMeta(runId, 2);
/** Snapshots of distinct sizes and contents, one above the object store's 128 KiB chunk. */
function set(atNs: number, fill: number): CheckpointSet {
  const bytes = (n: number, k: number) => Uint8Array.from({ length: n }, (_, i) => (i * k + fill) & 0xff);
  return {
    atNs,
    coordinator: sealPart("coordinator", bytes(1000, 3)),
    hosts: [sealPart("host", bytes(300_000, 7)), sealPart("host", bytes(17, 11))],
  };
}

test("checkpoint jetstream - stored, replaced, read back byte for byte, kept across a kill -9 of the server; hosts cannot reach it", async () => {
  const lines: string[] = [];
  const broker = await PrivateBroker.start({ runId, hosts: 2, log: (m) => lines.push(m), jetStream: true });
  try {
    const store = broker.checkpoints!;
    assert.equal(store.bucket, checkpointBucket(runId));
    assert.equal(await store.read(`${dir.path}/empty`), undefined, "no checkpoint yet");
    store.save(meta, set(250e6, 1), (m) => lines.push(m));
    store.save(meta, set(500e6, 2), (m) => lines.push(m));
    const second = set(500e6, 2);
    const check = async (where: string) => {
      const read = await store.read(`${dir.path}/${where}`);
      assert.ok(read !== undefined);
      assert.equal(read.meta.at_ns, 500e6);
      assert.equal(read.meta.run_id, runId);
      assert.deepEqual(new Uint8Array(read.coordinator), second.coordinator);
      assert.deepEqual(
        read.hosts.map((h) => new Uint8Array(h)),
        second.hosts,
      );
      assert.deepEqual(
        read.hostFiles.map((f) => new Uint8Array(readFileSync(f))),
        second.hosts,
      );
    };
    await check("first");
    assert.equal(store.saved, 2);
    assert.deepEqual(
      lines.filter((l) => /not stored/.test(l)),
      [],
    );

    const nc = await connect({ servers: broker.url, ...natsConnectionOptions(broker.storeAuthForTests()) });
    try {
      const names = (await (await new Objm(nc).open(store.bucket)).list()).map((o) => o.name).sort();
      assert.deepEqual(names, [
        "500000000/coordinator.bin",
        "500000000/host-0.bin",
        "500000000/host-1.bin",
        "meta.json",
      ]);
    } finally {
      await nc.close();
    }

    const oldPid = broker.pid;
    process.kill(oldPid, "SIGKILL");
    await waitFor(() => broker.restarts === 1, 60_000, "the broker to start nats-server again");
    assert.ok(!alive(oldPid) && alive(broker.pid) && broker.pid !== oldPid);
    assert.ok(lines.some((l) => l.includes(`starting it again on port ${broker.port} with the run's credentials`)));
    await check("after-restart");

    // A host logs in again with its key (the credentials survived the restart), but JetStream is not its to use.
    const host = await connect({ servers: broker.url, ...natsConnectionOptions(broker.hostAuth(0)), timeout: 10_000 });
    try {
      await assert.rejects(
        async () => (await new Objm(host).open(store.bucket)).getBlob("meta.json"),
        /permission|timeout|no responders/i,
      );
    } finally {
      await host.close();
    }
  } finally {
    await broker.stop();
  }
  assert.ok(!alive(broker.pid));
});
