/**
 * What each fault action does to the twin: one resolver per action (a module each in this folder), joined to the
 * action's vocabulary (spec/faults/) by its name. A resolver matches the request's targets, lets the request's
 * mode choose among them, and says what the fault does to each (link fields, actor state, model commands).
 */
import type { ResolvedScenario } from "../../../nodes/runtime/topology.ts";
import type { FaultActionDef, FieldPath } from "../../../spec/faults/define.ts";
import { registerFaultAction } from "../../../spec/faults/registry.ts";
import type { FaultAction, FaultRequest, RequestIssue } from "../../../spec/requests.ts";
import { resolveActorCrash } from "./actor-crash.ts";
import { resolveActorPause } from "./actor-pause.ts";
import { resolveBandwidth } from "./bandwidth.ts";
import { resolveClockDrift } from "./clock-drift.ts";
import { resolveCommand } from "./command.ts";
import { resolveDelay } from "./delay.ts";
import type { FaultEffect } from "./effect.ts";
import { resolveLinkDown } from "./link-down.ts";
import { resolveLoss } from "./loss.ts";
import { resolvePartition } from "./partition.ts";

export interface FaultContext<A extends FaultAction = FaultAction> {
  scenario: ResolvedScenario;
  request: FaultRequest;
  action: A;
  /** The request's path (`experiment.faults[2]`, `fault`); `at` names one of the action's parameters under it. */
  path: string;
  at: FieldPath;
  issues: RequestIssue[];
  /** Takes targets from the candidates (ascending indices) by the request's mode, from its seeded stream. */
  choose(candidates: readonly number[]): number[];
}

export interface ResolvedFault {
  /** Actor or link ids, ascending by index. */
  targets: string[];
  kind: "actors" | "links";
  effect: FaultEffect;
}

/** Undefined when there is a problem (pushed to `ctx.issues`). */
export type FaultResolver<A extends FaultAction = FaultAction> = (ctx: FaultContext<A>) => ResolvedFault | undefined;

const resolvers = new Map<string, FaultResolver>([
  ["actor-crash", resolveActorCrash],
  ["actor-pause", resolveActorPause],
  ["link-down", resolveLinkDown],
  ["delay", resolveDelay as FaultResolver],
  ["loss", resolveLoss as FaultResolver],
  ["bandwidth", resolveBandwidth as FaultResolver],
  ["partition", resolvePartition as FaultResolver],
  ["clock-drift", resolveClockDrift as FaultResolver],
  ["command", resolveCommand as FaultResolver],
]);

export function faultResolver(type: string): FaultResolver | undefined {
  return resolvers.get(type);
}

/** Adds the resolution of an action registered in spec/faults/registry.ts. */
export function registerFaultResolver<A extends FaultAction>(type: A["type"], resolver: FaultResolver<A>): void {
  if (resolvers.has(type)) throw new Error(`fault action "${type}" already has a resolver`);
  resolvers.set(type, resolver as FaultResolver);
}

/** A plug-in's one place: its vocabulary (YAML, CLI, wire) and its resolution, registered together. */
export function registerFault<A extends FaultAction>(def: FaultActionDef, resolver: FaultResolver<A>): void {
  registerFaultAction(def);
  registerFaultResolver(def.type as A["type"], resolver);
}
