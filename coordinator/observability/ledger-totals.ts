/**
 * Both ledgers as they stand after the metrics intervals closed so far, for the metrics exporters, summed from
 * the intervals' ledger snapshots (ledgers/snapshot.ts): the packet entropy production σ from the hop and exchange
 * counts pooled since the start (and of the last interval alone), heat entropy generation P/T of the last interval,
 * and IT, cooling and distribution-loss energy with the PUE they give.
 */
import { facilityEnergy } from "../ledgers/heat.ts";
import { INTERVAL_SIGMA_OPTIONS, type LedgerSnapshot } from "../ledgers/snapshot.ts";
import { estimateSigma, type TransitionCount } from "../thermo/index.ts";

export class LedgerTotals {
  private readonly distributionLoss: number;
  private readonly pooled = new Map<string, TransitionCount>();
  private elapsedS = 0;
  itJ = 0;
  coolingJ = 0;
  /** Energy of distribution-role units (part of the distribution losses). */
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

  constructor(distributionLoss: number) {
    this.distributionLoss = distributionLoss;
  }

  /** `transitions`: the snapshot's counts, when the caller has them (a snapshot makes them on each read). */
  add(snapshot: LedgerSnapshot, transitions = snapshot.transitions): void {
    const seconds = snapshot.durationS;
    const perS = (joules: number) => (seconds > 0 ? joules / seconds : 0);
    this.itJ += snapshot.itEnergyJ;
    this.coolingJ += snapshot.coolingEnergyJ;
    this.distributionJ += snapshot.distributionUnitsEnergyJ;
    this.lastItPowerW = perS(snapshot.itEnergyJ);
    this.lastCoolingPowerW = perS(snapshot.coolingEnergyJ);
    this.lastLossPowerW = perS(snapshot.distributionLossJ);
    this.lastPue = snapshot.pue ?? Number.NaN;
    this.operationalCarbonG += snapshot.operationalCarbonG ?? 0;
    this.embodiedCarbonG += snapshot.embodiedCarbonG ?? 0;
    this.lastHeatEntropyWPerK = snapshot.heatEntropyWPerK;
    this.lastSigmaKbPerS = snapshot.sigmaKbPerS;
    for (const c of transitions) {
      const key = `${c.from}|${c.to}|${c.mechanism}`;
      const pooled = this.pooled.get(key);
      if (pooled === undefined) this.pooled.set(key, { ...c });
      else pooled.count += c.count;
    }
    this.elapsedS += seconds;
    this.sigmaKbPerS =
      this.pooled.size > 0 && this.elapsedS > 0
        ? estimateSigma([...this.pooled.values()], this.elapsedS, INTERVAL_SIGMA_OPTIONS).sigmaKbPerS
        : 0;
  }

  get lossJ(): number {
    return facilityEnergy(this.itJ, this.coolingJ, this.distributionLoss, this.distributionJ).lossJ;
  }

  /** Facility over IT energy since the start; NaN while undefined (no IT energy, or only IT is modelled). */
  get pue(): number {
    return facilityEnergy(this.itJ, this.coolingJ, this.distributionLoss, this.distributionJ).pue ?? Number.NaN;
  }
}
