/**
 * A host's side of checkpoints (host-agent.ts): the messages that carry its snapshot to the coordinator (or say
 * why it cannot take one: state that is not plain data), and its state read back from a checkpoint, whose
 * snapshot the coordinator sends it over the transport (restore-wire.ts).
 */
import type { ModelLookup } from "./actor.ts";
import { checkpointFrames } from "./checkpoint-wire.ts";
import { RestoreAssembler } from "./restore-wire.ts";
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

/**
 * The snapshot a host waits for when its run goes on from a checkpoint: frames on its `restore.<n>` subject may
 * come before or after the RunStart that names the boundary; the snapshot is handed over once both are in.
 */
export class SnapshotInbox {
  private readonly assembler = new RestoreAssembler();
  private arrived: { atNs: number; snapshot: Uint8Array } | undefined;
  private awaitedNs: number | undefined;
  private readonly onRefused: (reason: string, whole: boolean) => void;

  constructor(onRefused: (reason: string, whole: boolean) => void) {
    this.onRefused = onRefused;
  }

  /** One frame; the snapshot if it completes the one awaited. */
  add(bytes: Uint8Array): Uint8Array | undefined {
    const progress = this.assembler.add(bytes);
    if (progress.kind === "refused") this.onRefused(progress.reason, progress.whole);
    if (progress.kind !== "complete") return undefined;
    this.arrived = { atNs: progress.atNs, snapshot: progress.snapshot };
    return this.take();
  }

  /** The run goes on from boundary `atNs`: its snapshot if it is already in. */
  expect(atNs: number): Uint8Array | undefined {
    this.awaitedNs = atNs;
    return this.take();
  }

  private take(): Uint8Array | undefined {
    const arrived = this.arrived;
    if (arrived === undefined || this.awaitedNs === undefined || arrived.atNs !== this.awaitedNs) return undefined;
    this.arrived = undefined;
    this.awaitedNs = undefined;
    return arrived.snapshot;
  }
}
