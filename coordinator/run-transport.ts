/**
 * A run's transport: in process, or NATS — a private nats-server with per-run credentials (this run's coordinator
 * and hosts only, each with its role's permissions), or the server or cluster the run was told to join.
 */
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { connectNatsWithRetry, reconnectWithin } from "../nodes/runtime/transport/nats-connect.ts";
import type { NatsAuth } from "../nodes/runtime/transport/nats-auth.ts";
import type { Transport } from "../nodes/runtime/transport/transport.ts";
import { PrivateBroker } from "./private-broker.ts";
import type { TwinRunOptions } from "./run-options.ts";

export interface RunTransport {
  transport: Transport;
  /** The NATS server the run uses (null in process). */
  natsUrl: string | null;
  /** The credentials of the host processes this run starts. */
  hostAuth: (host: number) => NatsAuth;
  /** The private nats-server the run uses (made here, or kept across recoveries); undefined otherwise. */
  broker: PrivateBroker | undefined;
}

/**
 * Opens the transport; what it started is stopped by `cleanup` (the transport's close first). `onServer` hears
 * of the NATS server and the hosts' credentials as soon as they are known, before the coordinator connects: local
 * hosts start loading then. A private server's URL comes as a promise, before the server is started: its
 * credentials exist first, and hosts take longer to load than the server takes to listen.
 */
export async function openRunTransport(
  options: TwinRunOptions,
  runId: string,
  log: (message: string) => void,
  cleanup: (() => Promise<void>)[],
  onServer: (natsUrl: string | Promise<string>, hostAuth: (host: number) => NatsAuth) => void = () => {},
): Promise<RunTransport> {
  let transport: Transport;
  let natsUrl: string | null = null;
  let coordinatorAuth: NatsAuth = options.natsAuth ?? {};
  let hostAuth = (_host: number): NatsAuth => coordinatorAuth;
  let broker: PrivateBroker | undefined;
  if (options.transport === "inproc") {
    if (options.join) throw new Error("--join needs the NATS transport");
    transport = new InProcTransport();
  } else {
    if (options.natsUrl === undefined) {
      if (options.join)
        throw new Error("--join needs --nats URL: the private nats-server admits only the hosts this process starts");
      // A private server admits this run's coordinator and hosts only, each with its role's permissions. Its
      // credentials exist before it is started (or it is kept across recoveries: run-recovery.ts), so the hosts
      // start loading first and learn its URL once it listens.
      const running =
        options.broker ??
        PrivateBroker.prepare({
          runId,
          hosts: options.hosts,
          log,
          jetStream: !!options.checkpoint && options.checkpointStore !== "dir",
        });
      if (options.broker === undefined) cleanup.push(() => running.stop());
      onServer(running.isListening ? running.url : running.listening, (host) => running.hostAuth(host));
      await running.listen();
      broker = running;
      natsUrl = running.url;
      coordinatorAuth = running.coordinatorAuth;
      hostAuth = (host) => running.hostAuth(host);
    } else {
      natsUrl = options.natsUrl;
      onServer(natsUrl, hostAuth);
    }
    transport = await connectNatsWithRetry(
      natsUrl,
      { name: `dctwin-coordinator-${runId}`, ...reconnectWithin(options.natsReconnectTimeoutMs ?? 20_000) },
      { deadlineMs: options.natsConnectTimeoutMs ?? 30_000, auth: coordinatorAuth, log, signal: options.signal },
    );
  }
  cleanup.unshift(() => transport.close());
  return { transport, natsUrl, hostAuth, broker };
}
