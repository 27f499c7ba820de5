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
}

/**
 * Made in two steps: `prepare` creates the credentials (local hosts start loading with them), `listen` starts the
 * server (the hosts learn its URL from `listening`). A run that keeps its server across recoveries prepares it
 * before its first attempt, which starts it while its hosts load, as a run without recoveries does.
 */
export class PrivateBroker {
  /** The run's checkpoints in JetStream, when enabled (once listening). */
  checkpoints: JetStreamCheckpoints | undefined;
  /** Times the server was started again after it died. */
  restarts = 0;
  /** The server's URL once it listens (rejects if it cannot be started). */
  readonly listening: Promise<string>;
  private server: NatsServer | undefined;
  private started: Promise<void> | undefined;
  private stopping = false;
  private storeConnection: NatsConnection | undefined;
  private heard: (url: string) => void = () => {};
  private failed: (error: Error) => void = () => {};

  private readonly options: PrivateBrokerOptions;
  private readonly credentials: RunCredentials;
  private readonly dir: string;

  private constructor(options: PrivateBrokerOptions) {
    this.options = options;
    this.credentials = createRunCredentials(options.runId, options.hosts);
    this.dir = mkdtempSync(join(tmpdir(), "dctwin-broker-")); // mode 0700: the JetStream store and restored files
    this.listening = new Promise<string>((resolve, reject) => {
      this.heard = resolve;
      this.failed = reject;
    });
    this.listening.catch(() => {}); // the failure is `listen()`'s to report
  }

  /** The credentials and private folder of a run's server, not yet started (`listen`; `stop` removes them). */
  static prepare(options: PrivateBrokerOptions): PrivateBroker {
    return new PrivateBroker(options);
  }

  /** Prepares and starts at once; what a failed start made is removed. */
  static async start(options: PrivateBrokerOptions): Promise<PrivateBroker> {
    const broker = PrivateBroker.prepare(options);
    try {
      await broker.listen();
      return broker;
    } catch (error) {
      await broker.stop();
      throw error;
    }
  }

  /** Starts the server (and opens the checkpoint store); later calls wait for the first. */
  listen(): Promise<void> {
    this.started ??= this.startServer().then(
      (url) => this.heard(url),
      (error: Error) => {
        this.failed(error);
        throw error;
      },
    );
    return this.started;
  }

  private async startServer(): Promise<string> {
    const server = await NatsServer.start(PrivateBroker.serverOptions(this.options, this.credentials, this.dir));
    this.server = server;
    this.options.log(`started nats-server ${server.url} (pid ${server.pid}) with per-run credentials`);
    this.supervise();
    if (this.options.jetStream) await this.openCheckpoints();
    return server.url;
  }

  private static serverOptions(options: PrivateBrokerOptions, credentials: RunCredentials, dir: string, port?: number) {
    return {
      name: `dctwin-${options.runId}`,
      config: credentials.serverConfig,
      port,
      jetStreamDir: options.jetStream ? join(dir, "jetstream") : undefined,
    };
  }

  /** The server (once listening). */
  private get running(): NatsServer {
    if (this.server === undefined) throw new Error("the private nats-server is not started yet (listen())");
    return this.server;
  }

  /** Whether the server was started (its URL is known). */
  get isListening(): boolean {
    return this.server !== undefined;
  }

  get url(): string {
    return this.running.url;
  }

  get port(): number {
    return this.running.port;
  }

  get pid(): number {
    return this.running.pid;
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
    const server = this.running;
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
      if (this.stopping) return void this.running.stop();
      this.restarts++;
      this.options.log(`nats-server started again: ${this.url} (pid ${this.pid})`);
      this.supervise();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.started?.catch(() => {}); // a server being started is stopped once it is
    await this.storeConnection?.close().catch(() => {});
    await this.server?.stop();
    this.credentials.remove();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
