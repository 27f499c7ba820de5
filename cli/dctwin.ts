#!/usr/bin/env node
/**
 * dctwin: run, validate and host data-centre twins. Exit codes: 0 success, 1 run failed, 2 invalid input,
 * 130 interrupted by SIGINT, 143 by SIGTERM (results of the part that ran are still written).
 */
import { type Command, InvalidArgumentError } from "commander";
import { formatIssue, ScenarioError } from "../scenario/issues.ts";
import { registerCompareCommand } from "./commands/compare.ts";
import { registerExportCommand } from "./commands/export.ts";
import { registerHostCommand } from "./commands/host.ts";
import { registerControlCommand } from "./commands/control.ts";
import { registerInjectCommand } from "./commands/inject.ts";
import { registerLoadCommand } from "./commands/load.ts";
import { registerPlaceCommand } from "./commands/place.ts";
import { registerStatusCommand } from "./commands/status.ts";
import { registerReportCommand } from "./commands/report.ts";
import { registerRunCommand } from "./commands/run.ts";
import { registerThermoCommand } from "./commands/thermo.ts";
import { registerValidateCommand } from "./commands/validate.ts";
import { registerDeployCommand } from "./commands/deploy.ts";
import { EXIT_INVALID } from "./commands/flags.ts";
import { exitOnError } from "./commands/exit.ts";
import { EnvCommand } from "./commands/env-options.ts";
import { DCTWIN_VERSION } from "../coordinator/observability/version.ts";
import { NatsServerMissingError } from "../coordinator/nats-server.ts";
import { NatsAuthError } from "../nodes/runtime/transport/nats-auth.ts";
import { OutputDirError } from "../coordinator/results/out-dir.ts";
import { counted } from "./commands/counted.ts";

const program = new EnvCommand()
  .name("dctwin")
  .description(
    "A distributed, actor-based digital twin of a data centre: packets as particles over NATS.\nEvery flag can also be set by an environment variable: DCTWIN_ + the flag in capitals, '-' as '_' (--run-id: DCTWIN_RUN_ID).",
  )
  .version(DCTWIN_VERSION, "-V, --version", "print the version")
  .configureOutput({ outputError: (text, write) => write(text) })
  // Commander exits 1 on a bad flag or usage (before the catch below sees it); usage errors are invalid input.
  // Set before .command() so the subcommands inherit it; help (exit code 0) stays 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_INVALID));

registerValidateCommand(program);
registerRunCommand(program);
registerPlaceCommand(program);
registerHostCommand(program);
registerInjectCommand(program);
registerLoadCommand(program);
registerStatusCommand(program);
registerControlCommand(program);
registerThermoCommand(program);
registerExportCommand(program);
registerReportCommand(program);
registerDeployCommand(program);
registerCompareCommand(program);
showUsageAfterErrors(program, "dctwin");

/**
 * After a usage error, the command's usage line and where its options are, not its whole help: `run` has 200 lines
 * of options, which would scroll the error itself off the screen.
 */
function showUsageAfterErrors(command: Command, path: string): void {
  command.showHelpAfterError(
    `Usage: ${path} ${command.usage()}\n(${path} --help lists its ${command.commands.length > 0 ? "commands" : "options"})`,
  );
  for (const sub of command.commands) showUsageAfterErrors(sub, `${path} ${sub.name()}`);
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ScenarioError) {
    console.error(`${error.file}: ${counted(error.issues.length, "problem")}`);
    for (const issue of error.issues) console.error(`  ${formatIssue(issue)}`);
    process.exit(EXIT_INVALID);
  }
  exitOnError(error, [InvalidArgumentError, NatsServerMissingError, NatsAuthError, OutputDirError]);
}
