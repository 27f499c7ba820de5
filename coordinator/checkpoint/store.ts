/**
 * The last checkpoint of a run, in its results directory: `checkpoint/` holds `meta.json` (what to resume: the
 * scenario as run, host count, run id, boundary), `coordinator.bin`, one `host-<n>.bin` per host and, for a run
 * with an experiment or the control API, `control.bin` (the control layer: coordinator/control/control-state.ts). A new
 * checkpoint is written beside the old one and swapped in by renames, so a run killed while writing one still
 * has the previous checkpoint.
 *
 * meta.json's `format` and the header of every binary part (nodes/runtime/checkpoint-part.ts) carry the checkpoint
 * format: a checkpoint of another format, a part of another kind, a foreign, truncated or corrupted part is refused
 * when it is read, naming the file, both formats and the dctwin that wrote it, before any snapshot is decoded; the
 * checkpoint is left where it is.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CHECKPOINT_FORMAT,
  CheckpointPartError,
  openPart,
  type PartKind,
} from "../../nodes/runtime/checkpoint-part.ts";
import type { CheckpointSet } from "../driver/checkpointer.ts";
import { DCTWIN_VERSION } from "../observability/version.ts";
/** The control layer's part of a checkpoint (absent for runs without an experiment or control API). */
export const CONTROL_FILE = "control.bin";

export interface CheckpointMeta {
  format: number;
  run_id: string;
  hosts: number;
  transport: string;
  /** Simulated time of the checkpoint (an interval boundary), ns. */
  at_ns: number;
  /** The resolved scenario as run (scenario-json.ts). */
  scenario_json: string;
  placement: number[];
  /** The run applies an experiment's schedule (its control layer's state is in `control.bin`). */
  experiment: boolean;
  dctwin_version: string;
  written_at: string;
}

export function checkpointDir(outDir: string): string {
  return join(outDir, "checkpoint");
}

/** What a run says about itself in each checkpoint's meta.json. */
export type RunMeta = Omit<CheckpointMeta, "format" | "at_ns" | "written_at">;

/** The meta.json of checkpoint `set` of the run described by `meta`. */
export function checkpointMeta(meta: RunMeta, set: CheckpointSet): CheckpointMeta {
  return { format: CHECKPOINT_FORMAT, ...meta, at_ns: set.atNs, written_at: new Date().toISOString() };
}

/** A checkpoint this dctwin cannot resume (bad input: the CLI exits 2); the checkpoint is left as it is. */
export class CheckpointFormatError extends Error {
  override name = "CheckpointFormatError";
}

/** Who wrote a checkpoint, as its meta.json says. */
const writtenBy = (meta: Partial<CheckpointMeta>) =>
  `written by dctwin ${meta.dctwin_version ?? "(unknown version)"}${meta.written_at === undefined ? "" : ` at ${meta.written_at}`}`;

/** The end of every refusal: nothing was changed. */
const leftAsItIs = (format?: number) =>
  `the checkpoint is left as it is${format === undefined ? "" : ` (a dctwin of format ${format} can resume it)`}`;

/** Reads a meta.json (from `where`, named in errors), checking its format. */
export function parseCheckpointMeta(text: string, where: string): CheckpointMeta {
  let meta: Partial<CheckpointMeta>;
  try {
    meta = JSON.parse(text) as Partial<CheckpointMeta>;
  } catch (error) {
    throw new CheckpointFormatError(`${where} is not a checkpoint's meta.json: ${(error as Error).message}`);
  }
  if (typeof meta !== "object" || meta === null || typeof meta.format !== "number")
    throw new CheckpointFormatError(`${where} is not a checkpoint's meta.json: it has no format number`);
  if (meta.format !== CHECKPOINT_FORMAT)
    throw new CheckpointFormatError(
      `${where}: checkpoint format ${meta.format} (${writtenBy(meta)}); this dctwin (${DCTWIN_VERSION}) reads format ${CHECKPOINT_FORMAT}: ${leftAsItIs(meta.format)}`,
    );
  return meta as CheckpointMeta;
}

/**
 * Checks the header of part `kind` read from `where` (a file or object named in the error) of the checkpoint
 * `meta` describes, before anything decodes it.
 */
export function checkPart(kind: PartKind, bytes: Uint8Array, where: string, meta: CheckpointMeta): Uint8Array {
  try {
    openPart(kind, bytes);
  } catch (error) {
    if (!(error instanceof CheckpointPartError)) throw error;
    const otherFormat = error.format !== undefined && error.format !== CHECKPOINT_FORMAT ? error.format : undefined;
    const reader = otherFormat === undefined ? "" : ` (dctwin ${DCTWIN_VERSION})`;
    throw new CheckpointFormatError(
      `${where}: ${error.message}${reader}; its meta.json says format ${meta.format}, ${writtenBy(meta)}: cannot resume from it, ${leftAsItIs(otherFormat)}`,
    );
  }
  return bytes;
}

export function writeCheckpoint(outDir: string, meta: RunMeta, set: CheckpointSet): void {
  const dir = checkpointDir(outDir);
  const fresh = `${dir}.new`;
  const old = `${dir}.old`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh, { recursive: true });
  writeFileSync(join(fresh, "coordinator.bin"), set.coordinator);
  set.hosts.forEach((bytes, host) => writeFileSync(join(fresh, `host-${host}.bin`), bytes));
  if (set.control !== undefined) writeFileSync(join(fresh, CONTROL_FILE), set.control);
  const full = checkpointMeta(meta, set);
  writeFileSync(join(fresh, "meta.json"), `${JSON.stringify(full, null, 2)}\n`); // last: a directory without it is incomplete
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(fresh, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Removes the checkpoint of a run that completed (nothing is left to resume). */
export function removeCheckpoint(outDir: string): void {
  const dir = checkpointDir(outDir);
  for (const d of [dir, `${dir}.new`, `${dir}.old`]) rmSync(d, { recursive: true, force: true });
}

/** Whether the results directory holds a checkpoint to resume from. */
export function hasCheckpoint(outDir: string): boolean {
  const dir = checkpointDir(outDir);
  return existsSync(join(dir, "meta.json")) || existsSync(join(`${dir}.old`, "meta.json"));
}

export interface StoredCheckpoint {
  meta: CheckpointMeta;
  coordinator: Uint8Array;
  hosts: Uint8Array[];
  /** Where each host's snapshot is (hosts started as processes read it from there). */
  hostFiles: string[];
  /** The control layer's state, for runs with an experiment or the control API. */
  control?: Uint8Array;
}

/** Reads the last checkpoint of a results directory (the previous one if the last swap was cut short). */
export function readCheckpoint(outDir: string): StoredCheckpoint {
  let dir = checkpointDir(outDir);
  if (!existsSync(join(dir, "meta.json")) && existsSync(join(`${dir}.old`, "meta.json"))) dir = `${dir}.old`;
  const metaFile = join(dir, "meta.json");
  if (!existsSync(metaFile))
    throw new Error(
      `${outDir} has no checkpoint (${metaFile} is missing): only runs that reached a checkpoint can be resumed`,
    );
  const meta = parseCheckpointMeta(readFileSync(metaFile, "utf8"), metaFile);
  const hostFiles = Array.from({ length: meta.hosts }, (_, host) => join(dir, `host-${host}.bin`));
  const controlFile = join(dir, CONTROL_FILE);
  const part = (kind: PartKind, file: string) => {
    if (!existsSync(file))
      throw new CheckpointFormatError(`${file} is missing: the checkpoint ${metaFile} describes is incomplete`);
    return checkPart(kind, readFileSync(file), file, meta);
  };
  return {
    meta,
    coordinator: part("coordinator", join(dir, "coordinator.bin")),
    hosts: hostFiles.map((f) => part("host", f)),
    hostFiles,
    ...(existsSync(controlFile) ? { control: part("control", controlFile) } : {}),
  };
}
