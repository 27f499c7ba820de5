/** `dctwin run FILE`: run a scenario and write its results directory. */
import type { Command } from "commander";
import { loadResume } from "./resume.ts";
import {
  CHECKPOINT_STORES,
  type CheckpointStoreMode,
  readExternalCheckpoint,
} from "../../coordinator/checkpoint/external-store.ts";
import { InvalidArgumentError, Option } from "commander";
import type { TransportKind } from "../../coordinator/run.ts";
import { loadScenarioFile } from "../../coordinator/scenario-loader.ts";
import { MAX_HOSTS } from "../../spec/limits.ts";
import { prepareOutputDir } from "../../coordinator/results/out-dir.ts";
import { createProgress } from "./progress.ts";
import { printSummary } from "./print-summary.ts";
import {
  addNatsAuthOptions,
  collect,
  durationFlag,
  durationMsFlag,
  EXIT_INTERRUPTED,
  natsAuthFromFlags,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
  type NatsAuthFlags,
  port,
  signalExitCode,
} from "./flags.ts";
import { chooseTransport } from "./transport-choice.ts";
import { addUploadOptions, uploadFromFlags, type UploadFlags } from "./upload-flags.ts";
import { addRunControlOptions, printExperiment, runWithControl, type RunControlFlags } from "./control.ts";
import {
  AGGREGATION_LEVELS,
  DEFAULT_AGGREGATION_LEVEL,
  type AggregationLevel,
} from "../../coordinator/observability/levels.ts";
import { DEFAULT_METRICS_LINGER_S } from "../../coordinator/observability/prometheus/exporter.ts";

export function registerRunCommand(program: Command): void {
  addUploadOptions(addNatsAuthOptions(addRunControlOptions(program.command("run"))))
    .description(
      "Run a scenario and write its results directory (summary.json, run-info.json, timeseries.csv, links.csv).",
    )
    .argument("[file]", "scenario YAML file (none with --resume)")
    .option(
      "--resume <run-dir>",
      "continue the interrupted or failed run whose results are in RUN_DIR from its last checkpoint (same scenario, hosts, run id and results directory)",
    )
    .option(
      "--checkpoint-every <n>",
      "write a checkpoint (RUN_DIR/checkpoint/, for --resume) every N metrics intervals; 0: none",
      nonNegativeInt,
      1,
    )
    .addOption(
      new Option(
        "--checkpoint-store <where>",
        "besides RUN_DIR/checkpoint/: auto keeps checkpoints also in the JetStream of the NATS server if it has JetStream, jetstream requires it, dir never; --resume reads JetStream when RUN_DIR has no checkpoint",
      )
        .choices([...CHECKPOINT_STORES])
        .default("auto"),
    )
    .addOption(
      new Option(
        "--report-timeout <d>",
        "fail the run (or recover it from a checkpoint) when the hosts owe a window report and none comes for this long; 0: wait for ever",
      )
        .argParser(durationMsOrZero)
        .default(60_000, "60s"),
    )
    .addOption(
      new Option(
        "--reconnect-timeout <d>",
        "after losing NATS, keep reconnecting this long before the run fails (or recovers); hosts it starts get the same",
      )
        .argParser(durationMsFlag)
        .default(20_000, "20s"),
    )
    .option(
      "--recoveries <n>",
      "when a host is lost (its process dies or stops reporting), roll every host back to the last checkpoint and go on, at most N times (changes made over the control API since are applied again at their times)",
      nonNegativeInt,
      3,
    )
    .addOption(
      new Option("--checkpoint-min-wall <d>", "and at most one per this much wall time (0: no limit)")
        .argParser(durationMsOrZero)
        .default(30_000, "30s"),
    )
    .option("--hosts <n>", "number of hosts (shards) to split the actors over", positiveInt("--hosts", MAX_HOSTS), 1)
    .addOption(
      new Option(
        "--transport <kind>",
        "in-process (one process) or NATS (host processes); default: NATS when --nats is given or nats-server is on the PATH, else in-process",
      ).choices(["nats", "inproc"]),
    )
    .option("--nats <url>", "join this NATS server or cluster instead of starting a private nats-server")
    .option("--join", "wait for --hosts host processes to join over NATS instead of starting them (as on Kubernetes)")
    .option(
      "--join-timeout <d>",
      'with --join: fail (writing what there is) when the hosts have not all joined within this time, e.g. "5m"',
      durationMsFlag,
    )
    .addOption(
      new Option(
        "--rejoin-timeout <d>",
        "with --join, when a host was lost: fail (writing the results up to the checkpoint) when the surviving hosts and a replacement for the lost one have not all joined again within this time",
      )
        .argParser(durationMsFlag)
        .default(300_000, "5m"),
    )
    .addOption(
      new Option("--connect-timeout <d>", "with --nats: keep retrying to reach NATS this long, with backoff")
        .argParser(durationMsFlag)
        .default(30_000, "30s"),
    )
    .option("--run-id <id>", "run id (namespaces NATS subjects); default: random")
    .option("--seed <n>", "override run.seed", nonNegativeInt)
    .option("--duration <d>", 'override run.duration, e.g. "30s" or 30', durationFlag)
    .addOption(
      new Option(
        "--mode <mode>",
        "override run.mode: exact (every packet) or leap (counts per step, queues quasi-steady; docs/leap.md)",
      ).choices(["exact", "leap"]),
    )
    .option(
      "--speed <x>",
      "pace the run: simulated seconds per wall second (default: as fast as possible)",
      positiveNumber,
    )
    .option(
      "--metrics-port <port>",
      "serve Prometheus metrics at http://HOST:PORT/metrics while the run lasts (0: a free port; the URL is printed)",
      port,
    )
    .option("--metrics-host <address>", "address the metrics endpoint binds to", "127.0.0.1")
    .option(
      "--metrics-linger <seconds>",
      "keep the metrics endpoint up this long after the run, serving its final values (so the last interval is scraped)",
      nonNegativeInt,
      DEFAULT_METRICS_LINGER_S,
    )
    .addOption(
      new Option(
        "--metrics-level <level>",
        "finest aggregation of per-entity series (total, group/rack/zone, actor/link)",
      )
        .choices([...AGGREGATION_LEVELS])
        .default(DEFAULT_AGGREGATION_LEVEL),
    )
    .option("--out <dir>", "results directory", "results/latest")
    .option(
      "--copy-results-to <dir>",
      "also copy the results to DIR/<run id>/ (e.g. a mounted volume), also for failed and interrupted runs",
    )
    .option(
      "--allow-outside <path>",
      "let the scenario read files (traces) in this folder too, besides its own folder (repeatable)",
      collect,
      [],
    )
    .option("-q, --quiet", "print nothing but errors")
    .action(
      async (
        file: string | undefined,
        opts: {
          resume?: string;
          reconnectTimeout: number;
          reportTimeout: number;
          recoveries: number;
          checkpointEvery: number;
          checkpointMinWall: number;
          checkpointStore: CheckpointStoreMode;
          hosts: number;
          transport?: TransportKind;
          nats?: string;
          join?: boolean;
          runId?: string;
          seed?: number;
          duration?: number;
          mode?: "exact" | "leap";
          speed?: number;
          metricsPort?: number;
          metricsHost: string;
          metricsLinger: number;
          metricsLevel: AggregationLevel;
          out: string;
          allowOutside: string[];
          quiet?: boolean;
          joinTimeout?: number;
          rejoinTimeout: number;
          connectTimeout: number;
          copyResultsTo?: string;
        } & RunControlFlags &
          NatsAuthFlags &
          UploadFlags,
        command: Command,
      ) => {
        const natsAuth = natsAuthFromFlags(opts);
        if (natsAuth !== undefined && opts.nats === undefined)
          throw new InvalidArgumentError(
            "NATS credentials and TLS options need --nats URL (a private nats-server makes its own per-run credentials)",
          );
        if (opts.join && opts.nats === undefined)
          throw new InvalidArgumentError(
            "--join needs --nats URL: the private nats-server admits only the hosts this process starts",
          );
        const fromNats =
          opts.nats === undefined || opts.checkpointStore === "dir"
            ? undefined
            : async (runId: string) => {
                const found = await readExternalCheckpoint({ url: opts.nats!, auth: natsAuth, runId });
                if (found !== undefined && !opts.quiet)
                  console.error(
                    `read the checkpoint at ${found.checkpoint.meta.at_ns / 1e9} s from JetStream on ${opts.nats} (${found.bucket})`,
                  );
                return found?.checkpoint;
              };
        const resumed =
          opts.resume === undefined
            ? undefined
            : await loadResume(
                opts.resume,
                file,
                opts,
                (flag) => command.getOptionValueSource(flag) !== "default",
                fromNats,
              );
        if (resumed === undefined && file === undefined)
          throw new InvalidArgumentError("missing the scenario file (or --resume RUN_DIR)");
        const loaded =
          resumed !== undefined
            ? { scenario: resumed.scenario, warnings: [], experiment: undefined }
            : loadScenarioFile(file!, {
                seed: opts.seed,
                durationNs: opts.duration,
                allowOutside: opts.allowOutside,
                mode: opts.mode,
              });
        const { scenario, warnings, experiment } = loaded;
        if (resumed !== undefined)
          Object.assign(opts, { out: resumed.outDir, hosts: resumed.hosts, runId: resumed.runId });
        const upload = uploadFromFlags(opts);
        prepareOutputDir(opts.out); // before the run: a run is never lost to an unusable --out
        const log = opts.quiet ? () => {} : (m: string) => console.error(m);
        for (const w of warnings) console.error(`warning: ${w}`);
        if (opts.runId !== undefined && !/^[A-Za-z0-9_-]+$/.test(opts.runId))
          throw new InvalidArgumentError("--run-id may hold letters, digits, '-' and '_' only");

        const transport = chooseTransport(opts, log);
        // SIGINT (Ctrl-C) and SIGTERM (a pod being stopped) end the run in every phase with the part that ran written;
        // the exit code says which signal it was (130, 143). A second one exits at once.
        const interrupt = new AbortController();
        let interruptedBy: NodeJS.Signals | undefined;
        const onSignal = (signal: NodeJS.Signals) => {
          if (interruptedBy !== undefined) process.exit(signalExitCode(signal));
          interruptedBy = signal;
          console.error(
            `\n${signal === "SIGINT" ? "interrupted" : signal}: stopping after the current window and writing results (${signal === "SIGINT" ? "Ctrl-C" : "the signal"} again to abort)`,
          );
          interrupt.abort();
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);

        const progress = opts.quiet ? { update: () => {}, done: () => {} } : createProgress(scenario.run.durationNs);
        const result = await runWithControl(
          {
            scenario,
            hosts: opts.hosts,
            transport,
            natsUrl: opts.nats,
            natsAuth,
            join: opts.join,
            runId: opts.runId,
            speed: opts.speed,
            metrics:
              opts.metricsPort === undefined
                ? undefined
                : {
                    port: opts.metricsPort,
                    host: opts.metricsHost,
                    level: opts.metricsLevel,
                    lingerS: opts.metricsLinger,
                  },
            outDir: opts.out,
            copyResultsTo: opts.copyResultsTo,
            ...upload,
            joinTimeoutMs: opts.joinTimeout,
            rejoinTimeoutMs: opts.rejoinTimeout,
            natsConnectTimeoutMs: opts.connectTimeout,
            signal: interrupt.signal,
            onWindow: (p) => progress.update(p),
            checkpoint:
              opts.checkpointEvery === 0
                ? undefined
                : { everyIntervals: opts.checkpointEvery, minWallMs: opts.checkpointMinWall },
            resume: resumed?.checkpoint,
            checkpointStore: opts.checkpointStore,
            recoveries: opts.recoveries,
            natsReconnectTimeoutMs: opts.reconnectTimeout,
            reportTimeoutMs: opts.reportTimeout === 0 ? undefined : opts.reportTimeout,
            log,
          },
          opts,
          experiment,
          log,
        );
        progress.done();
        if (!opts.quiet) printSummary(result.summary, result.wallTimeS, opts.out);
        if (!opts.quiet) printExperiment(result);
        if (result.outcome.status === "interrupted")
          process.exitCode = interruptedBy === undefined ? EXIT_INTERRUPTED : signalExitCode(interruptedBy);
      },
    );
}

/** A duration flag for which 0 turns the limit off. */
function durationMsOrZero(value: string): number {
  return value.trim() === "0" ? 0 : durationMsFlag(value);
}
