/**
 * The control layer's part of a checkpoint (`control.bin` beside the coordinator's and the hosts' snapshots): the
 * experiment's plan (a resumed run has no experiment file to read it from), the controller's state (records,
 * fault effects, link and actor states, load factors, timed follow-ups, published intervals: controller.ts) and
 * the intervals the live check verdicts read (experiment-probe.ts). Taken at the same moment as the coordinator's
 * snapshot, so both describe the run at the checkpoint's boundary. Plain data through the snapshot codec: a
 * function in it is an error that disables checkpoints with its path (test/snapshot-coverage.test.ts).
 */
import type { IntervalSummary } from "../counts/interval-summary.ts";
// Registers the runtime's snapshot classes (an interval summary holds histograms).
import "../../nodes/runtime/snapshot.ts";
import { openPart, sealPart } from "../../nodes/runtime/checkpoint-part.ts";
import { decodeSnapshot, encodeSnapshot, SnapshotError } from "../../nodes/runtime/snapshot-codec.ts";
import type { ControllerState } from "./controller.ts";
import type { ExperimentPlan } from "./plan.ts";

export interface ControlState {
  plan: ExperimentPlan;
  controller: ControllerState;
  /** The summaries of the closed intervals the live check verdicts read. */
  probe: IntervalSummary[];
}

const NO_EXTERNALS = new Map<object, string>();

export function encodeControlState(state: ControlState): Uint8Array {
  return sealPart("control", encodeSnapshot(state, NO_EXTERNALS));
}

export function decodeControlState(bytes: Uint8Array): ControlState {
  const state = decodeSnapshot<ControlState>(openPart("control", bytes), new Map());
  if (
    typeof state !== "object" ||
    state === null ||
    !Array.isArray(state.plan?.steps) ||
    !(state.plan.effects instanceof Map) ||
    typeof state.controller?.book !== "object" ||
    !Array.isArray(state.probe)
  )
    throw new SnapshotError("not the control state of a checkpoint");
  return state;
}
