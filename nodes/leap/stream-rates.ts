/**
 * The slow variable behind a leaping receiver's counts: the expected rate of each stream that feeds it.
 *
 * A sender draws its per-step count from a known propensity (a client's rate curve integrated over the step, a
 * balancer's share of what it receives) and writes that rate on the packet (SimPacket.streamRatePerS). The
 * receiver keeps the latest rate per source and sums them: its quasi-steady queue then follows the rate curve
 * itself, as the slow-scale approximation prescribes (the fast subsystem's law given the slow variables), and not
 * a smoothing of noisy counts, which near saturation is biased upwards (the mean wait is convex in λ) and lags.
 *
 * A stream that falls silent (its sender stopped, crashed or was rerouted) is forgotten once it has missed
 * SILENT_ARRIVALS expected arrivals: a Poisson stream does that with probability e^-20 by chance.
 *
 * A packet also carries its stream's shape: the SCV of its interarrival times (round robin over n replicas gives
 * each every n-th arrival: c_a² = 1/n) and whether it is one of n replicas joined by shortest queue (a pool).
 * Superposed streams take the rate-weighted SCV (Whitt's asymptotic method for a merge); a pool applies when every
 * live stream belongs to the same pool of n, otherwise its streams count as smooth streams of c_a² = 1/n.
 */
import type { SimPacket } from "../runtime/packet.ts";

const SILENT_ARRIVALS = 20;

interface Stream {
  ratePerNs: number;
  seenNs: number;
  /** SCV of the stream's interarrival times (1: Poisson). */
  ca2: number;
  /** Replicas joined by shortest queue (0: none). */
  pool: number;
}

/** The arrival process a station sees: its SCV and the replicas pooled by shortest queue (0: none). */
export interface ArrivalShape {
  ca2: number;
  pool: number;
}

export const POISSON: ArrivalShape = { ca2: 1, pool: 0 };

/** Latest rate per source actor (a plain record, so state snapshots stay plain data; keys iterate in order). */
export type StreamRates = Record<number, Stream>;

/** Notes the stream rate a packet carries (packets without one leave the record as it is). */
export function observeStream(rates: StreamRates, packet: SimPacket, nowNs: number): void {
  if (packet.streamRatePerS > 0)
    rates[packet.src] = {
      ratePerNs: packet.streamRatePerS / 1e9,
      seenNs: nowNs,
      ca2: packet.streamArrivalScv > 0 ? packet.streamArrivalScv : 1,
      pool: packet.streamPool > 1 ? packet.streamPool : 0,
    };
}

/**
 * The summed rate (per ns) of the live streams, or null when no stream has a known rate (the receiver then
 * estimates its rate from counts). Streams silent for SILENT_ARRIVALS expected arrivals (and at least two steps)
 * are dropped.
 */
export function totalRatePerNs(rates: StreamRates, nowNs: number, stepNs: number): number | null {
  let total = 0;
  let known = false;
  for (const key of Object.keys(rates)) {
    const src = Number(key);
    const stream = rates[src]!;
    if ((nowNs - stream.seenNs) * stream.ratePerNs > SILENT_ARRIVALS && nowNs - stream.seenNs > 2 * stepNs) {
      delete rates[src];
      continue;
    }
    total += stream.ratePerNs;
    known = true;
  }
  return known ? total : null;
}

/** The shape of the live streams' superposition (call after totalRatePerNs, which forgets silent streams). */
export function arrivalShape(rates: StreamRates): ArrivalShape {
  let total = 0;
  let weighted = 0;
  let pool: number | null = null;
  for (const key of Object.keys(rates)) {
    const stream = rates[Number(key)]!;
    total += stream.ratePerNs;
    weighted += stream.ratePerNs * (stream.pool > 1 ? 1 / stream.pool : stream.ca2);
    pool = pool === null || pool === stream.pool ? stream.pool : 0;
  }
  if (!(total > 0)) return POISSON;
  if (pool !== null && pool > 1) return { ca2: 1, pool };
  return { ca2: weighted / total, pool: 0 };
}
