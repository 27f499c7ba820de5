/** A validated Markov model with state indices and its mechanism-resolved edges (pairs of opposite transitions). */
import { pairTransitions } from "./pairs.ts";
import { MarkovModelError, validateMarkovModel, type MarkovModelSpec } from "./spec.ts";

export interface ModelTransition {
  from: number;
  to: number;
  ratePerS: number;
  mechanism: string;
}

/** Oriented i→j; a side with no transition listed has rate 0. */
export interface ModelEdge {
  i: number;
  j: number;
  mechanism: string;
  forwardRatePerS: number;
  reverseRatePerS: number;
}

export interface MarkovModel {
  states: readonly string[];
  transitions: readonly ModelTransition[];
  edges: readonly ModelEdge[];
}

/** Validates (throws MarkovModelError with every issue) and indexes the spec. */
export function compileMarkovModel(spec: MarkovModelSpec): MarkovModel {
  const issues = validateMarkovModel(spec);
  if (issues.length > 0) throw new MarkovModelError(issues);
  const index = new Map(spec.states.map((s, i) => [s, i]));
  const at = (s: string): number => index.get(s)!;
  const transitions = spec.transitions.map((t) => ({
    from: at(t.from),
    to: at(t.to),
    ratePerS: t.rate,
    mechanism: t.mechanism ?? "",
  }));
  const rate = (ix: number[]): number => ix.reduce((s, k) => s + spec.transitions[k]!.rate, 0);
  const edges = pairTransitions(spec.transitions).map((p) => ({
    i: at(p.from),
    j: at(p.to),
    mechanism: p.mechanism,
    forwardRatePerS: rate(p.forward),
    reverseRatePerS: rate(p.reverse),
  }));
  return { states: [...spec.states], transitions, edges };
}
