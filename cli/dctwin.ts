#!/usr/bin/env node
/**
 * dctwin: run, validate and host data-centre twins. Exit codes: 0 success, 1 run failed, 2 invalid input,
 * 130 interrupted (results of the part that ran are still written).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { formatIssue, ScenarioError } from "../scenario/issues.ts";
import { loadScenarioFile } from "../scenario/load.ts";
import { parseDurationFlag } from "../scenario/units.ts";
import { runTwin, type TransportKind } from "../coordinator/run.ts";
import { runHostProcess } from "../nodes/host.ts";
import { createProgress } from "./progress.ts";
import { printSummary } from "./print-summary.ts";

const EXIT_FAILED = 1;
const EXIT_INVALID = 2;
const EXIT_INTERRUPTED = 130;

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} expects a positive whole number`);
    return n;
  };
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expects a whole number from 0 to 2^53");
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError("expects a positive number");
  return n;
}

function durationFlag(value: string): number {
  try {
    return parseDurationFlag("--duration", value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const program = new Command()
  .name("dctwin")
  .description("A distributed, actor-based digital twin of a data centre: packets as particles over NATS.")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  // Commander exits 1 on a bad flag or usage (before the catch below sees it); usage errors are invalid input.
  // Set before .command() so the subcommands inherit it; help (exit code 0) stays 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_INVALID));

program
  .command("validate")
  .description("Check a scenario file without running it; prints every problem with its field path.")
  .argument("<file>", "scenario YAML file")
  .action((file: string) => {
    const { scenario, warnings } = loadScenarioFile(file);
    for (const w of warnings) console.error(`warning: ${w}`);
    console.log(`${file}: valid (${scenario.actors.length} actors, ${scenario.links.length} links, ${scenario.run.durationNs / 1e9} s simulated)`);
  });

program
  .command("run")
  .description("Run a scenario and write its results directory (summary.json, run-info.json, timeseries.csv, links.csv).")
  .argument("<file>", "scenario YAML file")
  .option("--hosts <n>", "number of hosts (shards) to split the actors over", positiveInt("--hosts"), 1)
  .addOption(new Option("--transport <kind>", "in-process (one process) or NATS (host processes)").choices(["nats", "inproc"]).default("nats"))
  .option("--nats <url>", "join this NATS server or cluster instead of starting a private nats-server")
  .option("--join", "wait for --hosts host processes to join over NATS instead of starting them (as on Kubernetes)")
  .option("--run-id <id>", "run id (namespaces NATS subjects); default: random")
  .option("--seed <n>", "override run.seed", nonNegativeInt)
  .option("--duration <d>", 'override run.duration, e.g. "30s" or 30', durationFlag)
  .option("--speed <x>", "pace the run: simulated seconds per wall second (default: as fast as possible)", positiveNumber)
  .option("--out <dir>", "results directory", "results/latest")
  .option("-q, --quiet", "print nothing but errors")
  .action(async (file: string, opts: { hosts: number; transport: TransportKind; nats?: string; join?: boolean; runId?: string; seed?: number; duration?: number; speed?: number; out: string; quiet?: boolean }) => {
    const { scenario, warnings } = loadScenarioFile(file, { seed: opts.seed, durationNs: opts.duration });
    const log = opts.quiet ? () => {} : (m: string) => console.error(m);
    for (const w of warnings) console.error(`warning: ${w}`);
    if (opts.runId !== undefined && !/^[A-Za-z0-9_-]+$/.test(opts.runId)) throw new InvalidArgumentError("--run-id may hold letters, digits, '-' and '_' only");

    const interrupt = new AbortController();
    let interrupts = 0;
    process.on("SIGINT", () => {
      interrupts++;
      if (interrupts === 1) {
        console.error("\ninterrupted: stopping after the current window and writing results (Ctrl-C again to abort)");
        interrupt.abort();
      } else process.exit(EXIT_INTERRUPTED);
    });
    process.on("SIGTERM", () => interrupt.abort());

    const progress = opts.quiet ? { update: () => {}, done: () => {} } : createProgress(scenario.run.durationNs);
    const result = await runTwin({
      scenario,
      hosts: opts.hosts,
      transport: opts.transport,
      natsUrl: opts.nats,
      join: opts.join,
      runId: opts.runId,
      speed: opts.speed,
      outDir: opts.out,
      signal: interrupt.signal,
      onWindow: (p) => progress.update(p),
      log,
    });
    progress.done();
    if (!opts.quiet) printSummary(result.summary, result.wallTimeS, opts.out);
    if (result.outcome.status === "interrupted") process.exitCode = EXIT_INTERRUPTED;
  });

program
  .command("host")
  .description("Run one host (shard) of a run: connects to NATS and serves the coordinator of run <id>. Kubernetes pods run this.")
  .requiredOption("--nats <url>", "NATS server or cluster URL")
  .requiredOption("--run <id>", "run id to join")
  .requiredOption("--host <n>", "shard index, from 0", nonNegativeInt)
  .option("--exit-with-parent", "exit when standard input closes (used when the coordinator spawns hosts)")
  .action(async (opts: { nats: string; run: string; host: number; exitWithParent?: boolean }) => {
    await runHostProcess({ natsUrl: opts.nats, runId: opts.run, host: opts.host, exitWithParent: opts.exitWithParent });
    process.exit(0);
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ScenarioError) {
    console.error(`${error.file}: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}`);
    for (const issue of error.issues) console.error(`  ${formatIssue(issue)}`);
    process.exit(EXIT_INVALID);
  }
  if (error instanceof InvalidArgumentError) {
    console.error(`error: ${error.message}`);
    process.exit(EXIT_INVALID);
  }
  console.error(`dctwin: ${error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error)}`);
  if (process.env.DCTWIN_DEBUG) console.error(error);
  process.exit(EXIT_FAILED);
}
