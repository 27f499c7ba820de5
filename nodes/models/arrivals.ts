/**
 * Open-loop arrival processes: when the next request leaves, drawn from the client's own random stream.
 * Poisson; MMPP (a Markov-modulated Poisson process: phases with their own rates, left after exponential
 * sojourns, in cyclic order); diurnal (a sinusoidal rate curve, sampled exactly by thinning); and trace replay
 * (times, types and sizes from a table, e.g. a CSV file the loader inlines).
 */
import { z } from "zod";
import type { Rng } from "../runtime/rng.ts";
import { duration, ratePerSecond, size } from "../../spec/units.ts";
import { describe, MAX_RATE_PER_S } from "../../spec/limits.ts";
import { lazy } from "../../spec/lazy.ts";

const rate = ratePerSecond;
const nonNegativeRate = () =>
  z
    .number({ error: "expected a non-negative number (per second)" })
    .nonnegative({ error: "expected a non-negative number (per second)" })
    .max(MAX_RATE_PER_S, { error: `expected a rate ${describe.rate}` });

const traceRow = lazy(() =>
  z
    .object({
      /** Time since the start of the run (a duration; bare numbers are seconds). */
      at: duration({ positive: false }),
      /** Request type; each distinct type becomes a packet kind (0, 1, .. in order of first appearance). */
      type: z.string({ error: "expected a request type name" }).default(""),
      /** Request size; the client's request_bytes when omitted. */
      bytes: size().optional(),
    })
    .strict(),
);

export const openLoopProcess = lazy(
  () =>
    [
      z.object({ process: z.literal("poisson"), rate_per_s: rate() }).strict(),
      z
        .object({
          process: z.literal("mmpp"),
          phases: z
            .array(z.object({ rate_per_s: nonNegativeRate(), mean_sojourn: duration() }).strict(), {
              error: "expected a list of phases",
            })
            .min(2, { error: "expected at least two phases" })
            .refine((phases) => phases.some((p) => p.rate_per_s > 0), {
              error: "at least one phase needs a positive rate",
            }),
        })
        .strict(),
      z
        .object({
          process: z.literal("diurnal"),
          /** λ(t) = mean_rate_per_s · (1 + amplitude · cos(2π (t − peak_at) / period)). */
          mean_rate_per_s: rate(),
          amplitude: z
            .number({ error: "expected a fraction from 0 to 1" })
            .min(0, { error: "expected a fraction from 0 to 1" })
            .max(1, { error: "expected a fraction from 0 to 1" }),
          period: duration().default(86_400e9),
          peak_at: duration({ positive: false }).default(0),
        })
        .strict(),
      z
        .object({
          process: z.literal("trace"),
          rows: z
            .array(traceRow, { error: "expected a list of rows {at, type, bytes}" })
            .min(1, { error: "expected at least one row" })
            .refine((rows) => rows.every((r, i) => i === 0 || r.at >= rows[i - 1]!.at), {
              error: "rows must be in time order",
            }),
        })
        .strict(),
    ] as const,
);

export type OpenLoopProcess = z.output<(typeof openLoopProcess)[number]>;

export interface ArrivalState {
  /** MMPP: current phase and when it ends (ns, unrounded). */
  phase: number;
  phaseEndNs: number;
  /** Trace: the next row to replay. */
  row: number;
  /** Kind of each trace row (its type's number). */
  kinds: number[];
  /** Load factor applied to every rate (load injection). */
  factor: number;
}

/** A process event: at `atNs` a request leaves (with the trace row it replays, else -1), or only a phase changes. */
export interface ArrivalDraw {
  atNs: number;
  arrival: boolean;
  row: number;
}

export function initialArrivalState(spec: OpenLoopProcess, rng: Rng): ArrivalState {
  const st: ArrivalState = { phase: 0, phaseEndNs: 0, row: 0, kinds: [], factor: 1 };
  if (spec.process === "mmpp") {
    // Start in the stationary phase distribution of the cyclic chain (time share ∝ mean sojourn); by memorylessness
    // the rest of that sojourn is again exponential.
    const total = spec.phases.reduce((s, p) => s + p.mean_sojourn, 0);
    let u = rng.uniform() * total;
    st.phase = spec.phases.findIndex((p) => (u -= p.mean_sojourn) < 0);
    if (st.phase < 0) st.phase = spec.phases.length - 1;
    st.phaseEndNs = rng.exponential(1 / spec.phases[st.phase]!.mean_sojourn);
  } else if (spec.process === "trace") {
    const types = new Map<string, number>();
    st.kinds = spec.rows.map((r) => {
      if (!types.has(r.type)) types.set(r.type, types.size);
      return types.get(r.type)!;
    });
  }
  return st;
}

/**
 * The next event of the process after `nowNs`, written to `out` (one object per client, not one per arrival);
 * false when the process has no more (a trace ran out). State changes (an MMPP phase change) happen when their
 * event is handled, so a redraw in between (a load change) is exact.
 */
export function nextArrival(
  spec: OpenLoopProcess,
  st: ArrivalState,
  nowNs: number,
  rng: Rng,
  out: ArrivalDraw,
): boolean {
  switch (spec.process) {
    case "poisson":
      return drawn(out, nowNs + Math.round(rng.exponential(1 / (1e9 / (spec.rate_per_s * st.factor)))), true, -1);
    case "mmpp": {
      let fromNs = nowNs;
      if (nowNs >= Math.round(st.phaseEndNs)) {
        // The phase-change event: the next phase starts (memoryless, so draws start afresh at the change).
        fromNs = Math.max(nowNs, st.phaseEndNs);
        st.phase = (st.phase + 1) % spec.phases.length;
        st.phaseEndNs = fromNs + rng.exponential(1 / spec.phases[st.phase]!.mean_sojourn);
      }
      const ratePerNs = (spec.phases[st.phase]!.rate_per_s * st.factor) / 1e9;
      const candidate = ratePerNs > 0 ? fromNs + rng.exponential(ratePerNs) : Number.POSITIVE_INFINITY;
      if (candidate < st.phaseEndNs) return drawn(out, Math.round(candidate), true, -1);
      return drawn(out, Math.round(st.phaseEndNs), false, -1);
    }
    case "diurnal": {
      // Thinning (Lewis & Shedler): candidates at the peak rate, each kept with probability λ(t) / λmax.
      const maxPerNs = (spec.mean_rate_per_s * (1 + spec.amplitude) * st.factor) / 1e9;
      let t = nowNs;
      for (;;) {
        t += rng.exponential(maxPerNs);
        const ratio =
          (1 + spec.amplitude * Math.cos((2 * Math.PI * (t - spec.peak_at)) / spec.period)) / (1 + spec.amplitude);
        if (rng.uniform() < ratio) return drawn(out, Math.round(t), true, -1);
      }
    }
    case "trace": {
      while (st.row < spec.rows.length && spec.rows[st.row]!.at < nowNs) st.row++; // missed while the client was down
      const row = st.row;
      if (row >= spec.rows.length) return false;
      st.row++;
      return drawn(out, Math.max(nowNs, spec.rows[row]!.at), true, row);
    }
    default: {
      const unreachable: never = spec;
      throw new Error(`unknown arrival process ${JSON.stringify(unreachable)}`);
    }
  }
}

function drawn(out: ArrivalDraw, atNs: number, arrival: boolean, row: number): true {
  out.atNs = atNs;
  out.arrival = arrival;
  out.row = row;
  return true;
}
