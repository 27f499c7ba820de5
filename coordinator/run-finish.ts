/**
 * The end of a run: the results directory (summary.json, run-info.json and the rest, also for a run that failed
 * or was interrupted), the checkpoint kept or removed, the metrics' linger, and the copy and upload of the results.
 */
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import type { LastReportsRecord, RunDriver, RunOutcome } from "./driver/run-driver.ts";
import { RunAggregator } from "./counts/aggregate.ts";
import { conservationTotals } from "./counts/conservation.ts";
import type { Summary } from "./results/summary.ts";
import type { IntervalStream } from "./results/interval-stream.ts";
import { writeResults } from "./results/write.ts";
import { hasCheckpoint, removeCheckpoint } from "./checkpoint/store.ts";
import { copyResults } from "./copy-results.ts";
import { uploadResults } from "./upload-results.ts";
import { linger, type RunExporter } from "./observability/prometheus/exporter.ts";
import type { RunTracing } from "./tracing/setup.ts";
import { DCTWIN_VERSION } from "./observability/version.ts";
import type { TwinRunOptions } from "./run-options.ts";

export interface FinishedRun {
  runId: string;
  natsUrl: string | null;
  /** Pieces of fragmented NATS messages the coordinator's own transport dropped. */
  fragmentsDropped: number;
  /** What run-info.json says of checkpoints (null: the run took none). */
  checkpoints: ReturnType<RunDriver["checkpointStatus"]>;
  outcome: RunOutcome;
  startedAt: Date;
  wallTimeS: number;
  tracing: RunTracing | null;
  failure: Error | null;
}

/** Writes the results directory and keeps the checkpoint only when the run can go on from it. */
export function writeRunResults(
  options: TwinRunOptions,
  run: FinishedRun,
  stream: IntervalStream,
  log: (message: string) => void,
): Summary {
  const { outcome, wallTimeS, tracing, failure } = run;
  if (outcome.lastReports !== undefined) log(describeLastReports(outcome.lastReports));
  const summary = writeResults(
    options.outDir,
    options.scenario,
    outcome,
    {
      run_id: run.runId,
      transport: options.transport,
      nats_url: run.natsUrl,
      hosts: outcome.hosts,
      wall_time_s: wallTimeS,
      sim_seconds_per_wall_second: outcome.simTimeNs / 1e9 / wallTimeS,
      packet_hops_per_wall_second: outcome.aggregator.hops / wallTimeS,
      malformed_messages_dropped: outcome.malformedMessages,
      nats_fragments_dropped: outcome.hostFragmentsDropped + run.fragmentsDropped,
      windows: outcome.windows,
      events: outcome.events,
      events_per_window: outcome.windows === 0 ? 0 : outcome.events / outcome.windows,
      lookahead_s: Number.isFinite(outcome.lookaheadNs) ? outcome.lookaheadNs / 1e9 : null,
      started_at: run.startedAt.toISOString(),
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
      checkpoints: run.checkpoints,
      last_reports: outcome.lastReports ?? null,
      window_time: outcome.windowTime ?? null,
    },
    stream,
  );
  if (outcome.status === "completed") removeCheckpoint(options.outDir);
  else if (hasCheckpoint(options.outDir))
    log(
      `the run can go on from its last checkpoint: dctwin run --resume ${options.outDir}${options.join ? ` --nats ${options.natsUrl} --join` : ""}`,
    );
  return summary;
}

/** After the results are written: the exporter lingers, the results are copied and uploaded. */
export async function deliverResults(
  options: TwinRunOptions,
  runId: string,
  exporter: RunExporter | null,
  failure: Error | null,
  log: (message: string) => void,
): Promise<{ copiedTo?: string; uploadedTo?: string }> {
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
  return { copiedTo, uploadedTo };
}

/** The outcome of a run that ended before its first window: nothing measured, no time simulated. */
export function notStartedOutcome(scenario: ResolvedScenario, status: RunOutcome["status"]): RunOutcome {
  return {
    status,
    appliedCommands: [],
    simTimeNs: 0,
    aggregator: new RunAggregator(scenario.run.metricsIntervalNs),
    totals: conservationTotals([]),
    hosts: [],
    malformedMessages: 0,
    hostFragmentsDropped: 0,
    windows: 0,
    events: 0,
    lookaheadNs: Number.POSITIVE_INFINITY,
  };
}

/** One log line: whose last reports the failed run took, and whom it did not wait for. */
export function describeLastReports(r: LastReportsRecord): string {
  const hosts = (list: number[]) => (list.length === 0 ? "none" : list.join(", "));
  const waited = r.ended === "time-limit" ? `; silent until the time limit: host(s) ${hosts(r.silent)}` : "";
  return `last reports taken from host(s) ${hosts(r.answered)}; not waited for (lost): host(s) ${hosts(r.lost)}${waited}`;
}
