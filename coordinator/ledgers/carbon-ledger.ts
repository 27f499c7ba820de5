/**
 * summary.json's `carbon`: operational and embodied carbon summed over the run's metrics intervals (the same
 * figures as thermo.csv's columns), the energy-weighted mean intensity, and carbon per answered request.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { RunAggregator } from "../counts/aggregate.ts";
import type { LedgerSnapshot } from "./snapshot.ts";

export function carbonLedger(
  scenario: ResolvedScenario,
  aggregator: RunAggregator,
  ledgers: readonly LedgerSnapshot[],
) {
  const carbon = scenario.run.carbon;
  if (carbon === null || carbon === undefined) return null;
  let operationalG = 0;
  let embodiedG = 0;
  let facilityJ = 0;
  for (const t of ledgers) {
    operationalG += t.operationalCarbonG ?? 0;
    embodiedG += t.embodiedCarbonG ?? 0;
    facilityJ += t.itEnergyJ + t.coolingEnergyJ + t.distributionLossJ;
  }
  const requests = answeredRequests(aggregator);
  const totalG = operationalG + embodiedG;
  return {
    operational_g: operationalG,
    embodied_g: embodiedG,
    total_g: totalG,
    facility_energy_kwh: facilityJ / 3.6e6,
    mean_intensity_g_per_kwh: facilityJ > 0 ? operationalG / (facilityJ / 3.6e6) : null,
    answered_requests: requests,
    per_request_g: requests > 0 ? totalG / requests : null,
    embodied_g_per_s_by_kind: carbon.embodiedGPerSByKind,
  };
}

/** Responses that reached their clients over the whole run (every group's response_time count). */
export function answeredRequests(aggregator: RunAggregator): number {
  let n = 0;
  for (const m of aggregator.metrics.values()) if (m.name === "response_time_ns") n += m.count;
  return n;
}
