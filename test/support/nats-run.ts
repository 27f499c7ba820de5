/**
 * A 3-host NATS run of the CLI for the recovery tests (host loss, broker restart): started with checkpoints at
 * every interval, its stderr watched for the host pids and its checkpoint file for the boundary reached; `end()`
 * kills by pid whatever of the run is still alive, also when the test failed.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { collect, type CliResult, startCli } from "./cli.ts";
import { processesMentioning, waitFor } from "./processes.ts";

export const RESULT_FILES = ["summary.json", "timeseries.csv", "links.csv"];

/** The result files of a run, as text (the byte-identity the recovery tests check). */
export const readResults = (out: string) => RESULT_FILES.map((f) => readFileSync(join(out, f), "utf8"));

/** The boundary (ns) of the checkpoint on disk, or 0 when none is written yet (or it is being swapped). */
export function checkpointAtNs(out: string): number {
  try {
    return JSON.parse(readFileSync(join(out, "checkpoint", "meta.json"), "utf8")).at_ns as number;
  } catch {
    return 0;
  }
}

/**
 * `dctwin run FILE --transport nats --hosts 2 --speed 1 --run-id ID --out OUT` and `extra` flags: a run on two host
 * processes paced at one simulated second per second, so that a test can act on it mid-run.
 */
export const pacedTwoHostArgs = (file: string, runId: string, out: string, extra: string[] = []) => [
  "run",
  file,
  "--transport",
  "nats",
  "--hosts",
  "2",
  "--speed",
  "1",
  "--run-id",
  runId,
  "--out",
  out,
  ...extra,
];

/** mulberry32: the trials' choices from a fixed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface NatsRun {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** stderr so far. */
  stderr(): string;
  /** The pids of the 3 host processes it started (waits for the line that names them). */
  hostPids(): Promise<number[]>;
  /** Waits until the checkpoint on disk is at `atNs` or later (or the run ended). */
  checkpointAt(atNs: number): Promise<void>;
  /** Kills what is left of the run (the CLI and every process naming the run id). */
  end(): void;
}

/** Starts `dctwin run FILE --transport nats --hosts 3` with checkpoints at every interval, `extra` flags, `env`. */
export function startNatsRun(
  file: string,
  out: string,
  runId: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): NatsRun {
  const child = startCli(
    [
      "run",
      file,
      "--out",
      out,
      "--transport",
      "nats",
      "--hosts",
      "3",
      "--speed",
      "0.5",
      "--run-id",
      runId,
      "--checkpoint-every",
      "1",
      "--checkpoint-min-wall",
      "0",
      ...extra,
    ],
    env,
  );
  const done = collect(child, 600_000);
  let stderr = "";
  child.stderr!.on("data", (c: string) => (stderr += c));
  const pidsLine = /started 3 host process\(es\): pids (\d+), (\d+), (\d+)/;
  return {
    child,
    done,
    stderr: () => stderr,
    hostPids: async () => {
      await waitFor(() => pidsLine.test(stderr), 180_000, "hosts to start");
      return pidsLine.exec(stderr)!.slice(1).map(Number);
    },
    checkpointAt: (atNs) =>
      waitFor(() => checkpointAtNs(out) >= atNs || child.exitCode !== null, 90_000, `a checkpoint at ${atNs / 1e9} s`),
    end: () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      for (const pid of processesMentioning(runId)) process.kill(pid, "SIGKILL");
    },
  };
}
