/** What a fault action's resolver (one module per action in this folder) is given and gives back. */
import type { ResolvedScenario } from "../../../nodes/runtime/topology.ts";
import type { FieldPath } from "../../../spec/faults/define.ts";
import type { FaultAction, FaultRequest, RequestIssue } from "../../../spec/requests.ts";
import type { FaultEffect } from "./effect.ts";

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
