/** Checkpoint fixtures for the checkpoint store tests. */
import type { RunMeta } from "../../coordinator/checkpoint/store.ts";

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
