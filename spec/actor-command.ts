/** A command to one actor's model (a fault, a load change or the cooling relay's readings) as the driver applies it. */
import type { CommandSpec } from "./experiment.ts";

/** `args` are the model command's arguments, sent as JSON (none: `{}`). */
export function actorCommand(actor: number, command: string, args: unknown): CommandSpec {
  return { actor: { actor, command, argsJson: JSON.stringify(args ?? {}) } };
}
