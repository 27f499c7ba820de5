/**
 * A host's side of checkpoints (host-agent.ts): the messages that carry its snapshot to the coordinator (or say
 * why it cannot take one: state that is not plain data), and its state read back from a checkpoint.
 */
import type { ModelLookup } from "./actor.ts";
import { checkpointFrames } from "./checkpoint-wire.ts";
import { type HostState, restoreHost, snapshotHost } from "./snapshot.ts";
import type { ResolvedScenario } from "./topology.ts";

/** What a host's snapshot refers to by name (rebuilt, not stored). */
export interface HostRun {
  scenario: ResolvedScenario;
  placement: number[];
  models: ModelLookup;
}

/** The checkpoint frames of `state` at boundary `atNs`: its snapshot in chunks, or one frame with the reason. */
export function checkpointMessages(atNs: number, state: HostState, run: HostRun): Uint8Array[] {
  let snapshot: Uint8Array | Error;
  try {
    snapshot = snapshotHost(state, run.scenario, run.placement, run.models);
  } catch (error) {
    snapshot = error instanceof Error ? error : new Error(String(error));
  }
  return checkpointFrames(atNs, snapshot);
}

/** Host `host`'s state from its checkpoint `bytes` (refused if it is another host's). */
export function restoreHostState(bytes: Uint8Array, run: HostRun, host: number): HostState {
  const state = restoreHost(bytes, run.scenario, run.placement, run.models);
  if (state.shard.hostIndex !== host)
    throw new Error(`the checkpoint is host ${state.shard.hostIndex}'s, not host ${host}'s`);
  return state;
}
