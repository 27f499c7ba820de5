/**
 * A 2-host run whose hosts join over NATS (`dctwin run --join`, as on Kubernetes) for the recovery and JetStream
 * tests: the coordinator's arguments, its `dctwin host` processes (killed by pid at the test's end whatever
 * happened), the wait for its first checkpoint, and the results of the same scenario run undisturbed in process.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliResult, runCli, watchCli, type WatchedCli } from "./cli.ts";
import { checkpointAtNs, readResults } from "./nats-run.ts";
import { waitFor } from "./processes.ts";

/** A checkpoint at every metrics interval, however little wall time passed since the last. */
export const CHECKPOINT_EVERY_INTERVAL = ["--checkpoint-every", "1", "--checkpoint-min-wall", "0"];

/** `dctwin run FILE --nats URL --join --hosts 2 --run-id ID --out OUT` and `extra` flags. */
export const joinRunArgs = (file: string, url: string, runId: string, out: string, extra: string[] = []) => [
  "run",
  file,
  "--nats",
  url,
  "--join",
  "--hosts",
  "2",
  "--run-id",
  runId,
  "--out",
  out,
  ...extra,
];

/** The processes of one test, killed by pid at its end whatever happened. */
export class JoinProcesses {
  private readonly children: WatchedCli[] = [];

  start(args: string[]): WatchedCli {
    const watched = watchCli(args, { timeoutMs: 300_000 });
    this.children.push(watched);
    return watched;
  }

  /** `dctwin host` number `host` of run `runId` on the server at `url`. */
  host(url: string, runId: string, host: number): WatchedCli {
    return this.start(["host", "--nats", url, "--run", runId, "--host", String(host), "--coordinator-timeout", "20s"]);
  }

  /** Hosts 0 and 1 of run `runId`. */
  hosts(url: string, runId: string): WatchedCli[] {
    return [0, 1].map((host) => this.host(url, runId, host));
  }

  /**
   * Starts the coordinator (`args`) and both hosts, SIGINTs the coordinator once it wrote a checkpoint, and requires
   * it to exit 130 and the hosts 0; gives the coordinator's result.
   */
  async interruptAfterCheckpoint(args: string[], url: string, runId: string, out: string): Promise<CliResult> {
    const coordinator = this.start(args);
    const hosts = this.hosts(url, runId);
    await firstCheckpoint(out, coordinator);
    coordinator.child.kill("SIGINT");
    const cut = await coordinator.result;
    assert.equal(cut.code, 130, cut.stderr);
    for (const host of hosts) assert.equal((await host.result).code, 0, "hosts exit with the interrupted run");
    return cut;
  }

  /** Resumes the run in `out` (`dctwin run --resume OUT --nats URL --join` and `extra`) with both hosts joining again; requires exit 0. */
  async resume(out: string, url: string, runId: string, extra: string[] = []): Promise<CliResult> {
    const resumed = this.start(["run", "--resume", out, "--nats", url, "--join", ...extra]);
    this.hosts(url, runId);
    const result = await resumed.result;
    assert.equal(result.code, 0, result.stderr);
    return result;
  }

  end(): void {
    for (const { child } of this.children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** Waits until the run writing to `out` has a checkpoint on disk (or its coordinator ended). */
export const firstCheckpoint = (out: string, coordinator: WatchedCli): Promise<void> =>
  waitFor(() => checkpointAtNs(out) > 0 || coordinator.child.exitCode !== null, 120_000, "a checkpoint");

/** The result files of `file` run undisturbed in process (once, into `dir`/whole): what every recovery must give. */
export function undisturbedResults(file: string, dir: string): () => Promise<string[]> {
  let results: string[] | undefined;
  return async () => {
    if (results === undefined) {
      const out = join(dir, "whole");
      const result = await runCli(["run", file, "--out", out, "-q", "--transport", "inproc"]);
      assert.equal(result.code, 0, result.stderr);
      results = readResults(out);
    }
    return results;
  };
}
