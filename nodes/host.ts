/**
 * A host process: connects to NATS, joins run `runId` as shard `host`, runs windows until the coordinator
 * stops the run. The same entry serves local runs (spawned by the coordinator) and Kubernetes pods
 * (StatefulSet ordinal = shard). When the coordinator recovers the run from a checkpoint after losing a host, it
 * tells the hosts to join again: the process then starts over as a new agent and gets its snapshot over NATS.
 */
import type { ModelLookup } from "./runtime/actor.ts";
import type { HostAgent } from "./runtime/host-agent.ts";
import type { ResolvedScenario } from "./runtime/topology.ts";
import type { NatsAuth } from "./runtime/transport/nats-auth.ts";
import { connectNatsWithRetry, reconnectWithin } from "./runtime/transport/nats-connect.ts";
import type { Transport } from "./runtime/transport/transport.ts";

export interface HostProcessOptions {
  /** A promise when the URL comes later (`--nats -`): the host loads meanwhile. */
  natsUrl: string | Promise<string>;
  /** Credentials and TLS options for NATS. */
  natsAuth?: NatsAuth;
  runId: string;
  host: number;
  /** Exit when standard input closes: the coordinator that spawned this host is gone. */
  exitWithParent?: boolean;
  /** Serve this host's own Prometheus metrics at /metrics on this port (0: a free port; the URL is printed). */
  metricsPort?: number;
  /** Address the metrics endpoint binds to (default 127.0.0.1). */
  metricsHost?: string;
  /** Keep retrying to connect to NATS this long (ms): a pod may start before the NATS server (default 60 s). */
  connectTimeoutMs?: number;
  /** Once the run started, exit when nothing comes from the coordinator for this long (ms; default 30 s). */
  coordinatorTimeoutMs?: number;
  /** Reconnect to NATS within this long after losing the connection, else exit (ms; default 20 s). */
  reconnectTimeoutMs?: number;
}

export async function runHostProcess(options: HostProcessOptions): Promise<string> {
  const log = (message: string) => console.error(`host ${options.host}: ${message}`);
  // The runtime loads while the connection to NATS is made: most of a host's start-up is loading.
  const loadingAgent = import("./runtime/host-agent.ts");
  loadingAgent.catch(() => {}); // a failed load is thrown where it is awaited, not as an unhandled rejection first
  // The models (with zod: a third of a host's loading) are needed only when RunStart comes, which the agent takes
  // once they are in (HostAgentOptions.modelsLoaded). They load while the host would otherwise wait: once its hello
  // is out (for the coordinator's answer), or while its server is not up yet. Loaded first, they held up the
  // connection and the hello of a host whose server was up, its start-up all CPU until then.
  let runModels: ((scenario: ResolvedScenario) => ModelLookup) | undefined;
  let loadModels = () => {};
  const modelsLoaded = new Promise<void>((resolve) => (loadModels = resolve))
    .then(() => import("./leap/support.ts"))
    .then((support) => {
      runModels = support.runModels;
    });
  modelsLoaded.catch(() => {}); // reported by the agent that waits for it
  // No echo: a host never needs its own messages back (it keeps its own window report), which saves a delivery
  // and a decode per window.
  const transport = await connectNatsWithRetry(
    await options.natsUrl,
    { name: `dctwin-host-${options.host}`, noEcho: true, ...reconnectWithin(options.reconnectTimeoutMs ?? 20_000) },
    { deadlineMs: options.connectTimeoutMs ?? 60_000, auth: options.natsAuth, log, onRetry: loadModels },
  );
  const { HostAgent } = await loadingAgent;
  // Loaded only when asked for: prom-client is a fifth of a host's start-up, and hosts the coordinator spawns
  // serve no metrics.
  const metrics =
    options.metricsPort === undefined ? null : await startHostMetrics(transport, options, options.metricsPort);
  const wired = metrics?.transport ?? transport;
  if (options.exitWithParent) {
    process.stdin.on("close", () => process.exit(3));
    process.stdin.resume();
  }
  // Ctrl-C at a terminal reaches the whole process group; the coordinator decides when hosts stop.
  process.on("SIGINT", () => {});
  const closed = transport
    .closed()
    .then((error) => `connection to NATS closed${error instanceof Error ? `: ${error.message}` : ""}`);
  let agent: HostAgent;
  let reason: string;
  let malformed = 0;
  let rejoining = false;
  for (;;) {
    agent = new HostAgent({
      transport: wired,
      runId: options.runId,
      host: options.host,
      models: (scenario) => runModels!(scenario),
      modelsLoaded,
      coordinatorTimeoutMs: options.coordinatorTimeoutMs ?? 30_000,
    });
    agent.start(rejoining);
    // The hello is written to the socket by a microtask the NATS client queued first: it goes out before the models
    // begin to load.
    loadModels();
    reason = await Promise.race([agent.finished, closed]);
    malformed += agent.malformedMessages;
    if (!agent.rejoin) break;
    rejoining = true;
    log(`${reason}; joining run ${options.runId} again`);
  }
  await transport.close().catch(() => {});
  await metrics?.server.close();
  if (agent.coordinatorLost) {
    log(reason);
    process.exitCode = 1;
  }
  if (malformed > 0) console.error(`host ${options.host}: dropped ${malformed} malformed message(s)`);
  return reason;
}

async function startHostMetrics(transport: Transport, options: HostProcessOptions, port: number) {
  const { CountingTransport, hostRegistry, WireStats } = await import("./host-metrics.ts");
  const { startMetricsServer } = await import("./metrics-server.ts");
  const stats = new WireStats();
  const server = await startMetricsServer(hostRegistry(stats, { run: options.runId, host: String(options.host) }), {
    host: options.metricsHost,
    port,
  });
  console.error(`host ${options.host}: metrics: ${server.url}`);
  return { server, transport: new CountingTransport(transport, stats) };
}
