/**
 * The results directory of a run:
 * - summary.json   simulated results only (byte-comparable between runs; schema in docs/summary.md)
 * - run-info.json  everything about this execution that is not a simulated result (wall time, hosts, versions,
 *                  the time writing these results took)
 * - timeseries.csv per-interval metrics; links.csv per-interval link traffic; thermo.csv both ledgers per interval
 * - commands.json  faults and load changes applied, with their simulated times (replayable)
 * - intervals.jsonl every metrics interval in full (histograms, links, drops, energy), for export, the report and
 *                  the batches of a `run.warmup: auto` run
 * - tables/        the analyst tables (Parquet and CSV, with run_id and scenario columns: see tables.ts)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { HostWindowTime, LastReportsRecord, RunOutcome } from "../driver/run-driver.ts";
import { buildSummary, type Summary } from "./summary.ts";
import { IntervalStream } from "./interval-stream.ts";
import { autoWarmupBatches } from "./auto-warmup.ts";
import { INTERVALS_FILE } from "../observability/intervals-file.ts";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";
import { writeAnalystTables } from "./parquet.ts";
import { detectWarmupNs } from "./warmup.ts";

export interface RunInfo {
  run_id: string;
  transport: string;
  nats_url: string | null;
  hosts: RunOutcome["hosts"];
  wall_time_s: number;
  sim_seconds_per_wall_second: number;
  packet_hops_per_wall_second: number;
  malformed_messages_dropped: number;
  /** Pieces of messages sent in fragments (NATS max_payload) that did not fit their message: coordinator and hosts. */
  nats_fragments_dropped: number;
  /** Synchronisation windows run, the events they held, and the placement's lookahead (null: no link crosses hosts). */
  windows: number;
  events: number;
  events_per_window: number;
  lookahead_s: number | null;
  started_at: string;
  node: string;
  dctwin_version: string;
  /** null when tracing is off (no exporter was created). */
  tracing: { sample_ratio: number; journeys_exported: number; spans_export_failed: number } | null;
  /** Why the run failed (status "failed"), else null. */
  failure: string | null;
  /** Checkpoints saved (this attempt), the boundary of the last, and why they stopped (null: they did not); null without checkpoints. */
  checkpoints?: { saved: number; last_at_s: number | null; disabled: string | null } | null;
  /**
   * A failed run's wait for its hosts' last reports (driver/last-reports.ts): the hosts that answered, those known
   * lost (not waited for), those silent until the time limit, and how the wait ended; null when it did not wait.
   */
  last_reports?: LastReportsRecord | null;
  /**
   * Writing the results directory (set by writeResults, which writes run-info.json last): wall seconds, and the
   * coordinator process's CPU seconds over that time (user + system).
   */
  results_write_s?: number;
  results_write_cpu_s?: number;
  /** Where each host's wall time went over its windows (null: no final reports, e.g. a failed run). */
  window_time?: HostWindowTime[] | null;
}

/**
 * `stream`: the run's interval stream, which took its intervals as they closed (a new one takes them all from the
 * outcome's aggregator now).
 */
export function writeResults(
  outDir: string,
  resolved: ResolvedScenario,
  outcome: RunOutcome,
  info: RunInfo,
  stream?: IntervalStream,
): Summary {
  const startedMs = performance.now();
  const startedCpu = process.cpuUsage();
  mkdirSync(outDir, { recursive: true });
  try {
    return writeResultFiles(outDir, resolved, outcome, info.run_id, stream ?? new IntervalStream(resolved, outDir));
  } finally {
    // Last, so it holds how long the rest took (and is there even when a file could not be written).
    const cpu = process.cpuUsage(startedCpu);
    const timed: RunInfo = {
      ...info,
      results_write_s: (performance.now() - startedMs) / 1000,
      results_write_cpu_s: (cpu.user + cpu.system) / 1e6,
    };
    writeFileSync(join(outDir, "run-info.json"), `${JSON.stringify(timed, null, 2)}\n`);
  }
}

function writeResultFiles(
  outDir: string,
  resolved: ResolvedScenario,
  outcome: RunOutcome,
  runId: string,
  stream: IntervalStream,
): Summary {
  const { aggregator, simTimeNs } = outcome;
  const intervals = stream.totals;
  let scenario = resolved;
  let series: LedgerSnapshot[];
  try {
    stream.finish(aggregator, simTimeNs); // timeseries, links, thermo, intervals.jsonl
    series = stream.ledgers.series(aggregator, simTimeNs);
    if (resolved.run.warmupAuto === true) {
      // The batches start where the warm-up ends, known only now: made from what was kept of them (auto-warmup.ts).
      const warmupNs = detectWarmupNs(intervals.metrics, aggregator.metrics, aggregator.intervalNs, simTimeNs);
      scenario = { ...resolved, run: { ...resolved.run, warmupNs } };
      intervals.batches = autoWarmupBatches(scenario, {
        series,
        linkBytes: intervals.linkBytes!,
        intervalsPath: join(outDir, INTERVALS_FILE),
        movesPath: stream.queueMovesPath,
      });
    }
  } finally {
    stream.close(); // no part is left in the results directory, whatever happened
  }
  const summary = buildSummary({
    scenario,
    status: outcome.status,
    simTimeNs,
    aggregator,
    totals: outcome.totals,
    ledgers: series,
    intervals,
  });
  writeFileSync(join(outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  // Every command applied (scheduled or live) with its simulated time: replaying these gives the same run.
  writeFileSync(
    join(outDir, "commands.json"),
    `${JSON.stringify(
      outcome.appliedCommands.map((c) => ({ time_ns: c.timeNs, seq: c.seq, source: c.source, command: c.command })),
      null,
      2,
    )}\n`,
  );
  writeAnalystTables(outDir, runId); // from intervals.jsonl, a line at a time
  return summary;
}
