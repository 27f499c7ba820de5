/** `dctwin run FILE`: run a scenario and write its results directory. */
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import type { TransportKind } from "../../coordinator/run.ts";
import { loadScenarioFile } from "../../scenario/load.ts";
import { MAX_HOSTS } from "../../scenario/limits.ts";
import { prepareOutputDir } from "../../coordinator/results/out-dir.ts";
import { createProgress } from "../progress.ts";
import { printSummary } from "../print-summary.ts";
import { addNatsAuthOptions, collect, durationFlag, EXIT_INTERRUPTED, natsAuthFromFlags, nonNegativeInt, positiveInt, positiveNumber, type NatsAuthFlags, port } from "./flags.ts";
import { addRunControlOptions, printExperiment, runWithControl, type RunControlFlags } from "./control.ts";
import { AGGREGATION_LEVELS, DEFAULT_AGGREGATION_LEVEL, type AggregationLevel } from "../../coordinator/observability/levels.ts";

export function registerRunCommand(program: Command): void {
  addNatsAuthOptions(addRunControlOptions(program.command("run")))
    .description("Run a scenario and write its results directory (summary.json, run-info.json, timeseries.csv, links.csv).")
    .argument("<file>", "scenario YAML file")
    .option("--hosts <n>", "number of hosts (shards) to split the actors over", positiveInt("--hosts", MAX_HOSTS), 1)
    .addOption(new Option("--transport <kind>", "in-process (one process) or NATS (host processes)").choices(["nats", "inproc"]).default("nats"))
    .option("--nats <url>", "join this NATS server or cluster instead of starting a private nats-server")
    .option("--join", "wait for --hosts host processes to join over NATS instead of starting them (as on Kubernetes)")
    .option("--run-id <id>", "run id (namespaces NATS subjects); default: random")
    .option("--seed <n>", "override run.seed", nonNegativeInt)
    .option("--duration <d>", 'override run.duration, e.g. "30s" or 30', durationFlag)
    .option("--speed <x>", "pace the run: simulated seconds per wall second (default: as fast as possible)", positiveNumber)
    .option("--metrics-port <port>", "serve Prometheus metrics at http://HOST:PORT/metrics while the run lasts (0: a free port; the URL is printed)", port)
    .option("--metrics-host <address>", "address the metrics endpoint binds to", "127.0.0.1")
    .addOption(new Option("--metrics-level <level>", "finest aggregation of per-entity series (total, group/rack/zone, actor/link)").choices([...AGGREGATION_LEVELS]).default(DEFAULT_AGGREGATION_LEVEL))
    .option("--out <dir>", "results directory", "results/latest")
    .option("--allow-outside <path>", "let the scenario read files (traces) in this folder too, besides its own folder (repeatable)", collect, [])
    .option("-q, --quiet", "print nothing but errors")
    .action(async (file: string, opts: { hosts: number; transport: TransportKind; nats?: string; join?: boolean; runId?: string; seed?: number; duration?: number; speed?: number; metricsPort?: number; metricsHost: string; metricsLevel: AggregationLevel; out: string; allowOutside: string[]; quiet?: boolean } & RunControlFlags & NatsAuthFlags) => {
      const natsAuth = natsAuthFromFlags(opts);
      if (natsAuth !== undefined && opts.nats === undefined) throw new InvalidArgumentError("NATS credentials and TLS options need --nats URL (a private nats-server makes its own per-run credentials)");
      if (opts.join && opts.nats === undefined) throw new InvalidArgumentError("--join needs --nats URL: the private nats-server admits only the hosts this process starts");
      const { scenario, warnings, experiment } = loadScenarioFile(file, { seed: opts.seed, durationNs: opts.duration, allowOutside: opts.allowOutside });
      prepareOutputDir(opts.out); // before the run: a run is never lost to an unusable --out
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
      const result = await runWithControl({
        scenario,
        hosts: opts.hosts,
        transport: opts.transport,
        natsUrl: opts.nats,
        natsAuth,
        join: opts.join,
        runId: opts.runId,
        speed: opts.speed,
        metrics: opts.metricsPort === undefined ? undefined : { port: opts.metricsPort, host: opts.metricsHost, level: opts.metricsLevel },
        outDir: opts.out,
        signal: interrupt.signal,
        onWindow: (p) => progress.update(p),
        log,
      }, opts, experiment, log);
      progress.done();
      if (!opts.quiet) printSummary(result.summary, result.wallTimeS, opts.out);
      if (!opts.quiet) printExperiment(result);
      if (result.outcome.status === "interrupted") process.exitCode = EXIT_INTERRUPTED;
    });
}
