/**
 * A run's checkpoints in a NATS JetStream object store (bucket `dctwin-checkpoints-<run>`), beside the copy in its
 * results directory: the same files (`coordinator.bin`, `host-<n>.bin`, `control.bin` if any, `meta.json`) as objects. A checkpoint's
 * snapshots go under its boundary (`<at_ns>/host-0.bin`, ...) and `meta.json` is replaced last, so a reader that
 * finds `meta.json` finds the complete set it names; the previous set is deleted after that. Saves are queued
 * in order and never hold the run up; a failed save is logged and the local copy remains.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { Objm, type ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/nats-core";
import type { CheckpointSet } from "../driver/checkpointer.ts";
import { checkpointBucket } from "../../nodes/runtime/transport/permissions.ts";
import type { PartKind } from "../../nodes/runtime/checkpoint-part.ts";
import {
  checkPart,
  checkpointMeta,
  CONTROL_FILE,
  parseCheckpointMeta,
  type RunMeta,
  type StoredCheckpoint,
} from "./store.ts";

const META = "meta.json";
const READ_ATTEMPTS = 3;

export class JetStreamCheckpoints {
  readonly bucket: string;
  private readonly store: ObjectStore;
  private queue: Promise<void> = Promise.resolve();
  /** The boundary of the set `meta.json` names now (its objects are deleted once a newer set is in). */
  private current: number | undefined;
  saved = 0;

  private constructor(bucket: string, store: ObjectStore) {
    this.bucket = bucket;
    this.store = store;
  }

  /**
   * Opens (creating it if needed) the checkpoint bucket of run `runId` on the JetStream of `nc`; each JetStream
   * request may take `timeoutMs` (nats.js's default, 5 s, is short on a loaded machine).
   */
  static async open(nc: NatsConnection, runId: string, timeoutMs = 10_000): Promise<JetStreamCheckpoints> {
    const bucket = checkpointBucket(runId);
    const store = await new Objm(jetstream(nc, { timeout: timeoutMs })).create(bucket, {
      description: `dctwin checkpoints of run ${runId}`,
      storage: "file",
    });
    const checkpoints = new JetStreamCheckpoints(bucket, store);
    // A bucket of an earlier attempt of this run (an external server, `--resume`): its set is replaced by the next.
    const meta = await store.getBlob(META);
    if (meta !== null) checkpoints.current = parseCheckpointMeta(new TextDecoder().decode(meta), bucket).at_ns;
    return checkpoints;
  }

  /** The checkpoint bucket of run `runId` if it exists on the JetStream of `nc` (undefined if not). */
  static async openExisting(
    nc: NatsConnection,
    runId: string,
    timeoutMs = 10_000,
  ): Promise<JetStreamCheckpoints | undefined> {
    const bucket = checkpointBucket(runId);
    const objm = new Objm(jetstream(nc, { timeout: timeoutMs }));
    for await (const status of objm.list())
      if (status.bucket === bucket) return new JetStreamCheckpoints(bucket, await objm.open(bucket));
    return undefined;
  }

  /** Removes the bucket (the run completed: nothing is left to resume). */
  async destroy(): Promise<void> {
    await this.settled();
    await this.store.destroy();
  }

  /** Queues checkpoint `set` (after any still being saved); errors go to `log`. */
  save(meta: RunMeta, set: CheckpointSet, log: (message: string) => void): void {
    const full = checkpointMeta(meta, set);
    this.queue = this.queue
      .then(async () => {
        const prefix = String(set.atNs);
        await this.store.putBlob({ name: `${prefix}/coordinator.bin` }, set.coordinator);
        for (const [host, bytes] of set.hosts.entries())
          await this.store.putBlob({ name: `${prefix}/host-${host}.bin` }, bytes);
        if (set.control !== undefined) await this.store.putBlob({ name: `${prefix}/${CONTROL_FILE}` }, set.control);
        await this.store.putBlob({ name: META }, new TextEncoder().encode(JSON.stringify(full)));
        const previous = this.current;
        this.current = set.atNs;
        this.saved++;
        if (previous !== undefined && previous !== set.atNs)
          await this.removeSet(previous, set.hosts.length, set.control !== undefined);
      })
      .catch((error: unknown) => log(`checkpoint at ${set.atNs / 1e9} s not stored in JetStream: ${String(error)}`));
  }

  /** Resolves once every queued save has ended. */
  settled(): Promise<void> {
    return this.queue;
  }

  /**
   * The last complete checkpoint in the bucket, or undefined if there is none; host snapshots are also written to
   * `hostDir` if given (hosts started as processes read them from files).
   */
  async read(hostDir?: string): Promise<StoredCheckpoint | undefined> {
    await this.settled();
    // A request sent on a connection that has not yet noticed its server is gone (just restarted) is lost: retry.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.readOnce(hostDir);
      } catch (error) {
        if (!(error instanceof Error && error.name === "TimeoutError") || attempt >= READ_ATTEMPTS) throw error;
      }
    }
  }

  private async readOnce(hostDir: string | undefined): Promise<StoredCheckpoint | undefined> {
    const metaBytes = await this.store.getBlob(META);
    if (metaBytes === null) return undefined;
    const where = `JetStream object ${this.bucket}/${META}`;
    const meta = parseCheckpointMeta(new TextDecoder().decode(metaBytes), where);
    const object = async (kind: PartKind, name: string): Promise<Uint8Array> => {
      const bytes = await this.store.getBlob(`${meta.at_ns}/${name}`);
      if (bytes === null) throw new Error(`${where} names the checkpoint at ${meta.at_ns} ns, which lacks ${name}`);
      return checkPart(kind, bytes, `JetStream object ${this.bucket}/${meta.at_ns}/${name}`, meta);
    };
    const coordinator = await object("coordinator", "coordinator.bin");
    const hosts: Uint8Array[] = [];
    for (let host = 0; host < meta.hosts; host++) hosts.push(await object("host", `host-${host}.bin`));
    if (hostDir !== undefined) mkdirSync(hostDir, { recursive: true, mode: 0o700 });
    const hostFiles =
      hostDir === undefined
        ? []
        : hosts.map((bytes, host) => {
            const file = join(hostDir, `host-${host}.bin`);
            writeFileSync(file, bytes, { mode: 0o600 });
            return file;
          });
    const control = await this.store.getBlob(`${meta.at_ns}/${CONTROL_FILE}`);
    if (control !== null)
      checkPart("control", control, `JetStream object ${this.bucket}/${meta.at_ns}/${CONTROL_FILE}`, meta);
    return { meta, coordinator, hosts, hostFiles, ...(control === null ? {} : { control }) };
  }

  private async removeSet(atNs: number, hosts: number, control: boolean): Promise<void> {
    const names = ["coordinator.bin", ...Array.from({ length: hosts }, (_, h) => `host-${h}.bin`)];
    if (control) names.push(CONTROL_FILE);
    for (const name of names) await this.store.delete(`${atNs}/${name}`);
  }
}
