/**
 * Both ledgers as they stand after the metrics intervals closed so far, for the metrics exporters: the packet
 * entropy production σ from the hop and exchange counts pooled since the start (and of the last interval alone),
 * heat entropy generation P/T of the last interval, and IT, cooling and distribution-loss energy with the PUE
 * they give. Works from the run view, so live runs and replays of intervals.jsonl compute the same.
 */
import { energyRoleOf, facilityEnergy } from "../ledgers/heat.ts";
import { intervalCounts } from "../ledgers/irreversibility.ts";
import { intervalCarbon } from "../ledgers/carbon.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { entropyGenerationWPerK, estimateSigma, type TransitionCount } from "../thermo/index.ts";
import type { RunView } from "./run-view.ts";

/** As in summary.json: σ over the pairs seen both ways; one-way currents are not folded in (no pseudo-count). */
const SIGMA_OPTIONS = { unseenReverse: "irreversible" } as const;

export class LedgerTotals {
  private readonly view: RunView;
  private readonly pooled = new Map<string, TransitionCount>();
  private elapsedS = 0;
  itJ = 0;
  coolingJ = 0;
  /** Energy of the distribution kinds' actors (part of the distribution loss). */
  distributionJ = 0;
  /** σ in k_B/s from the counts pooled over every closed interval, pairs seen both ways only. */
  sigmaKbPerS = 0;
  /** σ of the last closed interval alone (a noisy plug-in estimate, biased upward by O(1/T)). */
  lastSigmaKbPerS = 0;
  /** Heat entropy generation P/T of the last closed interval. */
  lastHeatEntropyWPerK = 0;
  /** Mean IT, cooling and distribution-loss power of the last closed interval, and its own PUE (NaN if undefined). */
  lastItPowerW = 0;
  lastCoolingPowerW = 0;
  lastLossPowerW = 0;
  lastPue = Number.NaN;
  /** gCO2e since the start (run.carbon): facility energy at the grid's intensity, and embodied. */
  operationalCarbonG = 0;
  embodiedCarbonG = 0;

  constructor(view: RunView) {
    this.view = view;
  }

  add(record: IntervalRecord, seconds: number): void {
    let intervalJ = 0;
    let itJ = 0;
    let coolingJ = 0;
    let distributionJ = 0;
    for (const actor of [...record.energy.keys()].sort((a, b) => a - b)) {
      let joules = 0;
      for (const j of record.energy.get(actor)!.values()) joules += j;
      intervalJ += joules;
      const role = energyRoleOf(this.view.actors[actor]?.kind ?? "");
      if (role === "cooling") coolingJ += joules;
      else if (role === "distribution") distributionJ += joules;
      else itJ += joules;
    }
    this.itJ += itJ;
    this.coolingJ += coolingJ;
    this.distributionJ += distributionJ;
    const interval = facilityEnergy(itJ, coolingJ, this.view.distributionLoss, distributionJ);
    this.lastItPowerW = itJ / seconds;
    this.lastCoolingPowerW = coolingJ / seconds;
    this.lastLossPowerW = interval.lossJ / seconds;
    this.lastPue = interval.pue ?? Number.NaN;
    const startNs = record.index * this.view.intervalNs;
    const carbon = intervalCarbon(
      this.view.carbon,
      this.view.actors,
      startNs,
      startNs + Math.round(seconds * 1e9),
      interval.facilityJ,
    );
    this.operationalCarbonG += carbon?.operationalG ?? 0;
    this.embodiedCarbonG += carbon?.embodiedG ?? 0;
    this.lastHeatEntropyWPerK = entropyGenerationWPerK(intervalJ / seconds, this.view.ambientTemperatureK);

    const counts = intervalCounts(this.view, record);
    this.lastSigmaKbPerS = counts.length > 0 ? estimateSigma(counts, seconds, SIGMA_OPTIONS).sigmaKbPerS : 0;
    for (const c of counts) {
      const key = `${c.from}|${c.to}|${c.mechanism}`;
      const pooled = this.pooled.get(key);
      if (pooled === undefined) this.pooled.set(key, { ...c });
      else pooled.count += c.count;
    }
    this.elapsedS += seconds;
    this.sigmaKbPerS =
      this.pooled.size > 0 ? estimateSigma([...this.pooled.values()], this.elapsedS, SIGMA_OPTIONS).sigmaKbPerS : 0;
  }

  get lossJ(): number {
    return facilityEnergy(this.itJ, this.coolingJ, this.view.distributionLoss, this.distributionJ).lossJ;
  }

  /** Facility over IT energy since the start; NaN while undefined (no IT energy, or only IT is modelled). */
  get pue(): number {
    return facilityEnergy(this.itJ, this.coolingJ, this.view.distributionLoss, this.distributionJ).pue ?? Number.NaN;
  }
}
