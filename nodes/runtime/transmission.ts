/**
 * Link transmission as a function of the link, its wire's state and the sender's random stream: when the packet
 * leaves, when the wire is free again (the wire's state advances to then), and when (or whether) it arrives at the
 * other end.
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
 * The links as transmission reads them, one row of WIRE_FIELDS doubles per link (a cache line: a packet's hop
 * touches one row, not a link object and its boxed numbers): the link's parameters and, per direction, when its
 * wire is free again. delivery.ts keeps the table and refreshes the parameters when link commands change them.
 */
export const WireField = {
  up: 0,
  latencyNs: 1,
  bandwidthBps: 2,
  loss: 3,
  jitterNs: 4,
  /** Watts a port draws more while it sends (0: none). */
  busyExtraW: 5,
  /** The forward direction's wire is busy until then; the reverse direction's at the next field. */
  busyUntilNs: 6,
} as const;
export const WIRE_FIELDS = 8;

/** Writes the parameters of `link` into its row (`row` = link index × WIRE_FIELDS); the wires' times stay. */
export function writeWire(wires: Float64Array, row: number, link: LiveLink): void {
  wires[row + WireField.up] = link.up ? 1 : 0;
  wires[row + WireField.latencyNs] = link.latencyNs;
  wires[row + WireField.bandwidthBps] = link.bandwidthBps;
  wires[row + WireField.loss] = link.loss;
  wires[row + WireField.jitterNs] = link.jitterNs;
  wires[row + WireField.busyExtraW] = link.busyExtraW ?? 0;
}

/**
 * Puts a packet of `sizeBytes` on the link of row `row` in direction `reverse` (0 or 1) at `nowNs`. A link that
 * is down takes nothing (the wire stays as it was). Otherwise the packet waits for the wire, is serialized (the
 * wire is busy until then), then lost with the link's loss probability (one draw from the sender's stream, only
 * when loss > 0) or arrives after the latency plus a jitter drawn uniformly from [0, jitter) (one draw, only when
 * jitter > 0). A packet standing for `multiplicity` real ones (leap mode) loses a binomial count of them, each
 * independently with the loss probability; the outcome is `lost` only when all are, else `sent` with `out.lost`
 * of them gone.
 */
export function transmit(
  wires: Float64Array,
  row: number,
  reverse: number,
  nowNs: number,
  sizeBytes: number,
  rng: { uniform(): number },
  out: TransmitTimes,
  multiplicity = 1,
): Transmit {
  if (wires[row + WireField.up] === 0) return Transmit.linkDown;
  const busy = row + WireField.busyUntilNs + reverse;
  out.departNs = Math.max(nowNs, wires[busy]!);
  out.doneNs = out.departNs + wireNs(sizeBytes, wires[row + WireField.bandwidthBps]!);
  wires[busy] = out.doneNs;
  out.lost = 0;
  const loss = wires[row + WireField.loss]!;
  if (loss > 0) {
    out.lost = multiplicity === 1 ? (rng.uniform() < loss ? 1 : 0) : binomial(multiplicity, loss, rng);
    if (out.lost === multiplicity) return Transmit.lost;
  }
  const jitter = wires[row + WireField.jitterNs]!;
  const jitterNs = jitter > 0 ? Math.floor(rng.uniform() * jitter) : 0;
  out.arriveNs = out.doneNs + wires[row + WireField.latencyNs]! + jitterNs;
  return Transmit.sent;
}

/** Time to put a packet on the wire: size / bandwidth, rounded up to whole nanoseconds. */
export function serializationNs(sizeBytes: number, link: Pick<LinkSpec, "bandwidthBps">): number {
  return wireNs(sizeBytes, link.bandwidthBps);
}

function wireNs(sizeBytes: number, bandwidthBps: number): number {
  return bandwidthBps <= 0 ? 0 : Math.ceil((sizeBytes * 8 * 1e9) / bandwidthBps);
}
