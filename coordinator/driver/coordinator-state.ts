/**
 * The coordinator's part of a checkpoint: the run's ledgers so far (interval records, metric accumulators, link
 * and drop totals), the grants (horizon, commands applied and still scheduled, cooling relay), its copy of the
 * window planner, the counters it reports, and the results' state (the files and totals made of the intervals that
 * closed; the aggregator keeps only the latest records). Taken at the same boundary as the hosts' snapshots.
 */
import { openPart, sealPart } from "../../nodes/runtime/checkpoint-part.ts";
import { namesOf, runExternals } from "../../nodes/runtime/snapshot.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  registerSnapshotClasses,
  SnapshotError,
} from "../../nodes/runtime/snapshot-codec.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { WindowPlanner } from "../../nodes/runtime/window-plan.ts";
import type { ConservationTotals } from "../counts/conservation.ts";
import { CoolingRelay } from "./cooling.ts";
import { DistributionRelay } from "./distribution.ts";
import { Grants } from "./grants.ts";
import { RunAggregator } from "../counts/aggregate.ts";
import { ActorValues, CompactNested } from "../counts/compact-nested.ts";

registerSnapshotClasses({ RunAggregator, Grants, CoolingRelay, DistributionRelay, CompactNested, ActorValues });

export interface CoordinatorState {
  aggregator: RunAggregator;
  grants: Grants;
  planner: WindowPlanner;
  totals: ConservationTotals;
  /** The last window run before the checkpoint (every host's snapshot is of the state after it). */
  window: number;
  windowsRun: number;
  reportedStartNs: number;
  malformed: number;
  /** The results' state at the checkpoint (results/interval-stream.ts: the driver carries it as it is). */
  results?: unknown;
}

export function snapshotCoordinator(
  state: CoordinatorState,
  scenario: ResolvedScenario,
  placement: readonly number[],
): Uint8Array {
  const hook = state.aggregator.onIntervalClosed; // a callback of this process, attached again on restore
  state.aggregator.onIntervalClosed = undefined;
  try {
    return sealPart("coordinator", encodeSnapshot(state, namesOf(runExternals(scenario, placement))));
  } finally {
    state.aggregator.onIntervalClosed = hook;
  }
}

export function restoreCoordinator(
  bytes: Uint8Array,
  scenario: ResolvedScenario,
  placement: readonly number[],
): CoordinatorState {
  const state = decodeSnapshot<CoordinatorState>(openPart("coordinator", bytes), runExternals(scenario, placement));
  if (
    !(state.aggregator instanceof RunAggregator) ||
    !(state.grants instanceof Grants) ||
    !(state.planner instanceof WindowPlanner)
  )
    throw new SnapshotError("not a coordinator checkpoint");
  return state;
}
