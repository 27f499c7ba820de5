/** clock-drift: each chosen actor's clock is set to drift, and set right when the fault clears. */
import { CLOCK_DRIFT_COMMAND, driftProblem } from "../../../nodes/runtime/clock-drift.ts";
import type { ClockDriftAction } from "../../../spec/faults/clock-drift.ts";
import { actorCommand } from "./effect.ts";
import type { FaultContext } from "./context.ts";
import { onActors } from "./targets.ts";

export function resolveClockDrift(ctx: FaultContext<ClockDriftAction>) {
  const problem = driftProblem(ctx.action.ppm);
  if (problem !== null) {
    ctx.issues.push({ path: ctx.at("drift_ppm"), message: problem });
    return undefined;
  }
  return onActors(ctx, (actor, effect) => {
    effect.onInject.push(actorCommand(actor, CLOCK_DRIFT_COMMAND, { ppm: ctx.action.ppm }));
    effect.onClear.push(actorCommand(actor, CLOCK_DRIFT_COMMAND, { ppm: 0 }));
  });
}
