/**
 * The heat ledger (docs/thermo.md): the physical dissipation. Energy per actor, group, rack, zone and component;
 * IT vs cooling; P/T entropy generation; bits erased and the Landauer bound and efficiency; energy per useful bit
 * delivered. Sums run in actor order so they do not depend on placement.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import {
  BOLTZMANN_J_PER_K,
  entropyGenerationKbPerS,
  entropyGenerationWPerK,
  landauerEnergyJ,
} from "../thermo/index.ts";
import type { EnergyTotals } from "./energy-totals.ts";
import { kindTraits } from "../../nodes/models/registry.ts";
import type { EnergyRole } from "../../nodes/models/traits.ts";

/** Whether an actor kind's power is facility cooling rather than IT load (its energy role: nodes/models/traits.ts). */
export function isCoolingKind(kind: string): boolean {
  return kindTraits(kind).energyRole === "cooling";
}

/** An actor kind's energy role (nodes/models/traits.ts): IT, cooling or distribution. */
export function energyRoleOf(kind: string): EnergyRole {
  return kindTraits(kind).energyRole;
}

/** An actor's zone: its `zone` label, or for a cooling unit the zone it cools. */
export function zoneOf(actor: ResolvedScenario["actors"][number]): string | undefined {
  return actor.labels.zone ?? kindTraits(actor.kind).coolsZone?.(actor.params as Record<string, unknown>);
}

/**
 * Facility energy from integrated energies: IT + cooling + distribution losses — the energy of the distribution
 * kinds' actors (`distributionJ`: UPS, PDU) plus the scenario's `run.distribution_loss` share of IT + cooling for
 * what is not modelled by an actor. PUE = facility / IT, a ratio of energies, never a mean of ratios; null without
 * cooling or losses (nothing but IT is modelled) or without IT energy.
 */
export function facilityEnergy(itJ: number, coolingJ: number, distributionLoss: number, distributionJ = 0) {
  const lossJ = distributionLoss * (itJ + coolingJ) + distributionJ;
  const facilityJ = itJ + coolingJ + lossJ;
  return { lossJ, facilityJ, pue: itJ > 0 && (coolingJ > 0 || lossJ > 0) ? facilityJ / itJ : null };
}

/** `totals`: the run's energy and bit counters, added up interval by interval. */
export function heatLedger(scenario: ResolvedScenario, totals: EnergyTotals, simTimeNs: number) {
  const temperatureK = scenario.run.ambientTemperatureK;
  const simTimeS = simTimeNs / 1e9;
  const energy = totals.energy;
  const byGroup: Record<string, number> = {};
  const byRack: Record<string, number> = {};
  const byZone: Record<string, number> = {};
  const byComponent: Record<string, number> = {};
  const byActor: Record<string, number> = {};
  let itJ = 0;
  let coolingJ = 0;
  let distributionJ = 0;
  let bitsErased = 0;
  let bitsDelivered = 0;
  for (const actor of scenario.actors) {
    const components = energy.get(actor.index);
    let actorJ = 0;
    for (const [component, joules] of [...(components ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
      actorJ += joules;
      byComponent[component] = (byComponent[component] ?? 0) + joules;
    }
    if (components !== undefined) {
      byActor[actor.id] = actorJ;
      byGroup[actor.group] = (byGroup[actor.group] ?? 0) + actorJ;
      if (actor.labels.rack !== undefined) byRack[actor.labels.rack] = (byRack[actor.labels.rack] ?? 0) + actorJ;
      const zone = zoneOf(actor);
      if (zone !== undefined) byZone[zone] = (byZone[zone] ?? 0) + actorJ;
      const role = energyRoleOf(actor.kind);
      if (role === "cooling") coolingJ += actorJ;
      else if (role === "distribution") distributionJ += actorJ;
      else itJ += actorJ;
    }
    bitsErased += totals.bitsErased[actor.index]!;
    bitsDelivered += totals.bitsDelivered[actor.index]!;
  }
  const totalJ = itJ + coolingJ + distributionJ;
  const facility = facilityEnergy(itJ, coolingJ, scenario.run.distributionLoss, distributionJ);
  const meanPowerW = simTimeS > 0 ? totalJ / simTimeS : 0;
  const landauerJ = bitsErased * landauerEnergyJ(temperatureK);
  const kTln2 = landauerEnergyJ(temperatureK);
  return {
    ambient_temperature_k: temperatureK,
    energy_j: totalJ,
    it_energy_j: itJ,
    cooling_energy_j: coolingJ,
    distribution_loss_j: facility.lossJ,
    /** IT + cooling + distribution losses. */
    facility_energy_j: facility.facilityJ,
    pue: facility.pue,
    mean_power_w: meanPowerW,
    entropy_generation_w_per_k: entropyGenerationWPerK(meanPowerW, temperatureK),
    entropy_generation_kb_per_s: entropyGenerationKbPerS(meanPowerW, temperatureK),
    energy_by_component_j: byComponent,
    energy_by_group_j: byGroup,
    energy_by_rack_j: byRack,
    energy_by_zone_j: byZone,
    energy_by_actor_j: byActor,
    bits_erased: bitsErased,
    bits_delivered: bitsDelivered,
    landauer_bound_j: landauerJ,
    landauer_efficiency: totalJ > 0 ? landauerJ / totalJ : null,
    energy_per_delivered_bit_j: bitsDelivered > 0 && totalJ > 0 ? totalJ / bitsDelivered : null,
    energy_per_delivered_bit_kt_ln2: bitsDelivered > 0 && totalJ > 0 ? totalJ / bitsDelivered / kTln2 : null,
    boltzmann_j_per_k: BOLTZMANN_J_PER_K,
  };
}
