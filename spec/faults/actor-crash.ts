/** `actor-crash`: the actors stop (what they hold is dropped, their timers lost); clearing recovers them. */
import { parameterlessAction } from "./parameterless.ts";

export const actorCrash = parameterlessAction("actor-crash", "the actors stop; clearing recovers them", "actorCrash");
