/**
 * The ledger snapshot of one closed metrics interval: both ledgers' figures for that interval (energy and power,
 * IT / cooling / distribution-loss energy and the PUE, heat entropy P/T, the packet-level σ̂ of that interval alone
 * and the transition counts it comes from, bits erased and their Landauer power, operational and embodied carbon).
 * This module is the only place that computes them: thermo.csv, summary.json, the checks, the WatchMetrics stream,
 * the Prometheus gauges and the analyst tables all read the same frozen snapshot (docs/ARCHITECTURE.md).
 *
 * The interval σ̂ is a plug-in over the pairs seen both ways: noisy and biased upward by O(1/T); the run-level figure
 * in summary.json pools all intervals.
 */
import type { CarbonSettings, ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { SPECIES_SLOTS, type IntervalRecord } from "../counts/aggregate.ts";
import {
  entropyGenerationKbPerS,
  entropyGenerationWPerK,
  fluxForceProduct,
  landauerEnergyJ,
  type TransitionCount,
} from "../thermo/index.ts";
import { intervalCarbon } from "./carbon.ts";
import { energyRoleOf, facilityEnergy } from "./heat.ts";
import { intervalCounts, sortedKeys, type CountTopology } from "./mechanisms.ts";

/** What a snapshot needs to know about the run: a resolved scenario's (`ledgerScope`) or a run view's. */
export interface LedgerScope extends CountTopology {
  /** By actor index. */
  readonly actors: readonly { readonly id: string; readonly kind: string }[];
  readonly intervalNs: number;
  readonly ambientTemperatureK: number;
  readonly distributionLoss: number;
  readonly carbon: CarbonSettings | null | undefined;
}

export function ledgerScope(scenario: ResolvedScenario): LedgerScope {
  return {
    actors: scenario.actors,
    links: scenario.links,
    intervalNs: scenario.run.metricsIntervalNs,
    ambientTemperatureK: scenario.run.ambientTemperatureK,
    distributionLoss: scenario.run.distributionLoss,
    carbon: scenario.run.carbon,
  };
}

export interface LedgerSnapshot {
  readonly index: number;
  /** [startNs, endNs): the interval, the last one ending where the run stopped. */
  readonly startNs: number;
  readonly endNs: number;
  readonly durationS: number;
  readonly energyJ: number;
  readonly powerW: number;
  readonly itEnergyJ: number;
  readonly coolingEnergyJ: number;
  /** Energy drawn by distribution-role units (UPS, PDU: their losses), part of `distributionLossJ`. */
  readonly distributionUnitsEnergyJ: number;
  /** All distribution losses: the units' energy and `run.distribution_loss` of IT + cooling. */
  readonly distributionLossJ: number;
  /** (IT + cooling + losses) / IT over this interval's energies; null as in the heat ledger. */
  readonly pue: number | null;
  readonly heatEntropyKbPerS: number;
  readonly heatEntropyWPerK: number;
  readonly sigmaKbPerS: number;
  /** The hop and exchange counts σ̂ is estimated from (pooled over intervals by the run-level estimates). */
  readonly transitions: readonly Readonly<TransitionCount>[];
  readonly bitsErased: number;
  readonly landauerPowerW: number;
  /** gCO2e from the facility energy at the grid's intensity, and embodied carbon; null without `run.carbon`. */
  readonly operationalCarbonG: number | null;
  readonly embodiedCarbonG: number | null;
}

/** As in summary.json: σ over the pairs seen both ways; one-way currents are not folded in (no pseudo-count). */
export const INTERVAL_SIGMA_OPTIONS = { unseenReverse: "irreversible" } as const;

/**
 * σ̂ of one interval: `estimateSigma(intervalCounts(scope, record), durationS, INTERVAL_SIGMA_OPTIONS)` without
 * pairing every count by a string key and building the edge list (most of an interval close's work on a large
 * run). With one-way currents left out, only a link crossed both ways by one species adds to σ̂; exchanges with
 * the environment never pair. Pairs are summed in the order the estimator meets them (ascending link and species,
 * oriented a→b), so the sum is the same to the last bit (test/ledger-snapshot.test.ts).
 */
function intervalSigma(scope: LedgerScope, record: IntervalRecord, durationS: number): number {
  const hops = record.speciesHops;
  let total = 0;
  for (const key of sortedKeys(hops)) {
    const direction = Math.floor(key / SPECIES_SLOTS);
    if ((direction & 1) === 1) continue; // b→a: met after a→b
    const forward = hops.get(key)!;
    const reverse = hops.get(key + SPECIES_SLOTS) ?? 0; // the same link and species, b→a
    const link = scope.links[direction >> 1]!;
    if (forward === 0 || reverse === 0 || scope.actors[link.a]!.id === scope.actors[link.b]!.id) continue;
    total += fluxForceProduct(forward, reverse) / durationS;
  }
  return total;
}

/** Where interval `index` ends in a run that stopped at `runEndNs` (a whole interval, or the part the run reached). */
export function intervalEndNs(scope: Pick<LedgerScope, "intervalNs">, index: number, runEndNs: number): number {
  const startNs = index * scope.intervalNs;
  return Math.max(startNs, Math.min(startNs + scope.intervalNs, runEndNs));
}

/** The frozen snapshot of `record`, an interval that ends at `endNs`. */
export function ledgerSnapshot(scope: LedgerScope, record: IntervalRecord, endNs: number): LedgerSnapshot {
  const startNs = record.index * scope.intervalNs;
  const durationS = (endNs - startNs) / 1e9;
  // Actor order, then each actor's components in the order reported: the same sums however the run was sharded.
  let energyJ = 0;
  let coolingJ = 0;
  let distributionJ = 0;
  let bitsErased = 0;
  scope.actors.forEach((actor, index) => {
    for (const joules of record.energy.get(index)?.values() ?? []) {
      energyJ += joules;
      const role = energyRoleOf(actor.kind);
      if (role === "cooling") coolingJ += joules;
      else if (role === "distribution") distributionJ += joules;
    }
    bitsErased += record.counters.get(index)?.get("bits_erased") ?? 0;
  });
  const powerW = durationS > 0 ? energyJ / durationS : 0;
  const transitions = intervalCounts(scope, record).map((c) => Object.freeze(c));
  const sigma = transitions.length > 0 && durationS > 0 ? intervalSigma(scope, record, durationS) : 0;
  const T = scope.ambientTemperatureK;
  const itJ = energyJ - coolingJ - distributionJ;
  const facility = facilityEnergy(itJ, coolingJ, scope.distributionLoss, distributionJ);
  const carbon = intervalCarbon(
    scope.carbon,
    scope.actors,
    startNs,
    startNs + Math.round(durationS * 1e9),
    facility.facilityJ,
  );
  return Object.freeze({
    index: record.index,
    startNs,
    endNs,
    durationS,
    energyJ,
    powerW,
    itEnergyJ: itJ,
    coolingEnergyJ: coolingJ,
    distributionUnitsEnergyJ: distributionJ,
    distributionLossJ: facility.lossJ,
    pue: facility.pue,
    heatEntropyKbPerS: entropyGenerationKbPerS(powerW, T),
    heatEntropyWPerK: entropyGenerationWPerK(powerW, T),
    sigmaKbPerS: sigma,
    transitions: Object.freeze(transitions),
    bitsErased,
    landauerPowerW: durationS > 0 ? (bitsErased * landauerEnergyJ(T)) / durationS : 0,
    operationalCarbonG: carbon?.operationalG ?? null,
    embodiedCarbonG: carbon?.embodiedG ?? null,
  });
}
