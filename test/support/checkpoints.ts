/** Checkpoint fixtures: run facts for the checkpoint store tests, and in-process runs interrupted and resumed. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readCheckpoint, type RunMeta, type StoredCheckpoint } from "../../coordinator/checkpoint/store.ts";
import type { CheckpointPolicy } from "../../coordinator/driver/checkpointer.ts";
import { runTwin } from "../../coordinator/run.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";

/** The run facts a checkpoint's meta.json carries, for run `runId` on `hosts` hosts (each actor on its own host). */
export const testRunMeta = (runId: string, hosts: number, experiment = false): RunMeta => ({
  run_id: runId,
  hosts,
  transport: "nats",
  scenario_json: "{}",
  placement: Array.from({ length: hosts }, (_, i) => i),
  experiment,
  dctwin_version: "test",
});

/** A checkpoint at every interval boundary, with no wall-time limit. */
export const EVERY_INTERVAL: CheckpointPolicy = { everyIntervals: 1, minWallMs: 0 };

export interface InProcessRun {
  scenario: ResolvedScenario;
  hosts: number;
  outDir: string;
}

/**
 * Runs `run` in process with a checkpoint at every interval boundary and interrupts it once `intervals` intervals
 * closed; returns the checkpoint it left (required to be inside the run).
 */
export async function interruptedRun(run: InProcessRun, runId: string, intervals: number): Promise<StoredCheckpoint> {
  const interrupt = new AbortController();
  let closed = 0;
  const cut = await runTwin({
    ...run,
    transport: "inproc",
    runId,
    checkpoint: EVERY_INTERVAL,
    signal: interrupt.signal,
    onIntervalClosed: () => ++closed === intervals && interrupt.abort(),
  });
  assert.equal(cut.outcome.status, "interrupted");
  const stored = readCheckpoint(run.outDir);
  assert.ok(
    stored.meta.at_ns > 0 && stored.meta.at_ns < run.scenario.run.durationNs,
    `a checkpoint inside the run (at ${stored.meta.at_ns} ns)`,
  );
  return stored;
}

/** What run-info.json says of a run's checkpoints. */
export interface CheckpointFigures {
  saved: number;
  last_at_s: number | null;
  disabled: string | null;
}

/** Runs `run` in process to its end with a checkpoint at every interval boundary: its status, log and checkpoints. */
export async function checkpointedRun(run: InProcessRun) {
  const logs: string[] = [];
  const result = await runTwin({ ...run, transport: "inproc", checkpoint: EVERY_INTERVAL, log: (m) => logs.push(m) });
  const info = JSON.parse(readFileSync(join(run.outDir, "run-info.json"), "utf8")) as {
    checkpoints: CheckpointFigures;
  };
  return { status: result.outcome.status, logs, checkpoints: info.checkpoints };
}

/** Resumes `run` in process from its checkpoint `stored`, to completion. */
export async function resumedRun(run: InProcessRun, stored: StoredCheckpoint): Promise<void> {
  const resumed = await runTwin({
    ...run,
    transport: "inproc",
    runId: stored.meta.run_id,
    checkpoint: EVERY_INTERVAL,
    resume: stored,
  });
  assert.equal(resumed.outcome.status, "completed");
}
