/** Runs the real `dctwin` CLI as a child process (the same Node binary as the tests) and collects its output. */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "./processes.ts";

export const CLI_PATH = fileURLToPath(new URL("../../cli/dctwin.ts", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the CLI to completion (killing it after `timeoutMs`). */
export function runCli(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child = startCli(args, options.env);
  return collect(child, options.timeoutMs ?? 120_000);
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The result files of a finished run that determinism tests compare byte for byte. */
export interface RunFiles {
  summary: string;
  series: string;
  links: string;
}

/** Runs `dctwin run FILE --out OUT -q ARGS…` (killed after `timeoutMs`) and requires exit 0; returns OUT. */
export async function runOk(file: string, out: string, args: readonly string[], timeoutMs?: number): Promise<string> {
  const result = await runCli(["run", file, "--out", out, "-q", ...args], { timeoutMs });
  assert.equal(result.code, 0, `dctwin run ${args.join(" ")} failed:\n${result.stderr}`);
  return out;
}

/** Runs `dctwin run FILE --out OUT -q ARGS…`, requires exit 0 and reads the result files. */
export async function runToFiles(file: string, out: string, ...args: string[]): Promise<RunFiles> {
  await runOk(file, out, args);
  const read = (name: string) => readFileSync(join(out, name), "utf8");
  return { summary: read("summary.json"), series: read("timeseries.csv"), links: read("links.csv") };
}

/** Requires `other`'s result files to equal `reference`'s byte for byte; `name` and `referenceName` are in the messages. */
export function assertSameFiles(other: RunFiles, reference: RunFiles, name: string, referenceName = "inproc/1"): void {
  assert.equal(other.summary, reference.summary, `summary.json of ${name} differs from ${referenceName}`);
  assert.equal(other.series, reference.series, `timeseries.csv of ${name} differs from ${referenceName}`);
  assert.equal(other.links, reference.links, `links.csv of ${name} differs from ${referenceName}`);
}

/** A CLI process under watch: its exit (killed after `timeoutMs`) and its standard error so far. */
export interface WatchedCli {
  child: ChildProcess;
  result: Promise<CliResult>;
  stderr: () => string;
}

export function watchCli(args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): WatchedCli {
  const child = startCli(args, options.env);
  const result = collect(child, options.timeoutMs ?? 180_000);
  let stderr = "";
  child.stderr!.on("data", (c: string) => (stderr += c));
  return { child, result, stderr: () => stderr };
}

/** Waits for a run's `control API listening on ADDRESS` line (--control-port) and gives ADDRESS. */
export async function controlAddress(run: WatchedCli, timeoutMs = 30_000): Promise<string> {
  const line = /control API listening on (\S+)/;
  await waitFor(() => line.test(run.stderr()), timeoutMs, "the control API");
  return line.exec(run.stderr())![1]!;
}
