/** `actor-pause`: the actors freeze; their events wait and happen, in order, when the fault clears. */
import { parameterlessAction } from "./parameterless.ts";

export const actorPause = parameterlessAction("actor-pause", "the actors freeze until cleared", "actorPause");
