/**
 * What each fault action does to the twin: one resolver per action (a module each in this folder), joined to the
 * action's vocabulary (spec/faults/) by its name. A resolver matches the request's targets, lets the request's
 * mode choose among them, and says what the fault does to each (link fields, actor state, model commands).
 */
import type { FaultActionDef } from "../../../spec/faults/define.ts";
import { registerFaultAction } from "../../../spec/faults/registry.ts";
import type { FaultAction } from "../../../spec/requests.ts";
import { resolveActorCrash } from "./actor-crash.ts";
import { resolveActorPause } from "./actor-pause.ts";
import { resolveBandwidth } from "./bandwidth.ts";
import { resolveClockDrift } from "./clock-drift.ts";
import { resolveCommand } from "./command.ts";
import { resolveDelay } from "./delay.ts";
import type { FaultResolver } from "./context.ts";
import { resolveLinkDown } from "./link-down.ts";
import { resolveLoss } from "./loss.ts";
import { resolvePartition } from "./partition.ts";

export type { FaultContext, FaultResolver, ResolvedFault } from "./context.ts";

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
