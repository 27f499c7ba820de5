/** actor-crash: the chosen actors go down (twin-state.ts folds a crash over a pause). */
import type { FaultContext } from "./context.ts";
import { onActors } from "./targets.ts";

export const resolveActorCrash = (ctx: FaultContext) => onActors(ctx, (actor, e) => e.actors.set(actor, "crash"));
