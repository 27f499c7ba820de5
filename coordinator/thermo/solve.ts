/**
 * `solveMarkovModel(spec)`: the exact steady state of a model spec as a plain, JSON-able result (units in keys),
 * what `dctwin thermo solve model.yaml` prints.
 */
import { fundamentalCycles, independentCycleCount, type CycleGraphEdge } from "./cycles.ts";
import { stationaryDistribution, steadyStateFluxes } from "./markov.ts";
import { compileMarkovModel } from "./model.ts";
import { currentStatistics, edgeCurrentWeights, type CurrentStatistics } from "./current-statistics.ts";
import type { MarkovModelSpec } from "./spec.ts";

export interface SolvedState {
  state: string;
  probability: number;
  /** Kirchhoff residual: ≈ 0 in the steady state. */
  netInflowPerS: number;
}

export interface SolvedEdge {
  from: string;
  to: string;
  mechanism: string;
  forwardRatePerS: number;
  reverseRatePerS: number;
  forwardFluxPerS: number;
  reverseFluxPerS: number;
  netCurrentPerS: number;
  forceKb: number;
  sigmaKbPerS: number;
  /** Exact long-time statistics of this edge's net current (current-statistics.ts). */
  current: CurrentStatistics;
}

export interface SolvedIrreversible {
  from: string;
  to: string;
  mechanism: string;
  ratePerS: number;
  currentPerS: number;
}

export interface SolvedCycle {
  /** States visited in order; the cycle closes back to the first. */
  states: string[];
  /** Edges traversed, as "from→to [mechanism]" in the direction of travel. */
  path: string[];
  currentPerS: number;
  /** null: crosses an irreversible mechanism (infinite affinity). */
  affinityKb: number | null;
  sigmaKbPerS: number | null;
}

export interface MarkovSolution {
  states: SolvedState[];
  /** Reversible mechanism-resolved edges, in spec order of first appearance. */
  edges: SolvedEdge[];
  irreversible: SolvedIrreversible[];
  /** Ranked by J_C·A_C. */
  cycles: SolvedCycle[];
  independentCycles: number;
  /** Schnakenberg σ over the reversible edges. */
  sigmaKbPerS: number;
  /** Σ J_C·A_C over the finite cycles; equals sigmaKbPerS when nothing is irreversible. */
  sigmaFromCyclesKbPerS: number;
  kirchhoffMaxResidualPerS: number;
}

export interface SolveOptions {
  /** Indices into `edges` (then `irreversible`) to place in the spanning tree first. */
  treePreference?: readonly number[];
}

export function solveMarkovModel(spec: MarkovModelSpec, options: SolveOptions = {}): MarkovSolution {
  const model = compileMarkovModel(spec);
  const p = stationaryDistribution(model);
  const flux = steadyStateFluxes(model, p);
  const name = (i: number): string => model.states[i]!;
  const mech = (e: number): string => model.edges[e]!.mechanism;
  // Q and η need the total σ: infinite when a mechanism has no reverse.
  const totalSigma = flux.irreversible.length === 0 ? flux.sigmaKbPerS : null;
  const edges: SolvedEdge[] = flux.reversible.map((f) => {
    const e = model.edges[f.edge]!;
    return {
      from: name(e.i),
      to: name(e.j),
      mechanism: e.mechanism,
      forwardRatePerS: e.forwardRatePerS,
      reverseRatePerS: e.reverseRatePerS,
      forwardFluxPerS: f.forwardFluxPerS,
      reverseFluxPerS: f.reverseFluxPerS,
      netCurrentPerS: f.netCurrentPerS,
      forceKb: f.forceKb,
      sigmaKbPerS: f.sigmaKbPerS,
      current: currentStatistics(model, edgeCurrentWeights(model, e), totalSigma, p),
    };
  });
  const irreversible = flux.irreversible.map((f) => ({
    from: name(f.from),
    to: name(f.to),
    mechanism: mech(f.edge),
    ratePerS: f.ratePerS,
    currentPerS: f.currentPerS,
  }));
  const graph: CycleGraphEdge[] = [
    ...flux.reversible.map((f) => ({
      from: model.edges[f.edge]!.i,
      to: model.edges[f.edge]!.j,
      currentPerS: f.netCurrentPerS,
      forceKb: f.rateLogRatioKb,
    })),
    ...flux.irreversible.map((f) => ({ from: f.from, to: f.to, currentPerS: f.currentPerS, forceKb: null })),
  ];
  const decomposition = fundamentalCycles(model.states.length, graph, options.treePreference);
  const label = (g: number, along: boolean): string => {
    const e = graph[g]!;
    const m = g < edges.length ? edges[g]!.mechanism : irreversible[g - edges.length]!.mechanism;
    const [a, b] = along ? [e.from, e.to] : [e.to, e.from];
    return `${name(a)}→${name(b)}${m === "" ? "" : ` [${m}]`}`;
  };
  const cycles = decomposition.cycles.map((c) => ({
    states: c.nodes.map(name),
    path: c.steps.map((s) => label(s.edge, s.along)),
    currentPerS: c.currentPerS,
    affinityKb: c.affinityKb,
    sigmaKbPerS: c.sigmaKbPerS,
  }));
  let residual = 0;
  for (const r of flux.netInflowPerS) residual = Math.max(residual, Math.abs(r));
  return {
    states: model.states.map((state, i) => ({ state, probability: p[i]!, netInflowPerS: flux.netInflowPerS[i]! })),
    edges,
    irreversible,
    cycles,
    independentCycles: independentCycleCount(graph),
    sigmaKbPerS: flux.sigmaKbPerS,
    sigmaFromCyclesKbPerS: decomposition.sigmaKbPerS,
    kirchhoffMaxResidualPerS: residual,
  };
}
