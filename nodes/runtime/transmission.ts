/**
 * Link transmission as a pure function of the link, the wire's state and the sender's random stream: when the
 * packet leaves, when the wire is free again, and when (or whether) it arrives at the other end.
 */
import type { LiveLink } from "./link-table.ts";
import { binomial } from "./sampling.ts";
import type { LinkSpec } from "./topology.ts";

export const Transmit = { sent: 0, linkDown: 1, lost: 2 } as const;
export type Transmit = (typeof Transmit)[keyof typeof Transmit];

/** Times of one transmission, written by `transmit` (reused by the caller: no allocation per packet). */
export interface TransmitTimes {
  departNs: number;
  /** The wire is busy until then (also for a packet lost on it). */
  doneNs: number;
  /** Arrival at the far end (sent packets only). */
  arriveNs: number;
  /** How many of the packet's multiplicity the wire lost (all of them when the outcome is `lost`). */
  lost: number;
}

/**
 * Puts a packet of `sizeBytes` on a link direction whose wire is busy until `busyUntilNs`, at `nowNs`. A link
 * that is down takes nothing (the wire stays as it was). Otherwise the packet waits for the wire, is serialized,
 * then lost with the link's loss probability (one draw from the sender's stream, only when loss > 0) or arrives after the
 * latency plus a jitter drawn uniformly from [0, jitter) (one draw, only when jitter > 0). A packet standing for
 * `multiplicity` real ones (leap mode) loses a binomial count of them, each independently with the loss
 * probability; the outcome is `lost` only when all are, else `sent` with `out.lost` of them gone.
 */
export function transmit(
  link: LiveLink,
  busyUntilNs: number,
  nowNs: number,
  sizeBytes: number,
  rng: { uniform(): number },
  out: TransmitTimes,
  multiplicity = 1,
): Transmit {
  if (!link.up) return Transmit.linkDown;
  out.departNs = Math.max(nowNs, busyUntilNs);
  out.doneNs = out.departNs + serializationNs(sizeBytes, link);
  out.lost = 0;
  if (link.loss > 0) {
    out.lost = multiplicity === 1 ? (rng.uniform() < link.loss ? 1 : 0) : binomial(multiplicity, link.loss, rng);
    if (out.lost === multiplicity) return Transmit.lost;
  }
  const jitterNs = link.jitterNs > 0 ? Math.floor(rng.uniform() * link.jitterNs) : 0;
  out.arriveNs = out.doneNs + link.latencyNs + jitterNs;
  return Transmit.sent;
}

/** Time to put a packet on the wire: size / bandwidth, rounded up to whole nanoseconds. */
export function serializationNs(sizeBytes: number, link: Pick<LinkSpec, "bandwidthBps">): number {
  if (link.bandwidthBps <= 0) return 0;
  return Math.ceil((sizeBytes * 8 * 1e9) / link.bandwidthBps);
}
