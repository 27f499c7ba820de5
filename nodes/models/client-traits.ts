/**
 * A client's traits for the coordinator (traits.ts): the requests it originates and how a load change scales it,
 * read from its validated parameters (client.ts).
 */
import type { KindTraits } from "./traits.ts";

type Arrivals = Record<string, unknown> & { process?: string };

/** Long-run mean rate of a poisson, mmpp or diurnal process; null for others (a load change cannot scale them). */
export function curveMeanRatePerS(arrivals: Arrivals | undefined): number | null {
  switch (arrivals?.process) {
    case "poisson":
      return arrivals.rate_per_s as number;
    case "diurnal":
      return arrivals.mean_rate_per_s as number;
    case "mmpp": {
      // Phases are visited in cyclic order, each for its mean sojourn: the long-run rate weights rates by sojourn.
      const phases = arrivals.phases as { rate_per_s: number; mean_sojourn: number }[];
      const time = phases.reduce((s, p) => s + p.mean_sojourn, 0);
      return time > 0 ? phases.reduce((s, p) => s + p.rate_per_s * p.mean_sojourn, 0) / time : null;
    }
    default:
      return null;
  }
}

/** Mean requests per second of any arrival process: a curve's mean, a trace's rows over its span; null for closed loops. */
function demandRatePerS(arrivals: Arrivals): number | null {
  if (arrivals.process !== "trace") return curveMeanRatePerS(arrivals);
  const rows = arrivals.rows as { at: number }[];
  const spanS = rows.length > 1 ? (rows.at(-1)!.at - rows[0]!.at) / 1e9 : 0;
  return spanS > 0 ? rows.length / spanS : null;
}

export const clientTraits: Partial<KindTraits> = {
  trafficSource: (p) =>
    typeof p.target === "string" && p.arrivals !== undefined
      ? { target: p.target, ratePerS: demandRatePerS(p.arrivals as Arrivals) }
      : undefined,
  load: {
    meanRatePerS: (p) => curveMeanRatePerS(p.arrivals as Arrivals | undefined),
    closedLoop: (p) => (p.arrivals as Arrivals | undefined)?.process === "closed",
  },
};
