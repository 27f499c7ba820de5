/** `dctwin run --resume RUN_DIR`: what a resumed run takes from the checkpoint in its results directory. */
import { InvalidArgumentError } from "commander";
import { readCheckpoint, type StoredCheckpoint } from "../../coordinator/checkpoint/store.ts";
import { scenarioFromJson } from "../../nodes/runtime/scenario-json.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";

/**
 * Flags that would change the run, so a resumed run cannot take them (it continues the run as it was). How its
 * hosts come is free: started here, or joining (`--join`, with `--nats`): each gets its snapshot over NATS.
 */
const FIXED = ["seed", "duration", "mode", "hosts", "runId", "experiment", "out"] as const;

export interface Resumed {
  scenario: ResolvedScenario;
  hosts: number;
  runId: string;
  outDir: string;
  checkpoint: StoredCheckpoint;
}

export function loadResume(
  dir: string,
  file: string | undefined,
  given: Partial<Record<(typeof FIXED)[number], unknown>>,
  explicit: (flag: string) => boolean,
): Resumed {
  if (file !== undefined)
    throw new InvalidArgumentError(
      "--resume continues the run in RUN_DIR with its own scenario: give no scenario file",
    );
  const fixed = FIXED.filter((name) => given[name] !== undefined && explicit(name));
  if (fixed.length > 0)
    throw new InvalidArgumentError(
      `--resume continues the run as it was; it cannot take ${fixed.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`,
    );
  let checkpoint: StoredCheckpoint;
  try {
    checkpoint = readCheckpoint(dir);
  } catch (error) {
    throw new InvalidArgumentError(`--resume: ${(error as Error).message}`);
  }
  if (checkpoint.meta.experiment && checkpoint.control === undefined)
    throw new InvalidArgumentError(
      "--resume: the checkpoint of this run with an experiment lacks the control layer's state (control.bin): it was written by an older dctwin",
    );
  return {
    scenario: scenarioFromJson(checkpoint.meta.scenario_json),
    hosts: checkpoint.meta.hosts,
    runId: checkpoint.meta.run_id,
    outDir: dir,
    checkpoint,
  };
}
