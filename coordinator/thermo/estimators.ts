/**
 * Plug-in entropy production from pooled transition counts n_ij over a time T (docs/thermo.md):
 * σ̂ = (1/T) Σ_{pairs} (n_ij − n_ji)·ln(n_ij/n_ji), pairs resolved by mechanism. It is the maximum-likelihood
 * estimate, biased upward by O(1/T) (≈ 2C/T under detailed balance). A pair seen in one direction only is either
 * reported as irreversible or gets a pseudo-count α on both directions (α always reported).
 */
import { independentCycleCount } from "./cycles.ts";
import { fluxForceProduct, logRatio } from "./numerics.ts";
import { pairKey, pairTransitions, type TransitionPair } from "./pairs.ts";

export interface TransitionCount {
  from: string;
  to: string;
  mechanism?: string;
  count: number;
}

export type UnseenReverse = "pseudoCount" | "irreversible";

export interface EstimatorOptions {
  /** Default "pseudoCount". */
  unseenReverse?: UnseenReverse;
  /** α added to both directions of every observed pair in "pseudoCount" mode; default ½. */
  pseudoCount?: number;
}

export const DEFAULT_PSEUDO_COUNT = 0.5;

export interface EdgeEstimate {
  from: string;
  to: string;
  mechanism: string;
  forwardCount: number;
  reverseCount: number;
  /** (n_ij − n_ji)/T from the raw counts. */
  netCurrentPerS: number;
  /** ln((n_ij + α)/(n_ji + α)). */
  forceKb: number;
  sigmaKbPerS: number;
}

/** Seen in one direction only ("irreversible" mode); oriented along the observed flow. */
export interface IrreversibleEstimate {
  from: string;
  to: string;
  mechanism: string;
  count: number;
  currentPerS: number;
}

export interface SigmaEstimate {
  durationS: number;
  unseenReverse: UnseenReverse;
  /** α actually used (0 in "irreversible" mode). */
  pseudoCount: number;
  sigmaKbPerS: number;
  edges: EdgeEstimate[];
  irreversible: IrreversibleEstimate[];
  /** The observed graph of the edges in σ̂: states, edges and C = E − V + K independent cycles. */
  observedStates: number;
  observedEdges: number;
  independentCycles: number;
}

/** Counts summed onto mechanism-resolved pairs (repeated entries add up). */
export interface PairedCounts {
  pairs: TransitionPair[];
  forward: Float64Array;
  reverse: Float64Array;
}

/** `pairs`: a shared pairing (e.g. of all batches together); every count must belong to one of its pairs. */
export function pairCounts(counts: readonly TransitionCount[], pairs?: TransitionPair[]): PairedCounts {
  if (pairs === undefined) return pairOwnCounts(counts);
  const forward = new Float64Array(pairs.length);
  const reverse = new Float64Array(pairs.length);
  const index = new Map(pairs.map((p, k) => [pairKey(p.from, p.to, p.mechanism), k]));
  for (const c of counts) {
    checkCount(c);
    const k = index.get(pairKey(c.from, c.to, c.mechanism ?? ""));
    if (k === undefined) throw new RangeError(`count ${c.from}→${c.to}: not in the given pairing`);
    if (pairs[k]!.from === c.from) forward[k]! += c.count;
    else reverse[k]! += c.count;
  }
  return { pairs, forward, reverse };
}

/**
 * The counts on their own pairing: the pairing lists each pair's counts, so they are summed from it (in count
 * order, as the general case adds them) without looking every count's pair up again.
 */
function pairOwnCounts(counts: readonly TransitionCount[]): PairedCounts {
  for (const c of counts) checkCount(c);
  const pairs = pairTransitions(counts);
  const forward = new Float64Array(pairs.length);
  const reverse = new Float64Array(pairs.length);
  pairs.forEach((p, k) => {
    for (const i of p.forward) forward[k]! += counts[i]!.count;
    for (const i of p.reverse) reverse[k]! += counts[i]!.count;
  });
  return { pairs, forward, reverse };
}

export function checkCount(c: TransitionCount): void {
  if (!Number.isFinite(c.count) || c.count < 0)
    throw new RangeError(`count ${c.from}→${c.to}: expected a finite count ≥ 0, got ${c.count}`);
}

export function resolveOptions(options: EstimatorOptions): { mode: UnseenReverse; alpha: number } {
  const mode = options.unseenReverse ?? "pseudoCount";
  const alpha = mode === "irreversible" ? 0 : (options.pseudoCount ?? DEFAULT_PSEUDO_COUNT);
  if (mode === "pseudoCount" && !(alpha > 0 && Number.isFinite(alpha)))
    throw new RangeError(`pseudoCount must be > 0, got ${alpha}`);
  return { mode, alpha };
}

/** Σ̂ in k_B/s; fills `perPair` (σ̂ share of each pair, 0 for irreversible ones) when given. */
export function sigmaOfPairedCounts(
  forward: Float64Array,
  reverse: Float64Array,
  durationS: number,
  alpha: number,
  perPair?: Float64Array,
): number {
  let total = 0;
  for (let k = 0; k < forward.length; k++) {
    const a = forward[k]!;
    const b = reverse[k]!;
    const s =
      a + b === 0 || (alpha === 0 && (a === 0 || b === 0)) ? 0 : fluxForceProduct(a + alpha, b + alpha) / durationS;
    if (perPair !== undefined) perPair[k] = s;
    total += s;
  }
  return total;
}

export function estimateSigma(
  counts: readonly TransitionCount[],
  durationS: number,
  options: EstimatorOptions = {},
): SigmaEstimate {
  return estimateFromPaired(pairCounts(counts), durationS, options);
}

export function estimateFromPaired(
  paired: PairedCounts,
  durationS: number,
  options: EstimatorOptions = {},
): SigmaEstimate {
  if (!(durationS > 0 && Number.isFinite(durationS))) throw new RangeError(`durationS must be > 0, got ${durationS}`);
  const { mode, alpha } = resolveOptions(options);
  const perPair = new Float64Array(paired.pairs.length);
  const sigmaKbPerS = sigmaOfPairedCounts(paired.forward, paired.reverse, durationS, alpha, perPair);
  const edges: EdgeEstimate[] = [];
  const irreversible: IrreversibleEstimate[] = [];
  const nodes = new Map<string, number>();
  const node = (s: string): number => nodes.get(s) ?? (nodes.set(s, nodes.size), nodes.size - 1);
  const graph: { from: number; to: number }[] = [];
  paired.pairs.forEach((p, k) => {
    const a = paired.forward[k]!;
    const b = paired.reverse[k]!;
    if (a + b === 0) return;
    if (alpha === 0 && (a === 0 || b === 0)) {
      const [from, to] = a > 0 ? [p.from, p.to] : [p.to, p.from];
      irreversible.push({ from, to, mechanism: p.mechanism, count: a + b, currentPerS: (a + b) / durationS });
      return;
    }
    graph.push({ from: node(p.from), to: node(p.to) });
    edges.push({
      from: p.from,
      to: p.to,
      mechanism: p.mechanism,
      forwardCount: a,
      reverseCount: b,
      netCurrentPerS: (a - b) / durationS,
      forceKb: logRatio(a + alpha, b + alpha),
      sigmaKbPerS: perPair[k]!,
    });
  });
  return {
    durationS,
    unseenReverse: mode,
    pseudoCount: alpha,
    sigmaKbPerS,
    edges,
    irreversible,
    observedStates: nodes.size,
    observedEdges: edges.length,
    independentCycles: independentCycleCount(graph),
  };
}
