/**
 * A fault action on the wire: the FaultSpec `action` oneof. A built-in action has a case of its own (its module's
 * `proto` mapping); an action registered without one travels as `plugin` (its name and its parameters as JSON, as
 * an experiment file writes them). Problems name the wire fields (`fault.link_delay.latency_ns`); problems found
 * later, when the action is resolved, are renamed to them by `wirePath`.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultAction, RequestIssue } from "../requests.ts";
import type { FaultActionDef } from "./define.ts";
import { actionFromFields, faultAction, faultActions, renamePath } from "./registry.ts";
import { jsonField } from "./wire.ts";

type FaultSpecMessage = dctwin.v1.FaultSpec.$Properties;

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The cases of the oneof: each built-in action's, and `plugin`. */
function cases(): string[] {
  return [...faultActions().flatMap((d) => (d.proto === undefined ? [] : [d.proto.case])), "plugin"];
}

/** The action a FaultSpec carries; problems under `path` (`fault`). Undefined when there is a problem. */
export function faultActionFromProto(
  spec: FaultSpecMessage,
  path: string,
  issues: RequestIssue[],
): FaultAction | undefined {
  const all = cases();
  const set = all.filter((k) => (spec as Record<string, unknown>)[k] != null);
  if (set.length > 1) {
    issues.push({
      path: `${path}.action`,
      message: `set only one of ${all.map(snake).join(", ")} (got ${set.map(snake).join(", ")})`,
    });
    return undefined;
  }
  const only = set[0];
  if (only === undefined) {
    issues.push({ path: `${path}.action`, message: `required: set one of ${all.map(snake).join(", ")}` });
    return undefined;
  }
  if (only === "plugin") return pluginFromProto(spec.plugin!, `${path}.plugin`, issues);
  const def = faultActions().find((d) => d.proto?.case === only)!;
  const before = issues.length;
  const action = def.proto!.from((spec as Record<string, unknown>)[only], `${path}.${snake(only)}`, issues);
  return issues.length > before ? undefined : action;
}

function pluginFromProto(
  plugin: dctwin.v1.PluginFault.$Properties,
  path: string,
  issues: RequestIssue[],
): FaultAction | undefined {
  const def = faultAction(plugin.action ?? "");
  if (def === undefined) {
    issues.push({ path: `${path}.action`, message: `unknown action "${plugin.action ?? ""}"` });
    return undefined;
  }
  const before = issues.length;
  const fields = jsonField(plugin.paramsJson, `${path}.params_json`, issues);
  if (issues.length > before) return undefined;
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    issues.push({ path: `${path}.params_json`, message: "expected a JSON object" });
    return undefined;
  }
  return actionFromFields(def, fields as Record<string, unknown>, (f) => `${path}.params_json.${f}`, issues);
}

/** The action as its FaultSpec case (merged into a FaultSpec). */
export function faultActionToProto(action: FaultAction): Partial<FaultSpecMessage> {
  const def: FaultActionDef | undefined = faultAction(action.type);
  if (def === undefined) return {};
  if (def.proto !== undefined) return { [def.proto.case]: def.proto.to(action) };
  const { type: _type, ...own } = action as FaultAction & Record<string, unknown>;
  return { plugin: { action: action.type, paramsJson: JSON.stringify(def.toFields?.(action) ?? own) } };
}

/** A resolver's problem path (`fault.latency`, an experiment file's key) as the wire names it. */
export function wirePath(path: string, action: FaultAction, prefix: string): string {
  const def = faultAction(action.type);
  if (def === undefined) return path;
  if (def.proto !== undefined) return renamePath(path, prefix, def.proto.paths);
  const table = Object.fromEntries(Object.keys(def.fields).map((f) => [f, `plugin.params_json.${f}`]));
  return renamePath(path, prefix, table);
}
