/**
 * One run, end to end: pick the transport, bring up hosts (in this process, as local processes, or by waiting
 * for hosts to join over NATS), drive the windows, and write the results directory. Everything started here is
 * stopped here, also when the run fails or is interrupted.
 */
import { randomBytes } from "node:crypto";
import { runModels } from "../nodes/leap/support.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { connectNatsWithRetry, reconnectWithin } from "../nodes/runtime/transport/nats-connect.ts";
import { natsAuthEnv, type NatsAuth } from "../nodes/runtime/transport/nats-auth.ts";
import type { Transport } from "../nodes/runtime/transport/transport.ts";
import { NatsTransport } from "../nodes/runtime/transport/nats.ts";
import { LocalHosts } from "./local-hosts.ts";
import { NatsServer } from "./nats-server.ts";
import { createRunCredentials } from "./run-credentials.ts";
import { placeActors } from "./placement/place.ts";
import {
  HostFailedError,
  RunDriver,
  type HostInfo,
  type RunDriverOptions,
  type RunOutcome,
  type WindowProgress,
} from "./driver/run-driver.ts";
import type { Summary } from "./results/summary.ts";
import { writeResults } from "./results/write.ts";
import { RunAggregator, type IntervalRecord } from "./counts/aggregate.ts";
import { LedgerBook } from "./ledgers/book.ts";
import { ledgerScope, type LedgerSnapshot } from "./ledgers/snapshot.ts";
import { conservationTotals } from "./counts/conservation.ts";
import { copyResults } from "./copy-results.ts";
import { uploadResults, type S3Target, type S3UploadOptions } from "./upload-results.ts";
import { linger, startRunExporter, type MetricsExporterOptions } from "./observability/prometheus/exporter.ts";
import type { FaultProbe } from "./observability/run-state.ts";
import { runViewFromScenario } from "./observability/run-view.ts";
import { startRunTracing } from "./tracing/setup.ts";
import { DCTWIN_VERSION } from "./observability/version.ts";
import type { CheckpointPolicy } from "./driver/checkpointer.ts";
import { restoreCoordinator } from "./driver/coordinator-state.ts";
import { hasCheckpoint, removeCheckpoint, writeCheckpoint, type StoredCheckpoint } from "./checkpoint/store.ts";
import { scenarioToJson } from "../nodes/runtime/scenario-json.ts";

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
  /** Called with each metrics interval once every host has reported it, and its ledger snapshot. */
  onIntervalClosed?: (record: IntervalRecord, ledger: LedgerSnapshot) => void;
  /** Called with the simulated time at which commands submitted now take effect (RunDriverOptions). */
  onBoundary?: RunDriverOptions["onBoundary"];
  /** Hands out the driver once it exists, e.g. to a control API that submits live commands or pauses the run. */
  onDriver?: (driver: RunDriver) => void;
  /** Serve Prometheus metrics of the run at /metrics (port 0: a free port; the URL is logged). */
  metrics?: MetricsExporterOptions;
  /** Where the metrics exporter learns about faults (the control layer). */
  faults?: FaultProbe;
  /** With `join`: fail the run when not every host has joined within this many ms. */
  joinTimeoutMs?: number;
  /** Keep retrying to connect to --nats this long (ms) before failing (default 30 s). */
  natsConnectTimeoutMs?: number;
  /** After an interrupt, how long (ms) the hosts get to finish the current window before the run ends without it. */
  stopGraceMs?: number;
  /** Also copy the results directory to DIR/<run id>/ (e.g. a mounted volume). */
  copyResultsTo?: string;
  /** Also upload the results to s3://BUCKET/PREFIX/<run id>/ (an S3-compatible store reached with `s3`). */
  uploadResultsTo?: S3Target;
  s3?: S3UploadOptions;
  /** Write checkpoints to `outDir`/checkpoint/ (coordinator/checkpoint/), so that the run can be resumed. */
  checkpoint?: CheckpointPolicy;
  /** After losing NATS, keep reconnecting this long (ms, default 20 s) before the run fails (or recovers). */
  natsReconnectTimeoutMs?: number;
  /** Fail the run (recoverably) when the hosts owe a window report and none comes for this long (ms). */
  reportTimeoutMs?: number;
  /** Continue this run from its checkpoint (the scenario, host count and run id must be the checkpoint's). */
  resume?: StoredCheckpoint;
}

/** The run was interrupted before it could finish its current window (or before it started). */
export class RunInterruptedError extends Error {
  override name = "RunInterruptedError";
}

/** The run failed; the results of the part that completed were written to `outDir`. */
export class RunFailedError extends Error {
  override name = "RunFailedError";
  readonly reason: Error;
  readonly outDir: string;
  constructor(reason: Error, outDir: string) {
    super(`${reason.message}\nresults of the part that completed: ${outDir}/ (status "failed")`);
    this.reason = reason;
    this.outDir = outDir;
  }
}

export interface TwinRunResult {
  runId: string;
  outcome: RunOutcome;
  /** The ledger snapshot of every interval (made as each closed), which the results files read. */
  ledgers: LedgerBook;
  summary: Summary;
  wallTimeS: number;
  /** Where the results were copied (`copyResultsTo`), if anywhere. */
  copiedTo?: string;
  /** The s3:// folder the results were uploaded to (`uploadResultsTo`), if anywhere. */
  uploadedTo?: string;
}

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
        if (options.join)
          throw new Error("--join needs --nats URL: the private nats-server admits only the hosts this process starts");
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
      transport = await connectNatsWithRetry(
        natsUrl,
        { name: `dctwin-coordinator-${runId}`, ...reconnectWithin(options.natsReconnectTimeoutMs ?? 20_000) },
        { deadlineMs: options.natsConnectTimeoutMs ?? 30_000, auth: coordinatorAuth, log, signal: options.signal },
      );
    }
    cleanup.unshift(() => transport.close());

    const ledgers = new LedgerBook(ledgerScope(options.scenario));
    const tracing = startRunTracing(options.scenario, runId);
    if (tracing !== null) {
      cleanup.push(() => tracing.shutdown());
      log(
        `tracing ${options.scenario.run.traceSampleRatio * 100}% of flows to OTLP (${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "default endpoint"}; ${tracing.description})`,
      );
    }
    const exporter =
      options.metrics === undefined
        ? null
        : await startRunExporter(runViewFromScenario(options.scenario, runId), {
            ...options.metrics,
            speed: options.speed,
          });
    if (exporter !== null) {
      exporter.state.faultProbe = options.faults;
      exporter.state.tracing = tracing ?? undefined;
      cleanup.push(() => exporter.close());
      log(`metrics: ${exporter.url} (level ${exporter.state.level})`);
    }
    const placement = placeActors(options.scenario, options.hosts);
    const resume = options.resume;
    if (resume !== undefined) {
      if (options.join) throw new Error("--resume cannot wait for joining hosts yet: it starts the hosts itself");
      if (resume.meta.hosts !== options.hosts || resume.meta.placement.join() !== placement.join())
        throw new Error(`the checkpoint is of a run on ${resume.meta.hosts} host(s) with another placement`);
      log(`resuming run ${runId} from its checkpoint at ${resume.meta.at_ns / 1e9} s`);
    }
    let scenarioJson: string | undefined; // once, at the first checkpoint
    let driverRef: RunDriver | undefined;
    const driver = new RunDriver({
      transport,
      runId,
      scenario: options.scenario,
      placement,
      hostCount: options.hosts,
      reportTimeoutMs: options.reportTimeoutMs,
      restore: resume === undefined ? undefined : restoreCoordinator(resume.coordinator, options.scenario, placement),
      checkpoint:
        options.checkpoint === undefined
          ? undefined
          : {
              ...options.checkpoint,
              log,
              save: (set) => {
                scenarioJson ??= scenarioToJson(options.scenario);
                writeCheckpoint(
                  options.outDir,
                  {
                    run_id: runId,
                    hosts: options.hosts,
                    transport: options.transport,
                    scenario_json: scenarioJson,
                    placement,
                    experiment: (options.schedule?.length ?? 0) > 0,
                    dctwin_version: DCTWIN_VERSION,
                  },
                  set,
                );
              },
            },
      speed: options.speed,
      signal: options.signal,
      onWindow: (progress) => {
        exporter?.state.onWindow(progress);
        options.onWindow?.(progress);
      },
      schedule: options.schedule,
      onBoundary: options.onBoundary,
      onIntervalClosed: (record, endNs) => {
        const ledger = ledgers.close(record, endNs);
        tracing?.onIntervalClosed(record, driverRef?.progress().windows ?? 0);
        exporter?.state.onIntervalClosed(record, ledger);
        options.onIntervalClosed?.(record, ledger);
      },
      onHostsJoined: (hosts: HostInfo[]) => {
        joined = true;
        clearTimeout(joinTimer);
        log(`${hosts.length} host(s) joined run ${runId}`);
      },
    });
    let joined = false;
    let joinTimer: NodeJS.Timeout | undefined;
    if (options.join && options.joinTimeoutMs !== undefined) {
      const ms = options.joinTimeoutMs;
      joinTimer = setTimeout(
        () =>
          driver.abort(
            new HostFailedError(
              `${driver.progress().hostsJoined} of ${options.hosts} host(s) joined run ${runId} within ${ms / 1000} s (--join-timeout)`,
            ),
          ),
        ms,
      );
      cleanup.push(async () => clearTimeout(joinTimer));
    }
    // An interrupt ends the run in every phase: before the hosts joined at once, while running after the current
    // window, and without it when the hosts cannot finish that window in time (a host hung or NATS lost).
    const graceMs = options.stopGraceMs ?? 3_000;
    let graceTimer: NodeJS.Timeout | undefined;
    const onInterrupt = () => {
      if (!joined)
        return driver.abort(
          new RunInterruptedError(
            `interrupted while waiting for hosts (${driver.progress().hostsJoined} of ${options.hosts} joined)`,
          ),
        );
      graceTimer = setTimeout(
        () =>
          driver.abort(
            new RunInterruptedError(
              `interrupted; the hosts did not finish the current window within ${graceMs / 1000} s`,
            ),
          ),
        graceMs,
      );
    };
    if (options.signal?.aborted) onInterrupt();
    else options.signal?.addEventListener("abort", onInterrupt, { once: true });
    cleanup.push(async () => {
      clearTimeout(graceTimer);
      options.signal?.removeEventListener("abort", onInterrupt);
    });
    driverRef = driver;
    // A connection to NATS that is gone for good (the reconnection deadline passed) ends the run, recoverably.
    if (transport instanceof NatsTransport)
      void transport
        .closed()
        .then((error) =>
          driver.abort(
            new HostFailedError(`lost the connection to NATS${error instanceof Error ? `: ${error.message}` : ""}`),
          ),
        );
    exporter?.state.attachDriver(driver);
    driver.listen();
    options.onDriver?.(driver);
    if (options.transport === "inproc") {
      for (let host = 0; host < options.hosts; host++)
        new HostAgent({ transport, runId, host, models: runModels, restore: resume?.hosts[host] }).start();
    } else if (!options.join) {
      const hosts = LocalHosts.start(
        natsUrl!,
        runId,
        options.hosts,
        (message) => driver.abort(new HostFailedError(message)),
        (host) => natsAuthEnv(hostAuth(host)),
        (host) => [
          ...(resume === undefined ? [] : ["--restore", resume.hostFiles[host]!]),
          ...(options.natsReconnectTimeoutMs === undefined
            ? []
            : ["--reconnect-timeout", String(options.natsReconnectTimeoutMs / 1000)]),
        ],
      );
      cleanup.unshift(() => hosts.stop());
      log(`started ${options.hosts} host process(es): pids ${hosts.pids.join(", ")}`);
    } else {
      log(
        `waiting for ${options.hosts} host(s) to join run ${runId} on ${natsUrl} (dctwin host --nats URL --run ${runId} --host N)`,
      );
    }

    let outcome: RunOutcome;
    let failure: Error | null = null;
    try {
      outcome = await driver.run();
      await transport.flush();
    } catch (error) {
      // Whatever ended the run, the part that completed is written, with the reason.
      const interrupted = error instanceof RunInterruptedError;
      if (!interrupted) failure = error instanceof Error ? error : new Error(String(error));
      log(`run ${interrupted ? "interrupted" : "failed"}: ${(error as Error).message}`);
      const status = interrupted ? "interrupted" : "failed";
      outcome = driver.partialOutcome(status) ?? notStartedOutcome(options.scenario, status);
    }
    const wallTimeS = (performance.now() - wallStart) / 1000;
    await tracing?.shutdown(); // so run-info.json (and the exporter's final values) count every span exported or lost
    exporter?.state.onRunEnd(outcome.simTimeNs, outcome.totals);
    const summary = writeResults(
      options.outDir,
      options.scenario,
      outcome,
      {
        run_id: runId,
        transport: options.transport,
        nats_url: natsUrl,
        hosts: outcome.hosts,
        wall_time_s: wallTimeS,
        sim_seconds_per_wall_second: outcome.simTimeNs / 1e9 / wallTimeS,
        packet_hops_per_wall_second: outcome.aggregator.hops / wallTimeS,
        malformed_messages_dropped: outcome.malformedMessages,
        windows: outcome.windows,
        events: outcome.events,
        events_per_window: outcome.windows === 0 ? 0 : outcome.events / outcome.windows,
        lookahead_s: Number.isFinite(outcome.lookaheadNs) ? outcome.lookaheadNs / 1e9 : null,
        started_at: startedAt.toISOString(),
        node: process.version,
        dctwin_version: DCTWIN_VERSION,
        tracing:
          tracing === null
            ? null
            : {
                sample_ratio: options.scenario.run.traceSampleRatio,
                journeys_exported: tracing.journeysExported(),
                spans_export_failed: tracing.spansExportFailed(),
              },
        failure: failure === null ? null : failure.message,
      },
      ledgers,
    );
    if (outcome.status === "completed") removeCheckpoint(options.outDir);
    else if (hasCheckpoint(options.outDir))
      log(`the run can go on from its last checkpoint: dctwin run --resume ${options.outDir}`);
    const lingerS = options.metrics?.lingerS ?? 0;
    if (exporter !== null && lingerS > 0 && options.signal?.aborted !== true) {
      log(
        `metrics: run over; ${exporter.url} serves its final values for ${lingerS} s more (--metrics-linger; Ctrl-C stops now)`,
      );
      await linger(lingerS, options.signal);
    }
    const copiedTo =
      options.copyResultsTo === undefined ? undefined : copyResults(options.outDir, options.copyResultsTo, runId);
    if (copiedTo !== undefined) log(`results copied to ${copiedTo}/`);
    let uploadedTo: string | undefined;
    if (options.uploadResultsTo !== undefined) {
      try {
        uploadedTo = await uploadResults(options.outDir, options.uploadResultsTo, runId, options.s3);
        log(`results uploaded to ${uploadedTo}/`);
      } catch (error) {
        if (failure === null) throw error;
        log((error as Error).message); // the run's own failure is the one to report
      }
    }
    if (failure !== null) throw new RunFailedError(failure, options.outDir);
    return { runId, outcome, ledgers, summary, wallTimeS, copiedTo, uploadedTo };
  } finally {
    // Bounded: a lost NATS connection must not hold the process (draining would wait for reconnect attempts).
    for (const step of cleanup) await withTimeout(step(), 3_000).catch(() => {});
  }
}

/** The outcome of a run that ended before its first window: nothing measured, no time simulated. */
function notStartedOutcome(scenario: ResolvedScenario, status: RunOutcome["status"]): RunOutcome {
  return {
    status,
    appliedCommands: [],
    simTimeNs: 0,
    aggregator: new RunAggregator(scenario.run.metricsIntervalNs),
    totals: conservationTotals([]),
    hosts: [],
    malformedMessages: 0,
    windows: 0,
    events: 0,
    lookaheadNs: Number.POSITIVE_INFINITY,
  };
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
