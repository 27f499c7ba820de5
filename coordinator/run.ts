/**
 * One run, end to end: pick the transport (run-transport.ts), bring up hosts (in this process, as local processes,
 * or by waiting for hosts to join over NATS), drive the windows, and write the results directory (run-finish.ts).
 * Everything started here is stopped here, also when the run fails or is interrupted (run-guards.ts).
 */
import { runModels } from "../nodes/leap/support.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { natsAuthEnv, type NatsAuth } from "../nodes/runtime/transport/nats-auth.ts";
import { LocalHosts } from "./local-hosts.ts";
import { hostEntryFile } from "./host-bundle.ts";
import { placeActors } from "./placement/place.ts";
import { HostLostError, RunDriver, type HostInfo, type RunOutcome } from "./driver/run-driver.ts";
import { startRunExporter } from "./observability/prometheus/exporter.ts";
import { runViewFromScenario } from "./observability/run-view.ts";
import { startRunTracing } from "./tracing/setup.ts";
import { DCTWIN_VERSION } from "./observability/version.ts";
import { restoreCoordinator } from "./driver/coordinator-state.ts";
import { IntervalStream } from "./results/interval-stream.ts";
import { writeCheckpoint } from "./checkpoint/store.ts";
import { scenarioToJson } from "../nodes/runtime/scenario-json.ts";
import {
  newRunId,
  RunFailedError,
  RunInterruptedError,
  type TwinRunOptions,
  type TwinRunResult,
} from "./run-options.ts";
import { openRunTransport } from "./run-transport.ts";
import { RunGuards } from "./run-guards.ts";
import { deliverResults, notStartedOutcome, writeRunResults } from "./run-finish.ts";

export * from "./run-options.ts";

/**
 * Closed records the coordinator keeps once the results took them: the boundary relays (driver/cooling.ts) read
 * interval j−2 when the window at boundary j is planned, the latest one closed by then; the rest is margin.
 */
const KEEP_CLOSED_INTERVALS = 3;

export async function runTwin(options: TwinRunOptions): Promise<TwinRunResult> {
  const runId = options.runId ?? newRunId();
  const log = options.log ?? (() => {});
  const cleanup: (() => Promise<void>)[] = [];
  const startedAt = new Date();
  const wallStart = performance.now();
  try {
    // Local hosts start as soon as their credentials exist, before a private NATS server listens, to load while it
    // starts and this process gets ready; they are told its URL once it listens.
    const local: { hosts?: LocalHosts } = {};
    const { transport, natsUrl, broker } = await openRunTransport(options, runId, log, cleanup, (url, hostAuth) => {
      if (options.join) return;
      const hosts = startLocalHosts(options, url, runId, hostAuth, log);
      local.hosts = hosts;
      cleanup.unshift(() => hosts.stop());
      log(`started ${options.hosts} host process(es): pids ${hosts.pids.join(", ")}`);
    });

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
      if (resume.meta.hosts !== options.hosts || resume.meta.placement.join() !== placement.join())
        throw new Error(`the checkpoint is of a run on ${resume.meta.hosts} host(s) with another placement`);
      log(`resuming run ${runId} from its checkpoint at ${resume.meta.at_ns / 1e9} s`);
    }
    const restored =
      resume === undefined ? undefined : restoreCoordinator(resume.coordinator, options.scenario, placement);
    // The results take every interval as it closes (timeseries, thermo, σ̂ batches, ...); see KEEP_CLOSED_INTERVALS.
    const stream = new IntervalStream(options.scenario, options.outDir, restored);
    cleanup.push(async () => stream.close());
    const ledgers = stream.ledgers;
    let scenarioJson: string | undefined; // once, at the first checkpoint
    let driverRef: RunDriver | undefined;
    let guards: RunGuards | undefined;
    const driver = new RunDriver({
      transport,
      runId,
      scenario: options.scenario,
      placement,
      hostCount: options.hosts,
      reportTimeoutMs: options.reportTimeoutMs,
      restore: restored,
      // The end of the run reads no record: a warm-up found at the end reads its batches back from the results
      // (results/auto-warmup.ts), an experiment's checks the interval summaries (results/interval-totals.ts).
      keepClosedIntervals: options.keepIntervalRecords === true ? undefined : KEEP_CLOSED_INTERVALS,
      resultsState: () => stream.state(),
      replayLive: options.replayLive,
      controlSnapshot: options.controlSnapshot,
      // Every host gets its snapshot over the run's transport, wherever it runs (nodes/runtime/restore-wire.ts).
      restoreHosts: resume === undefined ? undefined : { atNs: resume.meta.at_ns, snapshots: resume.hosts },
      rejoinOnHostLoss: options.join === true && options.rejoinOnHostLoss === true,
      checkpoint:
        options.checkpoint === undefined
          ? undefined
          : {
              ...options.checkpoint,
              log,
              save: (set) => {
                scenarioJson ??= scenarioToJson(options.scenario);
                const meta = {
                  run_id: runId,
                  hosts: options.hosts,
                  transport: options.transport,
                  scenario_json: scenarioJson,
                  placement,
                  experiment: (options.schedule?.length ?? 0) > 0,
                  dctwin_version: DCTWIN_VERSION,
                };
                writeCheckpoint(options.outDir, meta, set);
                (options.jetStreamCheckpoints ?? broker?.checkpoints)?.save(meta, set, log);
              },
            },
      speed: options.speed,
      clock: options.clock,
      signal: options.signal,
      onWindow: (progress) => {
        exporter?.state.onWindow(progress);
        options.onWindow?.(progress);
      },
      schedule: options.schedule,
      onBoundary: options.onBoundary,
      onIntervalClosed: (record, endNs) => {
        const ledger = stream.take(record, endNs);
        tracing?.onIntervalClosed(record, driverRef?.progress().windows ?? 0);
        exporter?.state.onIntervalClosed(record, ledger);
        options.onIntervalClosed?.(record, ledger);
      },
      onHostsJoined: (hosts: HostInfo[]) => {
        guards?.joined();
        log(`${hosts.length} host(s) joined run ${runId}`);
        options.onSetup?.("hosts-joined");
      },
      onHostsReady: () => options.onSetup?.("hosts-ready"),
    });
    guards = new RunGuards(driver, options, runId, transport, cleanup);
    driverRef = driver;
    exporter?.state.attachDriver(driver);
    driver.listen();
    options.onDriver?.(driver);
    if (options.transport === "inproc") {
      for (let host = 0; host < options.hosts; host++)
        new HostAgent({ transport, runId, host, models: runModels }).start();
    } else if (local.hosts !== undefined) {
      local.hosts.onUnexpectedExit((message, host) => driver.abort(new HostLostError(message, [host])));
    } else {
      log(
        `waiting for ${options.hosts} host(s) to ${options.rejoining ? "join again" : "join"} run ${runId} on ${natsUrl} (dctwin host --nats URL --run ${runId} --host N)`,
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
    options.onSetup?.("simulation-done");
    await tracing?.shutdown(); // so run-info.json (and the exporter's final values) count every span exported or lost
    exporter?.state.onRunEnd(outcome.simTimeNs, outcome.totals);
    const summary = writeRunResults(
      options,
      {
        runId,
        natsUrl,
        fragmentsDropped: transport.droppedFragments(),
        checkpoints: driver.checkpointStatus(),
        outcome,
        startedAt,
        wallTimeS,
        tracing,
        failure,
      },
      stream,
      log,
    );
    const { copiedTo, uploadedTo } = await deliverResults(options, runId, exporter, failure, log);
    if (failure !== null) throw new RunFailedError(failure, options.outDir);
    return { runId, outcome, ledgers, intervals: stream.totals.metrics, summary, wallTimeS, copiedTo, uploadedTo };
  } finally {
    // Bounded: a lost NATS connection must not hold the process (draining would wait for reconnect attempts).
    for (const step of cleanup) await withTimeout(step(), 3_000).catch(() => {});
  }
}

/** The host processes of a NATS run on this machine, each with its credentials. */
function startLocalHosts(
  options: TwinRunOptions,
  natsUrl: string | Promise<string>,
  runId: string,
  hostAuth: (host: number) => NatsAuth,
  log: (message: string) => void,
): LocalHosts {
  const reconnect = options.natsReconnectTimeoutMs;
  return LocalHosts.start(
    natsUrl,
    runId,
    options.hosts,
    (host) => natsAuthEnv(hostAuth(host)),
    () => (reconnect === undefined ? [] : ["--reconnect-timeout", String(reconnect / 1000)]),
    hostEntryFile({ log }),
  );
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
