/** What a fault does to its targets once they are chosen (twin-state.ts folds the effects of the active faults). */
import type { CommandSpec } from "../../../spec/experiment.ts";

export interface LinkFields {
  up: boolean;
  latencyNs: number;
  jitterNs: number;
  loss: number;
  bandwidthBps: number;
}

export type LinkField = keyof LinkFields;
export type ActorStatus = "running" | "down" | "paused";

/** What one fault does to its targets once its targets are chosen. */
export interface FaultEffect {
  links: Map<number, Partial<LinkFields>>;
  actors: Map<number, "crash" | "pause">;
  /** Model commands sent when the fault is injected and when it clears (no state is folded for them). */
  onInject: CommandSpec[];
  onClear: CommandSpec[];
}

export function emptyEffect(): FaultEffect {
  return { links: new Map(), actors: new Map(), onInject: [], onClear: [] };
}

export { actorCommand } from "../../../spec/actor-command.ts";
