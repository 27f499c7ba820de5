/**
 * One run, end to end: pick the transport, bring up hosts (in this process, as local processes, or by waiting
 * for hosts to join over NATS), drive the windows, and write the results directory. Everything started here is
 * stopped here, also when the run fails or is interrupted.
 */
import { randomBytes } from "node:crypto";
import { lookupModel } from "../nodes/models/registry.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { NatsTransport } from "../nodes/runtime/transport/nats.ts";
import { natsAuthEnv, type NatsAuth } from "../nodes/runtime/transport/nats-auth.ts";
import type { Transport } from "../nodes/runtime/transport/transport.ts";
import { LocalHosts } from "./local-hosts.ts";
import { NatsServer } from "./nats-server.ts";
import { createRunCredentials } from "./run-credentials.ts";
import { placeActors } from "./placement.ts";
import { HostFailedError, RunDriver, type HostInfo, type RunDriverOptions, type RunOutcome, type WindowProgress } from "./run-driver.ts";
import type { Summary } from "./results/summary.ts";
import { writeResults } from "./results/write.ts";
import { startRunExporter, type MetricsExporterOptions } from "./observability/prometheus/exporter.ts";
import type { FaultProbe } from "./observability/run-state.ts";
import { runViewFromScenario } from "./observability/run-view.ts";
import { startRunTracing } from "./tracing/setup.ts";

export type TransportKind = "inproc" | "nats";

export interface TwinRunOptions {
  scenario: ResolvedScenario;
  hosts: number;
  transport: TransportKind;
  /** Join this NATS server or cluster; without it a private nats-server is started. */
  natsUrl?: string;
  /** Credentials and TLS for `natsUrl` (the coordinator's, and those of the hosts it starts). */
  natsAuth?: NatsAuth;
  /** Wait for `hosts` host processes to join over NATS instead of starting them (Kubernetes mode). */
  join?: boolean;
  runId?: string;
  speed?: number;
  outDir: string;
  signal?: AbortSignal;
  onWindow?: (progress: WindowProgress) => void;
  log?: (message: string) => void;
  /** Commands at simulated times (a declarative experiment). */
  schedule?: RunDriverOptions["schedule"];
  /** Called with each metrics interval once every host has reported it. */
  onIntervalClosed?: RunDriverOptions["onIntervalClosed"];
  /** Hands out the driver once it exists, e.g. to a control API that submits live commands or pauses the run. */
  onDriver?: (driver: RunDriver) => void;
  /** Serve Prometheus metrics of the run at /metrics (port 0: a free port; the URL is logged). */
  metrics?: MetricsExporterOptions;
  /** Where the metrics exporter learns about faults (the control layer). */
  faults?: FaultProbe;
}

export interface TwinRunResult {
  runId: string;
  outcome: RunOutcome;
  summary: Summary;
  wallTimeS: number;
}

const VERSION = "0.1.0";

export function newRunId(): string {
  return `run-${randomBytes(4).toString("hex")}`;
}

export async function runTwin(options: TwinRunOptions): Promise<TwinRunResult> {
  const runId = options.runId ?? newRunId();
  const log = options.log ?? (() => {});
  const cleanup: (() => Promise<void>)[] = [];
  const startedAt = new Date();
  const wallStart = performance.now();
  try {
    let transport: Transport;
    let natsUrl: string | null = null;
    let coordinatorAuth: NatsAuth = options.natsAuth ?? {};
    let hostAuth = (_host: number): NatsAuth => coordinatorAuth;
    if (options.transport === "inproc") {
      if (options.join) throw new Error("--join needs the NATS transport");
      transport = new InProcTransport();
    } else {
      if (options.natsUrl === undefined) {
        if (options.join) throw new Error("--join needs --nats URL: the private nats-server admits only the hosts this process starts");
        // A private server admits this run's coordinator and hosts only, each with its role's permissions.
        const credentials = createRunCredentials(runId, options.hosts);
        cleanup.push(async () => credentials.remove());
        const server = await NatsServer.start({ name: `dctwin-${runId}`, config: credentials.serverConfig });
        cleanup.push(() => server.stop());
        log(`started nats-server ${server.url} (pid ${server.pid}) with per-run credentials`);
        natsUrl = server.url;
        coordinatorAuth = credentials.coordinator;
        hostAuth = (host) => credentials.hosts[host]!;
      } else natsUrl = options.natsUrl;
      const nats = await NatsTransport.connect(natsUrl, { name: `dctwin-coordinator-${runId}` }, coordinatorAuth);
      transport = nats;
    }
    cleanup.unshift(() => transport.close());

    const tracing = startRunTracing(options.scenario, runId);
    if (tracing !== null) {
      cleanup.push(() => tracing.shutdown());
      log(`tracing ${options.scenario.run.traceSampleRatio * 100}% of flows to OTLP (${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "default endpoint"})`);
    }
    const exporter = options.metrics === undefined ? null : await startRunExporter(runViewFromScenario(options.scenario, runId), { ...options.metrics, speed: options.speed });
    if (exporter !== null) {
      exporter.state.faultProbe = options.faults;
      cleanup.push(() => exporter.close());
      log(`metrics: ${exporter.url} (level ${exporter.state.level})`);
    }
    let driverRef: RunDriver | undefined;
    const driver = new RunDriver({
      transport,
      runId,
      scenario: options.scenario,
      placement: placeActors(options.scenario.actors, options.hosts),
      hostCount: options.hosts,
      speed: options.speed,
      signal: options.signal,
      onWindow: (progress) => {
        exporter?.state.onWindow(progress);
        options.onWindow?.(progress);
      },
      schedule: options.schedule,
      onIntervalClosed: (record) => {
        tracing?.onIntervalClosed(record, driverRef?.progress().windows ?? 0);
        exporter?.state.onIntervalClosed(record);
        options.onIntervalClosed?.(record);
      },
      onHostsJoined: (hosts: HostInfo[]) => log(`${hosts.length} host(s) joined run ${runId}`),
    });
    driverRef = driver;
    exporter?.state.attachDriver(driver);
    driver.listen();
    options.onDriver?.(driver);
    if (options.transport === "inproc") {
      for (let host = 0; host < options.hosts; host++) new HostAgent({ transport, runId, host, models: lookupModel }).start();
    } else if (!options.join) {
      const hosts = LocalHosts.start(natsUrl!, runId, options.hosts, (message) => driver.abort(new HostFailedError(message)), (host) => natsAuthEnv(hostAuth(host)));
      cleanup.unshift(() => hosts.stop());
      log(`started ${options.hosts} host process(es): pids ${hosts.pids.join(", ")}`);
    } else {
      log(`waiting for ${options.hosts} host(s) to join run ${runId} on ${natsUrl} (dctwin host --nats URL --run ${runId} --host N)`);
    }

    const outcome = await driver.run();
    exporter?.state.onRunEnd(outcome.simTimeNs, outcome.totals);
    await transport.flush();
    const wallTimeS = (performance.now() - wallStart) / 1000;
    const summary = writeResults(options.outDir, options.scenario, outcome, {
      run_id: runId,
      transport: options.transport,
      nats_url: natsUrl,
      hosts: outcome.hosts,
      wall_time_s: wallTimeS,
      sim_seconds_per_wall_second: outcome.simTimeNs / 1e9 / wallTimeS,
      packet_hops_per_wall_second: outcome.aggregator.hops / wallTimeS,
      malformed_messages_dropped: outcome.malformedMessages,
      started_at: startedAt.toISOString(),
      node: process.version,
      dctwin_version: VERSION,
      tracing: tracing === null ? null : { sample_ratio: options.scenario.run.traceSampleRatio, journeys_exported: tracing.journeysExported() },
    });
    return { runId, outcome, summary, wallTimeS };
  } finally {
    for (const step of cleanup) await step().catch(() => {});
  }
}
