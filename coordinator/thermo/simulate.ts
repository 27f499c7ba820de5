/**
 * `dctwin thermo simulate`: R independent Gillespie replicas of length T, each started from the exact stationary
 * distribution (no warm-up). The estimate of σ comes from the counts pooled over all replicas (docs/thermo.md: never an
 * average of per-replica σ̂), its standard error from a delete-one-replica jackknife; each edge's net current gets
 * its mean, standard error and scaled variance Var(J_T)/T across replicas, beside the exact values from the rates.
 */
import { currentStatistics, edgeCurrentWeights } from "./current-statistics.ts";
import { estimateSigmaWithErrors, type CountBatch } from "./error-bars.ts";
import { simulateGillespie } from "./gillespie.ts";
import { stationaryDistribution, steadyStateFluxes } from "./markov.ts";
import { compileMarkovModel } from "./model.ts";
import { createSeededUniform } from "./rng.ts";
import type { MarkovModelSpec } from "./spec.ts";

export interface SimulateOptions {
  timeS: number;
  replicas: number;
  seed: number;
}

export function simulateReplicas(spec: MarkovModelSpec, options: SimulateOptions) {
  const { timeS, replicas, seed } = options;
  if (!(timeS > 0 && Number.isFinite(timeS)))
    throw new RangeError(`time must be a positive number of seconds, got ${timeS}`);
  if (!(Number.isInteger(replicas) && replicas >= 2))
    throw new RangeError(`replicas must be a whole number ≥ 2, got ${replicas}`);
  const model = compileMarkovModel(spec);
  const p = stationaryDistribution(model);
  const exact = steadyStateFluxes(model, p);
  const uniform = createSeededUniform(seed); // one stream, replica after replica: reproducible and independent
  const runs = Array.from({ length: replicas }, () => simulateGillespie(spec, { durationS: timeS, uniform }));
  const batches: CountBatch[] = runs.map((r) => ({ durationS: timeS, counts: r.counts }));
  const withErrors = estimateSigmaWithErrors(batches, { unseenReverse: "irreversible" });
  const exactSigma = exact.irreversible.length === 0 ? exact.sigmaKbPerS : null;
  const edges = model.edges.map((edge) => {
    const weights = edgeCurrentWeights(model, edge);
    const perReplica = runs.map((r) => r.counts.reduce((s, c, k) => s + weights[k]! * c.count, 0));
    const mean = perReplica.reduce((s, x) => s + x, 0) / replicas;
    const variance = perReplica.reduce((s, x) => s + (x - mean) ** 2, 0) / (replicas - 1);
    const truth = currentStatistics(model, weights, exactSigma, p);
    return {
      from: model.states[edge.i]!,
      to: model.states[edge.j]!,
      mechanism: edge.mechanism,
      current_per_s: mean / timeS,
      current_stderr_per_s: Math.sqrt(variance / replicas) / timeS,
      scaled_variance_per_s: variance / timeS,
      exact: {
        current_per_s: truth.meanPerS,
        scaled_variance_per_s: truth.scaledVariancePerS,
        fano_factor: truth.fanoFactor,
        precision_cost_q: truth.precisionCostQ,
        sigma_tur_kb_per_s: truth.sigmaTurKbPerS,
      },
    };
  });
  const sigma = withErrors.estimate.sigmaKbPerS;
  const stderr = withErrors.jackknife.stderrKbPerS;
  return {
    time_s: timeS,
    replicas,
    seed,
    jumps: runs.reduce((s, r) => s + r.jumps, 0),
    sigma_kb_per_s: sigma,
    sigma_stderr_kb_per_s: stderr,
    sigma_bias_corrected_kb_per_s: withErrors.jackknife.biasCorrectedKbPerS,
    /** σ over the pairs seen both ways; mechanisms never seen reversed are listed apart. */
    irreversible: withErrors.estimate.irreversible.map((e) => ({
      from: e.from,
      to: e.to,
      mechanism: e.mechanism,
      current_per_s: e.currentPerS,
    })),
    exact_sigma_kb_per_s: exactSigma,
    z_score: exactSigma === null || stderr === 0 ? null : (sigma - exactSigma) / stderr,
    edges,
  };
}
