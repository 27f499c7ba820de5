/** `dctwin host`: one shard of a run, joined over NATS (what a Kubernetes pod runs). */
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { runHostProcess } from "../../nodes/host.ts";
import { resolveHostIndex } from "./host-index.ts";
import { addNatsAuthOptions, durationMsFlag, natsAuthFromFlags, type NatsAuthFlags, port } from "./flags.ts";

export function registerHostCommand(program: Command): void {
  addNatsAuthOptions(program.command("host"))
    .description(
      "Run one host (shard) of a run: connects to NATS and serves the coordinator of run <id>. Kubernetes pods run this.",
    )
    .requiredOption(
      "--nats <url>",
      'NATS server or cluster URL; "-": the first line of standard input (local hosts start before their server does)',
    )
    .requiredOption("--run <id>", "run id to join")
    .option(
      "--host <n>",
      'shard index from 0, or "auto": $JOB_COMPLETION_INDEX (Indexed Job), else the pod ordinal (hostname ending in -N)',
      "auto",
    )
    .addOption(
      new Option(
        "--connect-timeout <d>",
        "keep retrying to reach NATS this long, with backoff (pods start in any order)",
      )
        .argParser(durationMsFlag)
        .default(60_000, "60s"),
    )
    .addOption(
      new Option(
        "--coordinator-timeout <d>",
        "once the run started, exit (code 1) when nothing comes from the coordinator for this long",
      )
        .argParser(durationMsFlag)
        .default(30_000, "30s"),
    )
    .addOption(
      new Option("--reconnect-timeout <d>", "after losing NATS, keep reconnecting this long before exiting")
        .argParser(durationMsFlag)
        .default(20_000, "20s"),
    )
    .option("--exit-with-parent", "exit when standard input closes (used when the coordinator spawns hosts)")
    .option(
      "--metrics-port <port>",
      "serve this host's own metrics (wire, events, event-loop lag) at /metrics on this port (0: a free port)",
      port,
    )
    .option("--metrics-host <address>", "address the metrics endpoint binds to", "127.0.0.1")
    .action(
      async (
        opts: {
          nats: string;
          run: string;
          host: string;
          connectTimeout: number;
          exitWithParent?: boolean;
          metricsPort?: number;
          metricsHost: string;
          coordinatorTimeout: number;
          reconnectTimeout: number;
        } & NatsAuthFlags,
      ) => {
        const host = resolveHostIndex(opts.host);
        await runHostProcess({
          natsUrl: opts.nats === "-" ? firstLineOfStdin(opts.exitWithParent === true) : opts.nats,
          natsAuth: natsAuthFromFlags(opts),
          runId: opts.run,
          host,
          exitWithParent: opts.exitWithParent,
          metricsPort: opts.metricsPort,
          metricsHost: opts.metricsHost,
          connectTimeoutMs: opts.connectTimeout,
          coordinatorTimeoutMs: opts.coordinatorTimeout,
          reconnectTimeoutMs: opts.reconnectTimeout,
        });
        process.exit(process.exitCode ?? 0);
      },
    );
}

/**
 * `--nats -`: the coordinator writes its private server's URL once the server listens; the host has started
 * loading by then. Input that ends before a line is an error, or, with --exit-with-parent, the coordinator gone.
 */
function firstLineOfStdin(exitWithParent: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: string) => {
      text += chunk;
      const end = text.indexOf("\n");
      if (end < 0) return;
      process.stdin.off("data", onData).off("end", onEnd).pause();
      resolve(text.slice(0, end).trim());
    };
    const onEnd = () => {
      if (exitWithParent) process.exit(3);
      reject(new InvalidArgumentError("--nats -: standard input ended before a line with the NATS URL"));
    };
    process.stdin.setEncoding("utf8").on("data", onData).once("end", onEnd);
  });
}
