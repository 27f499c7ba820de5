/** actor-pause: the chosen actors freeze (their events wait until the fault clears). */
import type { FaultContext } from "./context.ts";
import { onActors } from "./targets.ts";

export const resolveActorPause = (ctx: FaultContext) => onActors(ctx, (actor, e) => e.actors.set(actor, "pause"));
