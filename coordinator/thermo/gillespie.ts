/**
 * Gillespie's direct method (J. Phys. Chem. 81, 2340, 1977) on a Markov model spec: exact trajectories for the
 * estimator tests and the coordinator's self-checks. Counts come out mechanism-resolved, aligned with
 * spec.transitions, ready for the estimators.
 */
import type { CountBatch } from "./error-bars.ts";
import type { TransitionCount } from "./estimators.ts";
import { stationaryDistribution } from "./markov.ts";
import { compileMarkovModel } from "./model.ts";
import type { MarkovModelSpec } from "./spec.ts";

export interface GillespieOptions {
  durationS: number;
  /** Uniform source on [0, 1), e.g. createSeededUniform(seed). */
  uniform: () => number;
  /** Default: drawn from the exact stationary distribution, so there is no warm-up transient. */
  initialState?: string;
  /** Cut the run into this many equal-length batches of counts (for error bars). */
  batches?: number;
  /** Track a current: weights aligned with spec.transitions, summed per window of windowS (for the TUR). */
  current?: { weights: readonly number[]; windowS: number };
}

export interface GillespieRun {
  durationS: number;
  jumps: number;
  /** Aligned with spec.transitions. */
  counts: TransitionCount[];
  /** Aligned with spec.states. */
  timeInStateS: number[];
  batches: CountBatch[] | null;
  /** J_τ per complete window. */
  currentWindows: number[] | null;
  finalState: string;
}

export function simulateGillespie(spec: MarkovModelSpec, options: GillespieOptions): GillespieRun {
  const { durationS, uniform } = options;
  if (!(durationS > 0 && Number.isFinite(durationS))) throw new RangeError(`durationS must be > 0, got ${durationS}`);
  const model = compileMarkovModel(spec);
  const n = model.states.length;
  const nt = model.transitions.length;
  // Outgoing transitions of each state, CSR-style, with cumulative rates.
  const start = new Int32Array(n + 1);
  for (const t of model.transitions) if (t.ratePerS > 0) start[t.from + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const outIdx = new Int32Array(start[n]!);
  const outCum = new Float64Array(start[n]!);
  model.transitions.forEach((t, k) => {
    if (t.ratePerS > 0) outIdx[fill[t.from]!++] = k;
  });
  const totalRate = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let q = start[i]!; q < start[i + 1]!; q++) outCum[q] = c += model.transitions[outIdx[q]!]!.ratePerS;
    totalRate[i] = c;
  }
  const to = Int32Array.from(model.transitions, (t) => t.to);

  let state =
    options.initialState === undefined
      ? drawState(stationaryDistribution(model), uniform)
      : model.states.indexOf(options.initialState);
  if (state < 0) throw new RangeError(`unknown initial state "${options.initialState}"`);
  const nb = options.batches ?? 0;
  const batchS = nb > 0 ? durationS / nb : Infinity;
  const counts = new Float64Array(nt);
  const batchCounts = Array.from({ length: nb }, () => new Float64Array(nt));
  const time = new Float64Array(n);
  const weights = options.current?.weights;
  if (weights !== undefined && weights.length !== nt)
    throw new RangeError("current.weights must align with spec.transitions");
  const windowS = options.current?.windowS ?? Infinity;
  const nw = options.current === undefined ? 0 : Math.floor(durationS / windowS + 1e-9);
  const windows = new Float64Array(nw);

  let t = 0;
  let jumps = 0;
  for (;;) {
    const rate = totalRate[state]!;
    const dt = rate > 0 ? -Math.log(1 - uniform()) / rate : Infinity;
    if (t + dt >= durationS) {
      time[state]! += durationS - t;
      break;
    }
    time[state]! += dt;
    t += dt;
    const r = uniform() * rate;
    let q = start[state]!;
    const last = start[state + 1]! - 1;
    while (q < last && outCum[q]! <= r) q++;
    const k = outIdx[q]!;
    counts[k]!++;
    jumps++;
    if (nb > 0) batchCounts[Math.min(nb - 1, Math.floor(t / batchS))]![k]!++;
    if (weights !== undefined) {
      const w = Math.floor(t / windowS);
      if (w < nw) windows[w]! += weights[k]!;
    }
    state = to[k]!;
  }

  const asCounts = (c: Float64Array): TransitionCount[] =>
    spec.transitions.map((tr, k) => ({ from: tr.from, to: tr.to, mechanism: tr.mechanism ?? "", count: c[k]! }));
  return {
    durationS,
    jumps,
    counts: asCounts(counts),
    timeInStateS: [...time],
    batches: nb > 0 ? batchCounts.map((c) => ({ durationS: batchS, counts: asCounts(c) })) : null,
    currentWindows: options.current === undefined ? null : [...windows],
    finalState: model.states[state]!,
  };
}

function drawState(p: Float64Array, uniform: () => number): number {
  let r = uniform();
  for (let i = 0; i < p.length - 1; i++) if ((r -= p[i]!) < 0) return i;
  return p.length - 1;
}
