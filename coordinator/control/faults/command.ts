/**
 * command: a model command to each chosen actor whose model declares it (its arguments checked by that kind's
 * schema), and the clear command when the fault clears.
 */
import type { z } from "zod";
import { modelRegistry } from "../../../nodes/models/registry.ts";
import type { CommandAction } from "../../../spec/faults/command.ts";
import { joinPath } from "../../../spec/faults/fields.ts";
import type { RequestIssue } from "../../../spec/requests.ts";
import { actorCommand } from "./effect.ts";
import type { FaultContext } from "./context.ts";
import { onActors } from "./targets.ts";

export function resolveCommand(ctx: FaultContext<CommandAction>) {
  const a = ctx.action;
  return onActors(
    ctx,
    (actor, effect) => {
      effect.onInject.push(actorCommand(actor, a.command, a.args));
      if (a.clearCommand !== null) effect.onClear.push(actorCommand(actor, a.clearCommand, a.clearArgs));
    },
    (candidates) => ableActors(ctx, candidates),
  );
}

/** Actors among the candidates whose model declares the command; the arguments are checked per kind. */
function ableActors(ctx: FaultContext<CommandAction>, candidates: number[]): number[] {
  const { scenario, action, at, issues } = ctx;
  const kinds = [...new Set(candidates.map((i) => scenario.actors[i]!.kind))].sort();
  const able = kinds.filter((k) => modelRegistry[k]?.commands[action.command] !== undefined);
  if (candidates.length > 0 && able.length === 0) {
    const offered = kinds
      .map((k) => `${k}: ${Object.keys(modelRegistry[k]?.commands ?? {}).join(", ") || "none"}`)
      .join("; ");
    issues.push({
      path: at("command"),
      message: `no selected actor's model has the command "${action.command}" (${offered})`,
    });
    return [];
  }
  for (const kind of able) {
    checkArgs(modelRegistry[kind]!.commands[action.command]!, action.args, at("args"), issues);
    if (action.clearCommand !== null) {
      const clear = modelRegistry[kind]!.commands[action.clearCommand];
      if (clear === undefined)
        issues.push({
          path: at("clear.command"),
          message: `the ${kind} model has no command "${action.clearCommand}"`,
        });
      else checkArgs(clear, action.clearArgs, at("clear.args"), issues);
    }
  }
  return candidates.filter((i) => able.includes(scenario.actors[i]!.kind));
}

function checkArgs(schema: z.ZodType, args: unknown, path: string, issues: RequestIssue[]): void {
  const parsed = schema.safeParse(args ?? {});
  if (!parsed.success)
    for (const issue of parsed.error.issues) issues.push({ path: joinPath(path, issue.path), message: issue.message });
}
