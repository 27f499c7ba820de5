/**
 * The private nats-server of a run (the default without `--nats`), kept for the whole run — across recoveries —
 * and restarted if it dies: a nats-server killed during a run is started again on the same port with the same
 * per-run credentials (held in memory here, so hosts and coordinator reconnect with the keys they have) and the
 * same JetStream store, so the checkpoints in it survive. Messages that were on the wire are lost with the old
 * server; the run then misses a report and recovers from its last checkpoint (run-recovery.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { NatsAuth } from "../nodes/runtime/transport/nats-auth.ts";
import { natsConnectionOptions } from "../nodes/runtime/transport/nats-auth.ts";
import { reconnectWithin } from "../nodes/runtime/transport/nats-connect.ts";
import { JetStreamCheckpoints } from "./checkpoint/jetstream-store.ts";
import { NatsServer } from "./nats-server.ts";
import { createRunCredentials, type RunCredentials } from "./run-credentials.ts";

/** How long a dead server is tried to be started again (its port may take a moment to be free). */
const RESTART_DEADLINE_MS = 10_000;
const RESTART_RETRY_MS = 250;

export interface PrivateBrokerOptions {
  runId: string;
  hosts: number;
  log: (message: string) => void;
  /** Enable JetStream and keep the run's checkpoints in it. */
  jetStream?: boolean;
  /**
   * Hears the hosts' credentials as soon as they exist, before the server is started: local hosts start loading
   * then, and learn the server's URL once it listens (LocalHosts).
   */
  onCredentials?: (hostAuth: (host: number) => NatsAuth) => void;
}

export class PrivateBroker {
  readonly url: string;
  readonly port: number;
  /** The run's checkpoints in JetStream, when enabled. */
  checkpoints: JetStreamCheckpoints | undefined;
  /** Times the server was started again after it died. */
  restarts = 0;
  private server: NatsServer;
  private stopping = false;
  private storeConnection: NatsConnection | undefined;

  private readonly options: PrivateBrokerOptions;
  private readonly credentials: RunCredentials;
  private readonly dir: string;

  private constructor(options: PrivateBrokerOptions, credentials: RunCredentials, dir: string, server: NatsServer) {
    this.options = options;
    this.credentials = credentials;
    this.dir = dir;
    this.server = server;
    this.url = server.url;
    this.port = server.port;
    this.supervise();
  }

  static async start(options: PrivateBrokerOptions): Promise<PrivateBroker> {
    const credentials = createRunCredentials(options.runId, options.hosts);
    const dir = mkdtempSync(join(tmpdir(), "dctwin-broker-")); // mode 0700: the JetStream store and restored files
    try {
      options.onCredentials?.((host) => credentials.hosts[host]!);
      const server = await NatsServer.start(PrivateBroker.serverOptions(options, credentials, dir));
      options.log(`started nats-server ${server.url} (pid ${server.pid}) with per-run credentials`);
      const broker = new PrivateBroker(options, credentials, dir, server);
      if (options.jetStream) await broker.openCheckpoints();
      return broker;
    } catch (error) {
      credentials.remove();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private static serverOptions(options: PrivateBrokerOptions, credentials: RunCredentials, dir: string, port?: number) {
    return {
      name: `dctwin-${options.runId}`,
      config: credentials.serverConfig,
      port,
      jetStreamDir: options.jetStream ? join(dir, "jetstream") : undefined,
    };
  }

  get pid(): number {
    return this.server.pid;
  }

  get coordinatorAuth(): NatsAuth {
    return this.credentials.coordinator;
  }

  hostAuth(host: number): NatsAuth {
    return this.credentials.hosts[host]!;
  }

  /** The checkpoint store's credentials (tests look into the bucket with them). */
  storeAuthForTests(): NatsAuth {
    return this.credentials.store;
  }

  /** A private folder for files of this run (e.g. host snapshots read back from JetStream). */
  get privateDir(): string {
    return this.dir;
  }

  private async openCheckpoints(): Promise<void> {
    this.storeConnection = await connect({
      servers: this.url,
      name: `dctwin-checkpoints-${this.options.runId}`,
      ...natsConnectionOptions(this.credentials.store),
      ...reconnectWithin(RESTART_DEADLINE_MS + 20_000),
    });
    this.checkpoints = await JetStreamCheckpoints.open(this.storeConnection, this.options.runId);
  }

  private supervise(): void {
    const server = this.server;
    void server.exited.then(async () => {
      if (this.stopping) return;
      this.options.log(
        `nats-server (pid ${server.pid}) exited; starting it again on port ${this.port} with the run's credentials`,
      );
      const deadline = Date.now() + RESTART_DEADLINE_MS;
      for (;;) {
        try {
          this.server = await NatsServer.start(
            PrivateBroker.serverOptions(this.options, this.credentials, this.dir, this.port),
          );
          break;
        } catch (error) {
          if (this.stopping) return;
          if (Date.now() > deadline)
            return this.options.log(`nats-server could not be started again: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, RESTART_RETRY_MS));
        }
      }
      if (this.stopping) return void this.server.stop();
      this.restarts++;
      this.options.log(`nats-server started again: ${this.url} (pid ${this.server.pid})`);
      this.supervise();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.storeConnection?.close().catch(() => {});
    await this.server.stop();
    this.credentials.remove();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
