/**
 * Both ledgers interval by interval (thermo.csv, and the live view): energy and power, heat entropy P/T, the
 * packet-level σ̂ of that interval alone (plug-in over the pairs seen both ways: noisy and biased upward by O(1/T); the run-level
 * figure in summary.json pools all intervals), bits erased and the Landauer power they cost at least; IT, cooling
 * and distribution-loss energy and the PUE of the interval (ratio of its energies); operational and embodied
 * carbon (ledgers/carbon.ts) when the scenario gives `run.carbon`.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { entropyGenerationKbPerS, estimateSigma, landauerEnergyJ } from "../thermo/index.ts";
import type { IntervalRecord, RunAggregator } from "../counts/aggregate.ts";
import { intervalCounts } from "./irreversibility.ts";
import { energyRoleOf, facilityEnergy } from "./heat.ts";
import { intervalCarbon } from "./carbon.ts";

export interface IntervalThermo {
  index: number;
  durationS: number;
  energyJ: number;
  powerW: number;
  heatEntropyKbPerS: number;
  sigmaKbPerS: number;
  bitsErased: number;
  landauerPowerW: number;
  itEnergyJ: number;
  coolingEnergyJ: number;
  distributionLossJ: number;
  /** (IT + cooling + losses) / IT over this interval's energies; null as in the heat ledger. */
  pue: number | null;
  /** gCO2e from the facility energy at the grid's intensity, and embodied carbon; null without `run.carbon`. */
  operationalCarbonG: number | null;
  embodiedCarbonG: number | null;
}

export function intervalThermo(scenario: ResolvedScenario, record: IntervalRecord, durationS: number): IntervalThermo {
  let energyJ = 0;
  let coolingJ = 0;
  let distributionJ = 0;
  let bitsErased = 0;
  for (const actor of scenario.actors) {
    for (const joules of record.energy.get(actor.index)?.values() ?? []) {
      energyJ += joules;
      const role = energyRoleOf(actor.kind);
      if (role === "cooling") coolingJ += joules;
      else if (role === "distribution") distributionJ += joules;
    }
    bitsErased += record.counters.get(actor.index)?.get("bits_erased") ?? 0;
  }
  const powerW = durationS > 0 ? energyJ / durationS : 0;
  const counts = intervalCounts(scenario, record);
  const sigma =
    counts.length > 0 && durationS > 0
      ? estimateSigma(counts, durationS, { unseenReverse: "irreversible" }).sigmaKbPerS
      : 0;
  const T = scenario.run.ambientTemperatureK;
  const itJ = energyJ - coolingJ - distributionJ;
  const facility = facilityEnergy(itJ, coolingJ, scenario.run.distributionLoss, distributionJ);
  const startNs = record.index * scenario.run.metricsIntervalNs;
  const carbon = intervalCarbon(
    scenario.run.carbon,
    scenario.actors,
    startNs,
    startNs + Math.round(durationS * 1e9),
    facility.facilityJ,
  );
  return {
    index: record.index,
    durationS,
    energyJ,
    powerW,
    heatEntropyKbPerS: entropyGenerationKbPerS(powerW, T),
    sigmaKbPerS: sigma,
    bitsErased,
    landauerPowerW: durationS > 0 ? (bitsErased * landauerEnergyJ(T)) / durationS : 0,
    itEnergyJ: itJ,
    coolingEnergyJ: coolingJ,
    distributionLossJ: facility.lossJ,
    pue: facility.pue,
    operationalCarbonG: carbon?.operationalG ?? null,
    embodiedCarbonG: carbon?.embodiedG ?? null,
  };
}

export function thermoCsv(scenario: ResolvedScenario, aggregator: RunAggregator, endNs: number): string {
  const rows = [
    "t_start_s,t_end_s,energy_j,power_w,heat_entropy_kb_per_s,packet_sigma_kb_per_s,bits_erased,landauer_power_w,it_energy_j,cooling_energy_j,distribution_loss_j,pue,operational_carbon_g,embodied_carbon_g",
  ];
  for (const record of aggregator.intervalList(endNs)) {
    const startNs = record.index * aggregator.intervalNs;
    const stopNs = Math.min(startNs + aggregator.intervalNs, endNs);
    const t = intervalThermo(scenario, record, (stopNs - startNs) / 1e9);
    rows.push(
      `${startNs / 1e9},${stopNs / 1e9},${t.energyJ},${t.powerW},${t.heatEntropyKbPerS},${t.sigmaKbPerS},${t.bitsErased},${t.landauerPowerW},${t.itEnergyJ},${t.coolingEnergyJ},${t.distributionLossJ},${t.pue ?? ""},${t.operationalCarbonG ?? ""},${t.embodiedCarbonG ?? ""}`,
    );
  }
  return `${rows.join("\n")}\n`;
}
