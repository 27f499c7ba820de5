/**
 * Checkpoints of a run on an external NATS server (`--nats URL`, e.g. `--join` runs on Kubernetes) in that server's
 * JetStream, beside the results directory's copy, so a coordinator lost with its results directory (a pod without a
 * persistent volume) can still be resumed. Where they go is `--checkpoint-store`: `dir` (the results directory only),
 * `jetstream` (also JetStream; a server without it fails the run) or `auto` (also JetStream if the server has it,
 * found by asking for the JetStream account info). The coordinator's NATS user needs `$JS.API.>` and
 * `$O.dctwin-checkpoints-<run>.>` (docs/recovery.md).
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsAuth, natsConnectionOptions } from "../../nodes/runtime/transport/nats-auth.ts";
import { reconnectWithin } from "../../nodes/runtime/transport/nats-connect.ts";
import { JetStreamCheckpoints } from "./jetstream-store.ts";
import type { StoredCheckpoint } from "./store.ts";

export const CHECKPOINT_STORES = ["dir", "jetstream", "auto"] as const;
export type CheckpointStoreMode = (typeof CHECKPOINT_STORES)[number];

export interface ExternalStoreOptions {
  url: string;
  auth: NatsAuth | undefined;
  runId: string;
  mode: CheckpointStoreMode;
  log: (message: string) => void;
  /** Keep reconnecting this long (ms) after losing the server. */
  reconnectMs?: number;
}

/** A run's checkpoint bucket on an external server and the connection that holds it. */
export class ExternalCheckpoints {
  readonly checkpoints: JetStreamCheckpoints;
  private readonly nc: NatsConnection;

  private constructor(checkpoints: JetStreamCheckpoints, nc: NatsConnection) {
    this.checkpoints = checkpoints;
    this.nc = nc;
  }

  /**
   * Opens the run's bucket (creating it) if the server has JetStream and `mode` allows it; undefined otherwise, with
   * one log line saying why. With mode `jetstream`, a server without JetStream is an error.
   */
  static async open(options: ExternalStoreOptions): Promise<ExternalCheckpoints | undefined> {
    if (options.mode === "dir") return undefined;
    let nc: NatsConnection;
    try {
      nc = await connectStore(options);
    } catch (error) {
      if (options.mode === "jetstream") throw error;
      options.log(
        `cannot reach ${options.url} to look for JetStream (${(error as Error).message}): checkpoints are kept in the results directory only`,
      );
      return undefined;
    }
    try {
      const missing = await jetStreamMissing(nc);
      if (missing !== undefined) {
        const why = `the NATS server ${options.url} has no JetStream for this user (${missing})`;
        if (options.mode === "jetstream") throw new Error(`--checkpoint-store jetstream: ${why}`);
        options.log(`${why}: checkpoints are kept in the results directory only`);
        await nc.close();
        return undefined;
      }
      const checkpoints = await JetStreamCheckpoints.open(nc, options.runId);
      options.log(`checkpoints are also kept in JetStream on ${options.url} (bucket ${checkpoints.bucket})`);
      return new ExternalCheckpoints(checkpoints, nc);
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
  }

  /** The run completed: its bucket is removed (a failure to is logged: the results are written already). */
  async completed(log: (message: string) => void): Promise<void> {
    await this.checkpoints
      .destroy()
      .catch((error: unknown) =>
        log(`the JetStream bucket ${this.checkpoints.bucket} could not be removed: ${String(error)}`),
      );
  }

  async close(): Promise<void> {
    await this.checkpoints.settled();
    await this.nc.close().catch(() => {});
  }
}

/**
 * The last checkpoint of run `runId` in the JetStream of an external server, or undefined if the server has no
 * JetStream or no checkpoint of that run (`dctwin run --resume` of a results directory without one).
 */
export async function readExternalCheckpoint(
  options: Omit<ExternalStoreOptions, "mode" | "log">,
): Promise<{ checkpoint: StoredCheckpoint; bucket: string } | undefined> {
  const nc = await connectStore(options);
  try {
    if ((await jetStreamMissing(nc)) !== undefined) return undefined;
    const js = await JetStreamCheckpoints.openExisting(nc, options.runId);
    if (js === undefined) return undefined;
    const checkpoint = await js.read();
    return checkpoint === undefined ? undefined : { checkpoint, bucket: js.bucket };
  } finally {
    await nc.close().catch(() => {});
  }
}

function connectStore(options: Omit<ExternalStoreOptions, "mode" | "log">): Promise<NatsConnection> {
  return connect({
    servers: options.url,
    name: `dctwin-checkpoints-${options.runId}`,
    ...natsConnectionOptions(options.auth ?? {}),
    ...reconnectWithin(options.reconnectMs ?? 20_000),
  });
}

/** Why JetStream cannot be used on `nc` (its account info cannot be had), or undefined if it can. */
async function jetStreamMissing(nc: NatsConnection): Promise<string | undefined> {
  try {
    await (await jetstreamManager(nc, { checkAPI: false, timeout: 10_000 })).getAccountInfo();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
