/** dctwin thermodynamics: pure functions over Markov models, transition counts and power (no I/O). */
export { validateMarkovModel, MarkovModelError } from "./spec.ts";
export { compileMarkovModel } from "./model.ts";
export { stationaryDistribution, steadyStateFluxes } from "./markov.ts";
export { solveMarkovModel } from "./solve.ts";
export { fundamentalCycles, independentCycleCount } from "./cycles.ts";
export { pairTransitions, pairKey } from "./pairs.ts";
export { fluxForceProduct, logRatio } from "./numerics.ts";
export { solveDense, SingularMatrixError } from "./linalg.ts";
export { estimateSigma, estimateFromPaired, pairCounts, DEFAULT_PSEUDO_COUNT } from "./estimators.ts";
export { estimateSigmaWithErrors, jackknife, batchMeanStderr } from "./error-bars.ts";
export { detailedBalanceTest } from "./detailed-balance.ts";
export { chiSquareCdf, chiSquareSurvival, chiSquareQuantile } from "./chi2.ts";
export { estimateTur, turValues, turSingleCycleQ } from "./tur.ts";
export {
  BOLTZMANN_J_PER_K,
  JOULES_PER_EV,
  landauerEnergyJ,
  bitsPerJoule,
  landauerEfficiency,
  entropyGenerationWPerK,
  entropyGenerationKbPerS,
  energyPerBitKtLn2,
  trainingFloorJ,
  trainingEfficiency,
  sigmaWPerK,
  ledgerRatio,
} from "./heat.ts";
export { simulateGillespie } from "./gillespie.ts";
export { createSeededUniform } from "./rng.ts";
export { drivenRingSpec, mm1QueueSpec, twoCycleNetworkSpec } from "./reference-models.ts";

export type { MarkovModelSpec, TransitionSpec, ModelIssue } from "./spec.ts";
export type { MarkovModel, ModelEdge, ModelTransition } from "./model.ts";
export type { EdgeFlux, IrreversibleFlux, SteadyStateFluxes, StationaryMethod } from "./markov.ts";
export type {
  MarkovSolution,
  SolvedState,
  SolvedEdge,
  SolvedIrreversible,
  SolvedCycle,
  SolveOptions,
} from "./solve.ts";
export type { CycleGraphEdge, CycleStep, FundamentalCycle, CycleDecomposition } from "./cycles.ts";
export type { DirectedTransition, TransitionPair } from "./pairs.ts";
export type {
  TransitionCount,
  UnseenReverse,
  EstimatorOptions,
  EdgeEstimate,
  IrreversibleEstimate,
  SigmaEstimate,
  PairedCounts,
} from "./estimators.ts";
export type { CountBatch, JackknifeResult, EdgeStderr, SigmaWithErrors } from "./error-bars.ts";
export type { DetailedBalanceTest } from "./detailed-balance.ts";
export type { TurValues, TurEstimate } from "./tur.ts";
export type { GillespieOptions, GillespieRun } from "./gillespie.ts";
export type { Mm1Options } from "./reference-models.ts";
