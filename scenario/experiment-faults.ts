/**
 * An experiment's faults: the entry's own fields (name, selector, mode, times) and its action's parameters, which
 * the action's module declares (spec/faults/); kinds add shorthand actions for their model commands.
 */
import { z } from "zod";
import { durationFields, name, wholeNumber } from "./experiment-fields.ts";
import { actionFromFields, actionNames, lookupFaultAction } from "../spec/faults/registry.ts";
import { selectorFromFields, selectorSchema } from "../spec/faults/fields.ts";
import type { FaultRequest, FaultShorthand, RequestIssue } from "../spec/requests.ts";
import { duration } from "../spec/units.ts";

/** A fault entry's own fields; the rest are its action's parameters (checked against the action's schemas). */
export const faultSchema = z.looseObject({
  name: name.optional(),
  action: z.string({ error: "expected an action" }),
  selector: selectorSchema.prefault({}),
  mode: z
    .enum(["all", "one", "fixed", "fixed-percent"], { error: "expected one of all, one, fixed, fixed-percent" })
    .default("all"),
  value: z.number({ error: "expected a number" }).optional(),
  seed: wholeNumber(0).optional(),
  ...durationFields,
  duration: duration().optional(),
});

const OWN_FIELDS = new Set(Object.keys(faultSchema.shape));

export function faultRequest(
  f: z.output<typeof faultSchema>,
  defaultName: string,
  path: string,
  shorthands: Readonly<Record<string, FaultShorthand>>,
  issues: RequestIssue[],
): FaultRequest | undefined {
  const before = issues.length;
  const found = lookupFaultAction(f.action, shorthands);
  if (found === undefined) {
    issues.push({
      path: `${path}.action`,
      message: `unknown action "${f.action}"; expected one of ${actionNames(shorthands).join(", ")}`,
    });
    return undefined;
  }
  const given = Object.fromEntries(Object.entries(f).filter(([key]) => !OWN_FIELDS.has(key)));
  const action = actionFromFields(
    found.def,
    { ...found.preset, ...given },
    (field) => `${path}.${field}`,
    issues,
    f.action,
  );
  if ((f.mode === "fixed" || f.mode === "fixed-percent") && f.value === undefined)
    issues.push({ path: `${path}.value`, message: `mode ${f.mode} needs a value` });
  if (f.every !== undefined && f.duration !== undefined && f.duration > f.every)
    issues.push({
      path: `${path}.duration`,
      message: "a repeating fault must clear before it repeats (duration <= every)",
    });
  if (issues.length > before || action === undefined) return undefined;
  return {
    name: f.name ?? defaultName,
    selector: selectorFromFields(f.selector),
    choice: { mode: f.mode, value: f.value ?? 0, seed: f.seed ?? null },
    action,
    durationNs: f.duration ?? null,
  };
}
