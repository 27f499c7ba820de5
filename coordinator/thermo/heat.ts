/**
 * The heat ledger (physical dissipation), kept apart from the packet-level irreversibility ledger. SI units:
 * J, W, K; entropy rates in W/K or in k_B/s.
 */

/** Exact SI values. */
export const BOLTZMANN_J_PER_K = 1.380649e-23;
export const JOULES_PER_EV = 1.602176634e-19;

function kelvin(temperatureK: number): number {
  if (!(temperatureK > 0 && Number.isFinite(temperatureK)))
    throw new RangeError(`temperature must be > 0 K, got ${temperatureK}`);
  return temperatureK;
}

/** k_B·T·ln 2: the least heat to erase one bit at temperature T. */
export function landauerEnergyJ(temperatureK: number): number {
  return BOLTZMANN_J_PER_K * kelvin(temperatureK) * Math.LN2;
}

/** Bits that one joule can erase at the Landauer limit. */
export function bitsPerJoule(temperatureK: number): number {
  return 1 / landauerEnergyJ(temperatureK);
}

/** η_L = k_B·T·ln 2 · (bits erased per second) / P. */
export function landauerEfficiency(bitsErasedPerS: number, powerW: number, temperatureK: number): number {
  return (landauerEnergyJ(temperatureK) * bitsErasedPerS) / powerW;
}

/** Ṡ = P/T: all electrical power ends as heat in a steady state. */
export function entropyGenerationWPerK(powerW: number, temperatureK: number): number {
  return powerW / kelvin(temperatureK);
}

export function entropyGenerationKbPerS(powerW: number, temperatureK: number): number {
  return entropyGenerationWPerK(powerW, temperatureK) / BOLTZMANN_J_PER_K;
}

/** Energy per useful bit, in units of k_B·T·ln 2 (1 = the Landauer limit). */
export function energyPerBitKtLn2(powerW: number, usefulBitsPerS: number, temperatureK: number): number {
  return powerW / usefulBitsPerS / landauerEnergyJ(temperatureK);
}

/** Training floor E ≳ 2·N·D·k_B·T (Tkachenko, arXiv:2503.09980) for N parameters and D examples. */
export function trainingFloorJ(parameters: number, examples: number, temperatureK: number): number {
  return 2 * parameters * examples * BOLTZMANN_J_PER_K * kelvin(temperatureK);
}

/** η_train = 2·N·D·k_B·T / E_train,actual. */
export function trainingEfficiency(
  parameters: number,
  examples: number,
  temperatureK: number,
  energyJ: number,
): number {
  return trainingFloorJ(parameters, examples, temperatureK) / energyJ;
}

/** Packet-level σ in W/K (k_B·σ). */
export function sigmaWPerK(sigmaKbPerS: number): number {
  return sigmaKbPerS * BOLTZMANN_J_PER_K;
}

/** Ratio of the ledgers: packet-level σ over physical entropy generation P/T (both in k_B/s). */
export function ledgerRatio(sigmaKbPerS: number, powerW: number, temperatureK: number): number {
  return sigmaKbPerS / entropyGenerationKbPerS(powerW, temperatureK);
}
