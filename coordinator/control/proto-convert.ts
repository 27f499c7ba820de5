/**
 * Between the control API's protobuf messages and the control layer's requests and records. Requests are checked
 * here for what the wire cannot express (a oneof left unset, JSON arguments, negative durations); problems name
 * the proto field path (`fault.link_delay.latency_ns`), including those the resolver finds later.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { FaultRecord, LoadRecord, RunController, RunState } from "./controller.ts";
import { faultActionFromProto, faultActionToProto, wirePath } from "../../spec/faults/proto.ts";
import { jsonField as json, nonNegativeNs, selectorFromProto, selectorToProto } from "../../spec/faults/wire.ts";
import {
  emptySelector,
  RequestError,
  type FaultAction,
  type FaultRequest,
  type LoadChangeKind,
  type LoadRequest,
  type LoadTarget,
  type RequestIssue,
  type SelectMode,
} from "../../spec/requests.ts";

const MODES: Record<number, SelectMode> = { 0: "all", 1: "all", 2: "one", 3: "fixed", 4: "fixed-percent" };
const MODE_NUMBERS: Record<SelectMode, number> = { all: 1, one: 2, fixed: 3, "fixed-percent": 4 };

/** Load problems found by the resolver use the experiment file's keys; on the wire the same fields have proto names. */
const LOAD_PATHS: [RegExp, string][] = [
  [/\.step$/, ".step_ns"],
  [/\.stages\[(\d+)\]\.duration$/, ".stages.stages[$1].duration_ns"],
  [/\.stages\[(\d+)\]\.(factor|rate_per_s)$/, ".stages.stages[$1].target.$2"],
  [/\.stages$/, ".stages.stages"],
  [/\.(ramp|spike)\.duration$/, ".$1.duration_ns"],
  [/\.(ramp|spike)\.(factor|rate_per_s)$/, ".$1.target.$2"],
  [/\.curve(?!\.arrivals_json)(?=\.|\[|$)/, ".curve.arrivals_json"],
];

/** A refusal of a load change, its problems named as on the wire. */
export function loadProtoPaths(error: unknown): unknown {
  if (!(error instanceof RequestError)) return error;
  return new RequestError(
    error.issues.map((i) => ({ ...i, path: LOAD_PATHS.reduce((p, [re, to]) => p.replace(re, to), i.path) })),
  );
}

/** A refusal of a fault, its problems named as on the wire (the action's module says where its parameters are). */
export function faultProtoPaths(error: unknown, action: FaultAction, prefix = "fault"): unknown {
  if (!(error instanceof RequestError)) return error;
  return new RequestError(error.issues.map((i) => ({ ...i, path: wirePath(i.path, action, prefix) })));
}

const LOAD_CHANGES = ["set", "ramp", "spike", "stages", "curve"] as const;

/** The case of a oneof: the one field set (decoded messages and plain objects alike). */
function oneofCase<K extends string>(
  message: object,
  cases: readonly K[],
  path: string,
  issues: RequestIssue[],
): K | undefined {
  const set = cases.filter((k) => (message as Record<string, unknown>)[k] != null);
  if (set.length > 1)
    issues.push({ path, message: `set only one of ${cases.map(snake).join(", ")} (got ${set.map(snake).join(", ")})` });
  return set.length === 1 ? set[0] : undefined;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function faultFromProto(spec: dctwin.v1.FaultSpec.$Properties | null | undefined, path = "fault"): FaultRequest {
  if (spec == null) throw new RequestError([{ path, message: "required" }]);
  const issues: RequestIssue[] = [];
  const mode = MODES[spec.mode ?? 0];
  if (mode === undefined) issues.push({ path: `${path}.mode`, message: `unknown mode ${spec.mode}` });
  const durationNs = nonNegativeNs(spec.durationNs, `${path}.duration_ns`, issues);
  const action = faultActionFromProto(spec, path, issues);
  if (issues.length > 0 || action === undefined || mode === undefined) throw new RequestError(issues);
  return {
    name: spec.name ?? "",
    selector: selectorFromProto(spec.selector),
    choice: { mode, value: spec.value ?? 0, seed: Number(spec.seed ?? 0) !== 0 ? Number(spec.seed) : null }, // 64-bit defaults may be Long objects: compare as numbers
    action,
    durationNs: durationNs === 0 ? null : durationNs,
  };
}

function targetFromProto(
  t: dctwin.v1.LoadTarget.$Properties | null | undefined,
  path: string,
  issues: RequestIssue[],
): LoadTarget {
  const rate = t?.ratePerS ?? 0;
  const factor = t?.factor ?? 0;
  if ((rate !== 0) === (factor !== 0)) {
    issues.push({
      path,
      message: "set exactly one of rate_per_s (the clients' total) or factor (× their scenario rate)",
    });
    return { factor: 1 };
  }
  return factor !== 0 ? { factor } : { ratePerS: rate };
}

export function loadFromProto(
  spec: dctwin.v1.LoadChangeSpec.$Properties | null | undefined,
  path = "change",
): LoadRequest {
  if (spec == null) throw new RequestError([{ path, message: "required" }]);
  const issues: RequestIssue[] = [];
  const stepNs = nonNegativeNs(spec.stepNs, `${path}.step_ns`, issues);
  let change: LoadChangeKind | undefined;
  switch (oneofCase(spec, LOAD_CHANGES, `${path}.change`, issues)) {
    case "set":
      change = { type: "set", target: targetFromProto(spec.set, `${path}.set`, issues) };
      break;
    case "ramp":
      change = {
        type: "ramp",
        target: targetFromProto(spec.ramp?.target, `${path}.ramp.target`, issues),
        durationNs: nonNegativeNs(spec.ramp?.durationNs, `${path}.ramp.duration_ns`, issues),
      };
      break;
    case "spike":
      change = {
        type: "spike",
        target: targetFromProto(spec.spike?.target, `${path}.spike.target`, issues),
        durationNs: nonNegativeNs(spec.spike?.durationNs, `${path}.spike.duration_ns`, issues),
      };
      break;
    case "stages":
      change = {
        type: "stages",
        stages: (spec.stages?.stages ?? []).map((s, i) => ({
          target: targetFromProto(s.target, `${path}.stages.stages[${i}].target`, issues),
          durationNs: nonNegativeNs(s.durationNs, `${path}.stages.stages[${i}].duration_ns`, issues),
        })),
      };
      break;
    case "curve": {
      const text = spec.curve?.arrivalsJson ?? "";
      if (text === "")
        issues.push({
          path: `${path}.curve.arrivals_json`,
          message: 'required: a JSON arrival process, e.g. {"process": "poisson", "rate_per_s": 500}',
        });
      // Checked against the client's schema by the resolver (paths become change.curve.arrivals_json.<field>).
      change = { type: "curve", arrivals: text === "" ? {} : json(text, `${path}.curve.arrivals_json`, issues) };
      break;
    }
    default:
      if (issues.length === 0)
        issues.push({ path: `${path}.change`, message: "required: set one of set, ramp, spike, stages, curve" });
  }
  if (issues.length > 0 || change === undefined) throw new RequestError(issues);
  return {
    name: spec.name ?? "",
    selector: selectorFromProto(spec.selector),
    stepNs: stepNs === 0 ? null : stepNs,
    change,
  };
}

// ---- records to messages ----------------------------------------------------------------------------------

function targetToProto(t: LoadTarget): dctwin.v1.LoadTarget.$Properties {
  return "factor" in t ? { factor: t.factor } : { ratePerS: t.ratePerS };
}

/** The request back in proto form (records keep the internal form; replayed ones may be anything). */
export function faultSpecToProto(spec: unknown): dctwin.v1.FaultSpec.$Properties | undefined {
  const r = spec as FaultRequest;
  if (typeof r !== "object" || r === null || typeof r.action !== "object" || r.action === null) return undefined;
  const out: dctwin.v1.FaultSpec.$Properties = {
    name: r.name,
    selector: selectorToProto(r.selector ?? emptySelector()),
    mode: MODE_NUMBERS[r.choice?.mode ?? "all"],
    value: r.choice?.value ?? 0,
    seed: r.choice?.seed ?? 0,
    durationNs: r.durationNs ?? 0,
  };
  return { ...out, ...faultActionToProto(r.action) };
}

function loadSpecToProto(spec: unknown): dctwin.v1.LoadChangeSpec.$Properties | undefined {
  const r = spec as LoadRequest;
  if (typeof r !== "object" || r === null || typeof r.change !== "object" || r.change === null) return undefined;
  const out: dctwin.v1.LoadChangeSpec.$Properties = {
    name: r.name,
    selector: selectorToProto(r.selector ?? emptySelector()),
    stepNs: r.stepNs ?? 0,
  };
  const c = r.change;
  switch (c.type) {
    case "set":
      return { ...out, set: targetToProto(c.target) };
    case "ramp":
      return { ...out, ramp: { target: targetToProto(c.target), durationNs: c.durationNs } };
    case "spike":
      return { ...out, spike: { target: targetToProto(c.target), durationNs: c.durationNs } };
    case "stages":
      return {
        ...out,
        stages: { stages: c.stages.map((s) => ({ target: targetToProto(s.target), durationNs: s.durationNs })) },
      };
    case "curve":
      return { ...out, curve: { arrivalsJson: JSON.stringify(c.arrivals) } };
    default:
      return out;
  }
}

const FAULT_STATES = { pending: 1, active: 2, cleared: 3 } as const;

export function faultToProto(f: FaultRecord): dctwin.v1.Fault.$Properties {
  return {
    id: f.id,
    spec: faultSpecToProto(f.spec) ?? null,
    state: FAULT_STATES[f.state],
    action: f.action,
    source: f.source,
    targets: f.targets,
    injectedNs: f.injectedNs ?? -1,
    clearedNs: f.clearedNs ?? -1,
    clearDueNs: f.clearDueNs ?? -1,
    plannedNs: f.plannedNs ?? -1,
  };
}

export function loadToProto(l: LoadRecord): dctwin.v1.LoadChange.$Properties {
  return {
    id: l.id,
    spec: loadSpecToProto(l.spec) ?? null,
    source: l.source,
    targets: l.targets,
    startedNs: l.startedNs ?? -1,
    endsNs: l.endsNs ?? -1,
    steps: l.steps,
    stepsApplied: l.stepsApplied,
  };
}

const RUN_STATES: Record<RunState, number> = {
  waiting: 1,
  starting: 2,
  running: 3,
  paused: 4,
  completed: 5,
  interrupted: 6,
  failed: 7,
};

export const RUN_STATE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(RUN_STATES).map(([k, v]) => [v, k]),
);

export function statusToProto(s: ReturnType<RunController["status"]>): dctwin.v1.RunStatus.$Properties {
  return {
    runId: s.runId,
    scenario: s.scenario,
    state: RUN_STATES[s.state],
    simTimeNs: s.simTimeNs,
    durationNs: s.durationNs,
    windows: s.windows,
    hosts: s.hosts,
    speed: s.speed,
    activeFaults: s.activeFaults,
    pendingFaults: s.pendingFaults,
    faultedActors: s.faultedActors,
    faultedLinks: s.faultedLinks,
    appliedCommands: s.appliedCommands,
    load: s.load.map((l) => ({ actor: l.actor, factor: l.factor, ratePerS: l.ratePerS })),
    error: s.error,
  };
}
