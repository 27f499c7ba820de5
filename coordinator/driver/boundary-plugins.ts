/**
 * Boundary plug-ins: coordinator-side relays that turn what the hosts reported for closed metrics intervals into
 * commands at later interval boundaries — the way a cross-actor effect that is not a packet enters the twin (the
 * cooling relay, cooling.ts, is the first; the distribution relay, distribution.ts, the second). The grants (grants.ts) iterate the list: at every interval boundary
 * t_j = j·I (j >= 1) each plug-in, in list order, adds its commands to the stamp at t_j, before scheduled and live
 * commands; the horizon does not pass t_j before the interval the plug-in reads there is complete on every host.
 * A plug-in's commands are derived from the twin's own reports, so they are not recorded: a replay derives them
 * again. Its state travels in coordinator checkpoints (register its class in coordinator-state.ts).
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { RunAggregator } from "../counts/aggregate.ts";
import type { CommandSpec } from "../../spec/experiment.ts";
import { CoolingRelay } from "./cooling.ts";
import { DistributionRelay } from "./distribution.ts";

export interface BoundaryPlugin {
  /**
   * The metrics interval whose reports the commands at boundary j read (null: none, the hosts never wait at j
   * for this plug-in). Interval k is complete once every host reported a window starting at or after t_{k+1}.
   */
  readsInterval(boundary: number): number | null;
  /** The commands for the window that starts at interval boundary `startNs`, from the closed intervals. */
  commandsAt(startNs: number, intervals: RunAggregator): CommandSpec[];
}

/** Makes a scenario's plug-in, or null when the scenario has nothing for it (no extra windows then). */
export type BoundaryPluginFactory = (scenario: ResolvedScenario) => BoundaryPlugin | null;

/** The plug-ins every run gets, in the order their commands are applied at a boundary. */
export const BOUNDARY_PLUGINS: readonly BoundaryPluginFactory[] = [
  CoolingRelay.forScenario,
  DistributionRelay.forScenario,
];

/** The plug-ins a scenario needs. */
export function boundaryPlugins(
  scenario: ResolvedScenario,
  factories: readonly BoundaryPluginFactory[] = BOUNDARY_PLUGINS,
): BoundaryPlugin[] {
  return factories.map((make) => make(scenario)).filter((p): p is BoundaryPlugin => p !== null);
}
