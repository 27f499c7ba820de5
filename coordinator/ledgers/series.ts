/**
 * thermo.csv: both ledgers interval by interval, one row per ledger snapshot (snapshot.ts): energy and power, heat
 * entropy P/T, the packet-level σ̂ of that interval alone, bits erased and the Landauer power they cost at least; IT,
 * cooling and distribution-loss energy and the PUE of the interval (ratio of its energies); operational and embodied
 * carbon (ledgers/carbon.ts) when the scenario gives `run.carbon`.
 */
import type { LedgerSnapshot } from "./snapshot.ts";

export const THERMO_CSV_HEADER =
  "t_start_s,t_end_s,energy_j,power_w,heat_entropy_kb_per_s,packet_sigma_kb_per_s,bits_erased,landauer_power_w,it_energy_j,cooling_energy_j,distribution_loss_j,pue,operational_carbon_g,embodied_carbon_g";

/** thermo.csv's row of one snapshot (ending in a newline). */
export function thermoRow(t: LedgerSnapshot): string {
  return `${t.startNs / 1e9},${t.endNs / 1e9},${t.energyJ},${t.powerW},${t.heatEntropyKbPerS},${t.sigmaKbPerS},${t.bitsErased},${t.landauerPowerW},${t.itEnergyJ},${t.coolingEnergyJ},${t.distributionLossJ},${t.pue ?? ""},${t.operationalCarbonG ?? ""},${t.embodiedCarbonG ?? ""}\n`;
}

export function thermoCsv(series: readonly LedgerSnapshot[]): string {
  return `${THERMO_CSV_HEADER}\n${series.map(thermoRow).join("")}`;
}
