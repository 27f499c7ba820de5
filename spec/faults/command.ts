/**
 * `command`: a model's own command (e.g. a server's throttle), and optionally the one that undoes it. Kinds name
 * theirs as shorthand actions (`cpu-throttle`: nodes/models/traits.ts), which preset `command` and `clear`.
 */
import { z } from "zod";
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction } from "../requests.ts";
import { defineFaultAction } from "./define.ts";
import { commandArgs } from "./fields.ts";
import { jsonField } from "./wire.ts";

export interface CommandAction extends FaultAction {
  type: "command";
  command: string;
  args: unknown;
  clearCommand: string | null;
  clearArgs: unknown;
}

const commandName = z.string({ error: "expected a command name" });

/** A JSON flag's text as its value. */
function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // refused by the parameter's schema, with the flag named
  }
}

export const command = defineFaultAction<CommandAction, dctwin.v1.ActorCommandFault.$Properties>({
  type: "command",
  summary: "a command of the actors' model, and optionally the one that clears it",
  fields: {
    command: commandName,
    args: commandArgs,
    clear: z.object({ command: commandName, args: commandArgs.optional() }).strict(),
  },
  build(f, at, issues) {
    const clear = f.clear as { command: string; args?: unknown } | undefined;
    if (f.command === undefined) issues.push({ path: at("command"), message: "required: the model command to send" });
    return {
      type: "command",
      command: (f.command as string) ?? "",
      args: f.args ?? {},
      clearCommand: clear?.command ?? null,
      clearArgs: clear?.args ?? {},
    };
  },
  toFields: (a) => ({
    command: a.command,
    args: a.args,
    ...(a.clearCommand === null ? {} : { clear: { command: a.clearCommand, args: a.clearArgs } }),
  }),
  label: (a) => `command:${a.command}`,
  flags: [
    { name: "command", value: "name", field: "command", parse: String, help: "command: the model command" },
    { name: "args", value: "json", field: "args", parse: json, help: "command: its arguments as JSON" },
    {
      name: "clear-command",
      value: "name",
      field: "clear.command",
      parse: String,
      help: "command: the command that undoes it",
    },
    { name: "clear-args", value: "json", field: "clear.args", parse: json, help: "command: its arguments as JSON" },
  ],
  proto: {
    case: "actorCommand",
    paths: {
      command: "actor_command.command",
      args: "actor_command.args_json",
      "clear.command": "actor_command.clear_command",
      "clear.args": "actor_command.clear_args_json",
    },
    from(m, path, issues) {
      if (!m.command) issues.push({ path: `${path}.command`, message: "required" });
      return {
        type: "command",
        command: m.command ?? "",
        args: jsonField(m.argsJson, `${path}.args_json`, issues),
        clearCommand: m.clearCommand ? m.clearCommand : null,
        clearArgs: jsonField(m.clearArgsJson, `${path}.clear_args_json`, issues),
      };
    },
    to: (a) => ({
      command: a.command,
      argsJson: JSON.stringify(a.args ?? {}),
      clearCommand: a.clearCommand ?? "",
      clearArgsJson: a.clearCommand === null ? "" : JSON.stringify(a.clearArgs ?? {}),
    }),
  },
});
