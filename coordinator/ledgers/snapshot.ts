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
import { CompactNested } from "../counts/compact-nested.ts";
import { intervalCarbon } from "./carbon.ts";
import { energyRoleOf, facilityEnergy } from "./heat.ts";
import { hopColumns, intervalCountsOf, type CountTopology, type HopColumns } from "./mechanisms.ts";

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
function intervalSigma(scope: LedgerScope, record: IntervalRecord, hopKeys: Float64Array, durationS: number): number {
  const hops = record.speciesHops;
  let total = 0;
  for (const key of hopKeys) {
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

/**
 * The interval's energy in total and of the cooling and distribution roles, summed in actor order, each actor's
 * components in the order reported: the same sums however the run was sharded.
 */
function energySums(scope: LedgerScope, energy: CompactNested) {
  const roles = rolesOf(scope);
  let energyJ = 0;
  let coolingJ = 0;
  let distributionJ = 0;
  for (const group of energy.sortedGroups()) {
    const actor = energy.actorOf(group);
    if (actor >= roles.length) continue; // not an actor of the scope
    const role = roles[actor];
    for (let e = energy.firstEntry(group); e < energy.endEntry(group); e++) {
      const joules = energy.amount(e);
      energyJ += joules;
      if (role === "cooling") coolingJ += joules;
      else if (role === "distribution") distributionJ += joules;
    }
  }
  return { energyJ, coolingJ, distributionJ };
}

/** One counter summed over the scope's actors, in actor order. */
function counterSum(scope: LedgerScope, counters: CompactNested, name: string): number {
  const n = counters.numberOf(name);
  let total = 0;
  if (n < 0) return total;
  for (const group of counters.sortedGroups()) {
    if (counters.actorOf(group) >= scope.actors.length) continue;
    for (let e = counters.firstEntry(group); e < counters.endEntry(group); e++)
      if (counters.nameNumber(e) === n) {
        total += counters.amount(e);
        break;
      }
  }
  return total;
}

/** Each actor's energy role, by actor index (made once per scope). */
const roleCache = new WeakMap<LedgerScope, ReturnType<typeof energyRoleOf>[]>();

function rolesOf(scope: LedgerScope): ReturnType<typeof energyRoleOf>[] {
  let roles = roleCache.get(scope);
  if (roles === undefined) {
    roles = scope.actors.map((actor) => energyRoleOf(actor.kind));
    roleCache.set(scope, roles);
  }
  return roles;
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
  const { energyJ, coolingJ, distributionJ } = energySums(scope, CompactNested.of(record.energy));
  const counters = CompactNested.of(record.counters);
  const bitsErased = counterSum(scope, counters, "bits_erased");
  const powerW = durationS > 0 ? energyJ / durationS : 0;
  const hops = hopColumns(record);
  // Without hops σ̂ is 0 (exchanges never pair), as it is without any transition.
  const sigma = durationS > 0 ? intervalSigma(scope, record, hops.keys, durationS) : 0;
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
  const figures: SnapshotFigures = {
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
    bitsErased,
    landauerPowerW: durationS > 0 ? (bitsErased * landauerEnergyJ(T)) / durationS : 0,
    operationalCarbonG: carbon?.operationalG ?? null,
    embodiedCarbonG: carbon?.embodiedG ?? null,
  };
  return frozenSnapshot(scope, { figures, hops, counters });
}

/** A snapshot's figures: all but its transitions. */
type SnapshotFigures = Omit<LedgerSnapshot, "transitions">;

/**
 * What a snapshot is made of, as a checkpoint keeps it: its figures, and the hop columns and counters its
 * transitions are made from (not the transitions, a frozen object per count; not the record, let go by then).
 */
export interface StoredSnapshot {
  figures: SnapshotFigures;
  hops: HopColumns;
  counters: CompactNested;
}

const sources = new WeakMap<LedgerSnapshot, StoredSnapshot>();

/** A snapshot as a checkpoint keeps it (`restoreSnapshot` makes it again). */
export function storedSnapshot(snapshot: LedgerSnapshot): StoredSnapshot {
  const stored = sources.get(snapshot);
  if (stored === undefined) throw new Error(`the snapshot of interval ${snapshot.index} was not made here`);
  return stored;
}

export function restoreSnapshot(scope: LedgerScope, stored: StoredSnapshot): LedgerSnapshot {
  return frozenSnapshot(scope, stored);
}

function frozenSnapshot(scope: LedgerScope, stored: StoredSnapshot): LedgerSnapshot {
  const { hops, counters } = stored;
  const f = stored.figures;
  // The fields in the order they have always had (a reader may print them in it).
  const snapshot: LedgerSnapshot = Object.freeze({
    index: f.index,
    startNs: f.startNs,
    endNs: f.endNs,
    durationS: f.durationS,
    energyJ: f.energyJ,
    powerW: f.powerW,
    itEnergyJ: f.itEnergyJ,
    coolingEnergyJ: f.coolingEnergyJ,
    distributionUnitsEnergyJ: f.distributionUnitsEnergyJ,
    distributionLossJ: f.distributionLossJ,
    pue: f.pue,
    heatEntropyKbPerS: f.heatEntropyKbPerS,
    heatEntropyWPerK: f.heatEntropyWPerK,
    sigmaKbPerS: f.sigmaKbPerS,
    // Made on each read, from the record's hop columns and counters as it closed (not the record, which the
    // aggregator lets go): the run's estimates read them when the run ends, the live exporter at once; an
    // interval's close does not wait for them. Not kept: the book keeps every snapshot to the end of the run, and
    // kept counts (an object per count, about 1.3 MB per interval on leaf-spine-4k) made the coordinator's heap
    // at the end grow with the run's length.
    get transitions() {
      return Object.freeze(intervalCountsOf(scope, hops, counters));
    },
    bitsErased: f.bitsErased,
    landauerPowerW: f.landauerPowerW,
    operationalCarbonG: f.operationalCarbonG,
    embodiedCarbonG: f.embodiedCarbonG,
  });
  sources.set(snapshot, stored);
  return snapshot;
}
