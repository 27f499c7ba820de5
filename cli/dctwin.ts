#!/usr/bin/env node
/**
 * dctwin: run, validate and host data-centre twins. Exit codes: 0 success, 1 run failed, 2 invalid input,
 * 130 interrupted (results of the part that ran are still written).
 */
import { Command, InvalidArgumentError } from "commander";
import { formatIssue, ScenarioError } from "../scenario/issues.ts";
import { registerExportCommand } from "./commands/export.ts";
import { registerHostCommand } from "./commands/host.ts";
import { registerControlCommand } from "./commands/control.ts";
import { registerInjectCommand } from "./commands/inject.ts";
import { registerLoadCommand } from "./commands/load.ts";
import { registerStatusCommand } from "./commands/status.ts";
import { registerReportCommand } from "./commands/report.ts";
import { registerRunCommand } from "./commands/run.ts";
import { registerThermoCommand } from "./commands/thermo.ts";
import { registerValidateCommand } from "./commands/validate.ts";
import { EXIT_FAILED, EXIT_INVALID } from "./commands/flags.ts";
import { NatsAuthError } from "../nodes/runtime/transport/nats-auth.ts";
import { OutputDirError } from "../coordinator/results/out-dir.ts";

const program = new Command()
  .name("dctwin")
  .description("A distributed, actor-based digital twin of a data centre: packets as particles over NATS.")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  // Commander exits 1 on a bad flag or usage (before the catch below sees it); usage errors are invalid input.
  // Set before .command() so the subcommands inherit it; help (exit code 0) stays 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_INVALID));

registerValidateCommand(program);
registerRunCommand(program);
registerHostCommand(program);
registerInjectCommand(program);
registerLoadCommand(program);
registerStatusCommand(program);
registerControlCommand(program);
registerThermoCommand(program);
registerExportCommand(program);
registerReportCommand(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ScenarioError) {
    console.error(`${error.file}: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}`);
    for (const issue of error.issues) console.error(`  ${formatIssue(issue)}`);
    process.exit(EXIT_INVALID);
  }
  if (error instanceof InvalidArgumentError || error instanceof NatsAuthError || error instanceof OutputDirError) {
    console.error(`error: ${error.message}`);
    process.exit(EXIT_INVALID);
  }
  console.error(`dctwin: ${error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error)}`);
  if (process.env.DCTWIN_DEBUG) console.error(error);
  process.exit(EXIT_FAILED);
}
