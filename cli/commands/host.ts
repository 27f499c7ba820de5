/** `dctwin host`: one shard of a run, joined over NATS (what a Kubernetes pod runs). */
import type { Command } from "commander";
import { runHostProcess } from "../../nodes/host.ts";
import { addNatsAuthOptions, natsAuthFromFlags, nonNegativeInt, type NatsAuthFlags, port } from "./flags.ts";

export function registerHostCommand(program: Command): void {
  addNatsAuthOptions(program.command("host"))
    .description("Run one host (shard) of a run: connects to NATS and serves the coordinator of run <id>. Kubernetes pods run this.")
    .requiredOption("--nats <url>", "NATS server or cluster URL")
    .requiredOption("--run <id>", "run id to join")
    .requiredOption("--host <n>", "shard index, from 0", nonNegativeInt)
    .option("--exit-with-parent", "exit when standard input closes (used when the coordinator spawns hosts)")
    .option("--metrics-port <port>", "serve this host's own metrics (wire, events, event-loop lag) at /metrics on this port (0: a free port)", port)
    .option("--metrics-host <address>", "address the metrics endpoint binds to", "127.0.0.1")
    .action(async (opts: { nats: string; run: string; host: number; exitWithParent?: boolean; metricsPort?: number; metricsHost: string } & NatsAuthFlags) => {
      await runHostProcess({ natsUrl: opts.nats, natsAuth: natsAuthFromFlags(opts), runId: opts.run, host: opts.host, exitWithParent: opts.exitWithParent, metricsPort: opts.metricsPort, metricsHost: opts.metricsHost });
      process.exit(0);
    });
}
