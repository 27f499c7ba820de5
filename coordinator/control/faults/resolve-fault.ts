/** From a fault request to what it does: its action's checks, then its resolver (registry.ts) on the scenario. */
import type { ResolvedScenario } from "../../../nodes/runtime/topology.ts";
import { faultAction } from "../../../spec/faults/registry.ts";
import type { FaultRequest, RequestIssue } from "../../../spec/requests.ts";
import type { ResolvedFault } from "./context.ts";
import { faultResolver } from "./registry.ts";
import { checkChoice, chooseTargets } from "./selectors.ts";

export type { ResolvedFault } from "./context.ts";

/** The seed of a fault's target choice: its own, or one derived from the run seed and its id. */
export function choiceSeed(request: FaultRequest, runSeed: number): { seed: number; stream: string } {
  return request.choice.seed === null
    ? { seed: runSeed, stream: `dctwin-fault-targets/${request.name}` }
    : { seed: request.choice.seed, stream: "dctwin-fault-targets" };
}

/**
 * The targets a fault request chooses and its effect on them. Problems name the action's parameters as experiment
 * files do (`<path>.latency`); the gRPC front end renames them to the wire's (spec/faults/proto.ts).
 */
export function resolveFault(
  scenario: ResolvedScenario,
  request: FaultRequest,
  runSeed: number,
  path: string,
  issues: RequestIssue[],
): ResolvedFault | undefined {
  const before = issues.length;
  const def = faultAction(request.action.type);
  const resolve = faultResolver(request.action.type);
  if (def === undefined || resolve === undefined) {
    issues.push({ path: `${path}.action`, message: `no fault action "${request.action.type}" is registered` });
    return undefined;
  }
  const at = (field: string) => `${path}.${field}`;
  checkChoice(request.choice, path, issues);
  def.check?.(request.action, at, issues);
  const { seed, stream } = choiceSeed(request, runSeed);
  const choose = (candidates: readonly number[]) => chooseTargets(candidates, request.choice, seed, stream);
  const resolved = resolve({ scenario, request, action: request.action, path, at, issues, choose });
  return issues.length > before ? undefined : resolved;
}
