/**
 * `dctwin run --resume RUN_DIR`: what a resumed run takes from its last checkpoint, in its results directory or, when
 * that has none, in the JetStream of the external NATS server the run used (`--nats`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import { hasCheckpoint, readCheckpoint, type StoredCheckpoint } from "../../coordinator/checkpoint/store.ts";
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

/** Reads run `runId`'s last checkpoint from JetStream (undefined if there is none), and says where it was. */
export type CheckpointFromNats = (runId: string) => Promise<StoredCheckpoint | undefined>;

export async function loadResume(
  dir: string,
  file: string | undefined,
  given: Partial<Record<(typeof FIXED)[number], unknown>>,
  explicit: (flag: string) => boolean,
  fromNats: CheckpointFromNats | undefined,
): Promise<Resumed> {
  if (file !== undefined)
    throw new InvalidArgumentError(
      "--resume continues the run in RUN_DIR with its own scenario: give no scenario file",
    );
  const inDir = hasCheckpoint(dir);
  // Without a checkpoint in RUN_DIR (and without its run-info.json: a results directory lost with its pod), the
  // run id names the JetStream bucket to read.
  const runIdGiven = !inDir && !existsSync(join(dir, "run-info.json")) && fromNats !== undefined;
  const fixed = FIXED.filter(
    (name) => given[name] !== undefined && explicit(name) && !(name === "runId" && runIdGiven),
  );
  if (fixed.length > 0)
    throw new InvalidArgumentError(
      `--resume continues the run as it was; it cannot take ${fixed.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`,
    );
  let checkpoint: StoredCheckpoint;
  try {
    checkpoint = inDir || fromNats === undefined ? readCheckpoint(dir) : await fromJetStream(dir, given, fromNats);
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

async function fromJetStream(
  dir: string,
  given: { runId?: unknown },
  fromNats: CheckpointFromNats,
): Promise<StoredCheckpoint> {
  const infoFile = join(dir, "run-info.json");
  const runId = existsSync(infoFile)
    ? (JSON.parse(readFileSync(infoFile, "utf8")) as { run_id: string }).run_id
    : (given.runId as string | undefined);
  if (runId === undefined)
    throw new Error(
      `${dir} has neither a checkpoint nor run-info.json: give the run's id (--run-id) to read its checkpoint from JetStream`,
    );
  const checkpoint = await fromNats(runId);
  if (checkpoint === undefined)
    throw new Error(
      `${dir} has no checkpoint (${join(dir, "checkpoint", "meta.json")} is missing), and the NATS server has none of run ${runId} in JetStream`,
    );
  return checkpoint;
}
