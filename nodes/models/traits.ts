/**
 * What the coordinator may ask of an actor kind, declared by the kind in its registry entry (registry.ts), so the
 * coordinator never names a kind: its energy role (for PUE), whether it is a cooling unit fed by the cooling relay,
 * its fault shorthands, the traffic it sends (placement) and how its load scales (load changes).
 */

/**
 * Whose energy an actor's power is (docs/thermo.md, PUE): IT load, facility cooling, or power distribution (a UPS
 * or PDU: its power is the loss of delivering power to the IT load, counted with the distribution losses).
 */
export type EnergyRole = "it" | "cooling" | "distribution";

import type { FaultShorthand } from "../../spec/requests.ts";

export interface KindTraits {
  /** Default "it". */
  energyRole: EnergyRole;
  /**
   * A cooling unit: the zone it cools (its energy counts there). The cooling relay (coordinator/driver/cooling.ts)
   * sends it `set_heat {watts}` each interval boundary and reads its `inlet_mk` / `inlet_samples` counters.
   */
  coolsZone?: (params: Record<string, unknown>) => string | undefined;
  /**
   * A distribution unit (energy role "distribution"): the IT load it feeds, the IT actors of a zone (their `zone`
   * label) or every IT actor (null). The distribution relay (coordinator/driver/distribution.ts) sends it
   * `set_load {watts}` each interval boundary.
   */
  feedsLoad?: (params: Record<string, unknown>) => { zone: string | null };
  /**
   * Reports the per-server levels (utilisation_ppm, waiting, held, state:<name>: nodes/models/server-levels.ts)
   * behind the per-server tables, gauges and the report's server-state plot.
   */
  serverSeries?: boolean;
  /** Takes `set_inlet {celsius}` from the cooling relay (it throttles above an inlet limit). */
  sensesInlet?: (params: Record<string, unknown>) => boolean;
  /** Fault actions that stand for one of the kind's commands (e.g. cooling-failure → cooling_fail). */
  faultShorthands?: Readonly<Record<string, FaultShorthand>>;
  /** Requests the actor originates: the actor it sends them to and their mean rate (null: the parameters do not say). */
  trafficSource?: (params: Record<string, unknown>) => { target: string; ratePerS: number | null } | undefined;
  /** Where the actor sends requests on, per request it gets: actor ids with the share of requests each gets. */
  onwardTraffic?: (params: Record<string, unknown>) => { id: string; share: number }[];
  /**
   * Load changes: the kind takes `scale_load {factor}` (and `set_arrivals`); `meanRatePerS` is the scenario's mean
   * arrival rate when an open-loop curve can be scaled, null when not; `closedLoop`: a closed loop, scaled by its users.
   */
  load?: {
    meanRatePerS: (params: Record<string, unknown>) => number | null;
    closedLoop: (params: Record<string, unknown>) => boolean;
  };
  /** A training worker's model size and examples per step (the training ledger's per-parameter energies). */
  training?: (params: Record<string, unknown>) => { parameters: number; examplesPerStep: number } | undefined;
}

/** Downstream calls (`calls: [{target, count}]`) as onward traffic: each request makes `count` calls to its target. */
export function callTraffic(params: Record<string, unknown>): { id: string; share: number }[] {
  const calls = Array.isArray(params.calls) ? (params.calls as { target?: unknown; count?: unknown }[]) : [];
  return calls.map((c) => ({ id: String(c.target), share: typeof c.count === "number" ? c.count : 1 }));
}
