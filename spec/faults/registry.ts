/**
 * The fault actions: the built-in ones (one module each in this folder) and those registered at run time. The
 * experiment schema (scenario/experiment.ts), `dctwin inject` (cli/commands/inject.ts) and the gRPC conversion
 * (proto.ts) read this list; the coordinator resolves each action by its name (coordinator/control/faults/).
 */
import type { FaultAction, FaultShorthand, RequestIssue } from "../requests.ts";
import { actorCrash } from "./actor-crash.ts";
import { actorPause } from "./actor-pause.ts";
import { bandwidth } from "./bandwidth.ts";
import { clockDrift } from "./clock-drift.ts";
import { command } from "./command.ts";
import type { FaultActionDef, FieldPath } from "./define.ts";
import { delay } from "./delay.ts";
import { parseField } from "./fields.ts";
import { linkDown } from "./link-down.ts";
import { loss } from "./loss.ts";
import { partition } from "./partition.ts";

const actions = new Map<string, FaultActionDef>(
  [actorCrash, actorPause, linkDown, delay, loss, bandwidth, partition, clockDrift, command].map((d) => [d.type, d]),
);

/** Adds a fault action (a plug-in's, or a test's); the coordinator needs its resolution too (registerFaultResolver). */
export function registerFaultAction(def: FaultActionDef): void {
  if (actions.has(def.type)) throw new Error(`fault action "${def.type}" is already registered`);
  actions.set(def.type, def);
}

export function faultActions(): readonly FaultActionDef[] {
  return [...actions.values()];
}

export function faultAction(type: string): FaultActionDef | undefined {
  return actions.get(type);
}

/** The name listings and records show for an action (`command:throttle`). */
export function actionLabel(action: FaultAction): string {
  return actions.get(action.type)?.label?.(action) ?? action.type;
}

/** Every action name an experiment or the CLI takes: the actions, then the kinds' shorthands. */
export function actionNames(shorthands: Readonly<Record<string, FaultShorthand>>): string[] {
  return [...actions.keys(), ...Object.keys(shorthands)];
}

/**
 * An action by name: a registered one, or a kind's shorthand for a model command (the `command` action with its
 * command and clear command preset). Undefined when the name is neither.
 */
export function lookupFaultAction(
  name: string,
  shorthands: Readonly<Record<string, FaultShorthand>>,
): { def: FaultActionDef; preset: Record<string, unknown> } | undefined {
  const def = actions.get(name);
  if (def !== undefined) return { def, preset: {} };
  const shorthand = Object.hasOwn(shorthands, name) ? shorthands[name] : undefined;
  if (shorthand === undefined) return undefined;
  return { def: command, preset: { command: shorthand.command, clear: { command: shorthand.clear } } };
}

/** Every parameter name some action takes (a parameter of another action is "not a parameter of" this one). */
export function parameterNames(): Set<string> {
  return new Set(faultActions().flatMap((d) => Object.keys(d.fields)));
}

/**
 * An action from its parameters as an experiment file writes them: each is parsed by its schema (problems at
 * `at(name)` and inside it), the others refused, then the action is built. Undefined when there was a problem.
 */
export function actionFromFields(
  def: FaultActionDef,
  fields: Readonly<Record<string, unknown>>,
  at: FieldPath,
  issues: RequestIssue[],
  name: string = def.type,
): FaultAction | undefined {
  const before = issues.length;
  const parsed: Record<string, unknown> = {};
  const others = parameterNames();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const schema = Object.hasOwn(def.fields, key) ? def.fields[key] : undefined;
    if (schema === undefined)
      issues.push({
        path: at(key),
        message: others.has(key) ? `not a parameter of ${name}` : `unknown field "${key}"`,
      });
    else parsed[key] = parseField(schema, value, at(key), issues);
  }
  if (issues.length > before) return undefined;
  const action = def.build(parsed, at, issues);
  return issues.length > before ? undefined : action;
}

/**
 * Renames problem paths by a table of field → path under `prefix` (the longest field that starts the rest of a
 * path wins; what follows it is kept): how the wire and the CLI name an action's parameters.
 */
export function renamePath(path: string, prefix: string, table: Readonly<Record<string, string>>): string {
  if (!path.startsWith(`${prefix}.`)) return path;
  const rest = path.slice(prefix.length + 1);
  let best: string | undefined;
  for (const field of Object.keys(table))
    if (
      (rest === field || rest.startsWith(`${field}.`) || rest.startsWith(`${field}[`)) &&
      field.length > (best?.length ?? -1)
    )
      best = field;
  return best === undefined ? path : `${prefix}.${table[best]}${rest.slice(best.length)}`;
}
