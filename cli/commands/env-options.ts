/**
 * Every flag of every command can also come from an environment variable: DCTWIN_ + the long flag name in capitals
 * with '-' as '_' (--run-id → DCTWIN_RUN_ID, --control-token → DCTWIN_CONTROL_TOKEN). A flag on the command line
 * wins over the variable, the variable over the default. Pods set their configuration this way (ConfigMaps,
 * Secrets). The program is built from EnvCommand, so every flag any command adds gets its variable without code.
 */
import { Command, type Option } from "commander";

const NOT_FROM_ENV = new Set(["--help", "--version"]);

export function envVarName(option: Option): string | undefined {
  if (option.long === undefined || NOT_FROM_ENV.has(option.long) || option.negate) return undefined;
  return `DCTWIN_${option.long.slice(2).toUpperCase().replace(/-/g, "_")}`;
}

/** A commander Command whose options (and whose subcommands' options) read DCTWIN_* variables. */
export class EnvCommand extends Command {
  override createCommand(name?: string): Command {
    return new EnvCommand(name);
  }

  override addOption(option: Option): this {
    const name = envVarName(option);
    // Commander wires the variable up inside addOption, so it must be set before.
    if (name !== undefined && option.envVar === undefined) option.env(name);
    return super.addOption(option);
  }
}
