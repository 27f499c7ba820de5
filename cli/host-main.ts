/**
 * `dctwin host` on its own: the entry the coordinator spawns for local host processes. It loads the host command
 * and what a host needs, not every other command of the CLI (OpenTelemetry, gRPC, deploy, reports): a host
 * starts in about a third of the time, which is most of a short NATS run's set-up. Flags, environment variables,
 * errors and exit codes are those of `dctwin host` (cli/dctwin.ts).
 *
 * Node's compile cache (on disk, keyed by file contents) is enabled before anything loads, so the second and
 * later hosts of a machine skip compiling the modules again.
 */
import { enableCompileCache } from "node:module";

enableCompileCache();
const { InvalidArgumentError } = await import("commander");
const { EnvCommand } = await import("./commands/env-options.ts");
const { registerHostCommand } = await import("./commands/host.ts");
const { EXIT_INVALID } = await import("./commands/flags.ts");
const { exitOnError } = await import("./commands/exit.ts");
const { NatsAuthError } = await import("../nodes/runtime/transport/nats-auth.ts");

const program = new EnvCommand()
  .name("dctwin")
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_INVALID));
registerHostCommand(program);

try {
  await program.parseAsync();
} catch (error) {
  exitOnError(error, [InvalidArgumentError, NatsAuthError]);
}
