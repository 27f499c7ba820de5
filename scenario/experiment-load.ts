/** An experiment's load changes: set, ramp, spike, k6-style stages, or a new arrival curve for open-loop clients. */
import { z } from "zod";
import { describe, MAX_LOAD_FACTOR, MAX_RATE_PER_S } from "../spec/limits.ts";
import { selectorFromFields, selectorSchema } from "../spec/faults/fields.ts";
import type { LoadChangeKind, LoadRequest, LoadTarget, RequestIssue } from "../spec/requests.ts";
import { duration } from "../spec/units.ts";
import { durationFields, name, positiveNumber } from "./experiment-fields.ts";

const loadTargetFields = {
  rate_per_s: positiveNumber("rate per second")
    .max(MAX_RATE_PER_S, { error: `expected a rate ${describe.rate}` })
    .optional(),
  /** k6's name for the rate a stage ramps to. */
  target: positiveNumber("rate per second")
    .max(MAX_RATE_PER_S, { error: `expected a rate ${describe.rate}` })
    .optional(),
  factor: positiveNumber("factor")
    .max(MAX_LOAD_FACTOR, { error: `expected a factor ${describe.factor}` })
    .optional(),
};

export const loadSchema = z
  .object({
    name: name.optional(),
    selector: selectorSchema.prefault({}),
    ...durationFields,
    step: duration().optional(),
    set: z.object(loadTargetFields).strict().optional(),
    ramp: z
      .object({ ...loadTargetFields, duration: duration() })
      .strict()
      .optional(),
    spike: z
      .object({ ...loadTargetFields, duration: duration() })
      .strict()
      .optional(),
    stages: z
      .array(z.object({ ...loadTargetFields, duration: duration() }).strict(), {
        error: "expected a list of stages {duration, factor | rate_per_s}",
      })
      .optional(),
    /** A new open-loop arrival process ({process: poisson | mmpp | diurnal, ...}), checked when the load is planned. */
    curve: z.unknown().optional(),
  })
  .strict();

function loadTarget(
  t: { rate_per_s?: number; target?: number; factor?: number },
  path: string,
  issues: RequestIssue[],
): LoadTarget {
  const given = [t.rate_per_s, t.target, t.factor].filter((x) => x !== undefined).length;
  if (given !== 1)
    issues.push({
      path,
      message: "give exactly one of factor (× the scenario's rate) or rate_per_s (the clients' total; k6's target)",
    });
  return t.factor !== undefined ? { factor: t.factor } : { ratePerS: t.rate_per_s ?? t.target ?? 0 };
}

export function loadRequest(
  l: z.output<typeof loadSchema>,
  defaultName: string,
  path: string,
  issues: RequestIssue[],
): LoadRequest | undefined {
  const before = issues.length;
  const kinds = (["set", "ramp", "spike", "stages", "curve"] as const).filter((k) => l[k] !== undefined);
  if (kinds.length !== 1) {
    issues.push({ path, message: "give exactly one of set, ramp, spike, stages or curve" });
    return undefined;
  }
  let change: LoadChangeKind;
  if (l.set !== undefined) change = { type: "set", target: loadTarget(l.set, `${path}.set`, issues) };
  else if (l.ramp !== undefined)
    change = { type: "ramp", target: loadTarget(l.ramp, `${path}.ramp`, issues), durationNs: l.ramp.duration };
  else if (l.spike !== undefined)
    change = { type: "spike", target: loadTarget(l.spike, `${path}.spike`, issues), durationNs: l.spike.duration };
  else if (l.curve !== undefined) change = { type: "curve", arrivals: l.curve };
  else
    change = {
      type: "stages",
      stages: l.stages!.map((s, i) => ({
        target: loadTarget(s, `${path}.stages[${i}]`, issues),
        durationNs: s.duration,
      })),
    };
  if (issues.length > before) return undefined;
  return { name: l.name ?? defaultName, selector: selectorFromFields(l.selector), stepNs: l.step ?? null, change };
}
