/**
 * OpenMetrics export of a finished run: its intervals (intervals.jsonl) replayed into the same families the live
 * exporter serves, one snapshot at the start and one at the end of every metrics interval, each stamped with its
 * simulated time (origin + simulated seconds). `promtool tsdb create-blocks-from openmetrics` backfills it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { INTERVALS_FILE, IntervalsFileError, openIntervalsFile } from "../intervals-file.ts";
import { DEFAULT_AGGREGATION_LEVEL, type AggregationLevel } from "../levels.ts";
import { createRunRegistry } from "../prometheus/exporter.ts";
import { RunState, type FaultProbe } from "../run-state.ts";
import { OpenMetricsWriter } from "./format.ts";

export interface OpenMetricsExportOptions {
  /** Unix time (s) of simulated time zero; default: when the run started (run-info.json), else 0. */
  originS?: number;
  level?: AggregationLevel;
}

export async function exportOpenMetrics(runDir: string, options: OpenMetricsExportOptions = {}): Promise<string> {
  const path = join(runDir, INTERVALS_FILE);
  if (!existsSync(path))
    throw new IntervalsFileError(
      `${runDir} has no ${INTERVALS_FILE} (results written by an older dctwin: run the scenario again)`,
    );
  const info = readRunInfo(runDir);
  // A record at a time: a long run of a large scenario has more records than memory holds (1 s of leaf-spine-4k:
  // 1.1 GB of lines, 3.8 GB of heap when they were read at once).
  const file = openIntervalsFile(path, info?.run_id ?? "");
  // A run cut short (Ctrl-C) ends where it stopped: its last interval is as long as it ran.
  const view = { ...file.view, durationNs: Math.min(file.view.durationNs, file.simTimeNs) };
  const originS =
    options.originS ?? (info?.started_at !== undefined ? Math.floor(Date.parse(info.started_at) / 1000) : 0);
  const state = new RunState(view, options.level ?? DEFAULT_AGGREGATION_LEVEL);
  state.faultProbe = recordedFaults(runDir, () => state.closedUpToNs / 1e9);
  const registry = createRunRegistry(state, false);
  const writer = new OpenMetricsWriter();
  await writer.snapshot(registry, originS);
  for await (const record of file.records()) {
    state.onIntervalClosed(record);
    await writer.snapshot(registry, originS + state.closedUpToNs / 1e9);
  }
  return writer.toString();
}

/** Faults recorded in experiment.json, as in force at the replay's simulated time; none without the file. */
function recordedFaults(runDir: string, nowS: () => number): FaultProbe | undefined {
  const path = join(runDir, "experiment.json");
  if (!existsSync(path)) return undefined;
  const doc = JSON.parse(readFileSync(path, "utf8")) as {
    faults?: { id: string; action: string; injected_s: number | null; cleared_s: number | null }[];
    load_changes?: { id: string; name: string; started_s: number | null; ends_s: number | null }[];
    checks?: { name: string; to_s: number; passed: boolean | null }[];
    sim_time_s?: number;
  };
  const faults = (doc.faults ?? []).filter((f) => typeof f.injected_s === "number");
  const loads = (doc.load_changes ?? []).filter((l) => typeof l.started_s === "number");
  return {
    loadsNow() {
      const t = nowS();
      return loads
        .filter((l) => l.started_s! <= t)
        .map((l) => ({ id: l.id, name: l.name, active: l.ends_s === null || t < l.ends_s }));
    },
    checksNow() {
      // As recorded at the end of the run, from when the replay has passed the check's window (or the run's end).
      const t = nowS();
      return (doc.checks ?? [])
        .filter((c) => Math.min(c.to_s, doc.sim_time_s ?? c.to_s) <= t)
        .map((c) => ({ name: c.name, verdict: c.passed === null ? "undecided" : c.passed ? "passed" : "failed" }));
    },
    faultsNow() {
      const t = nowS();
      const injected = faults.filter((f) => f.injected_s! <= t);
      const cleared = injected.filter((f) => f.cleared_s !== null && f.cleared_s <= t);
      return {
        faults: injected.map((f) => ({ id: f.id, action: f.action, active: !cleared.includes(f) })),
        injected: injected.length,
        cleared: cleared.length,
      };
    },
  };
}

function readRunInfo(runDir: string): { run_id?: string; started_at?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, "run-info.json"), "utf8")) as { run_id?: string; started_at?: string };
  } catch {
    return undefined;
  }
}
