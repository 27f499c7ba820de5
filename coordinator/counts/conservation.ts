/**
 * The packet conservation law, checked after every window over all hosts:
 * injected = consumed + dropped + queued + in flight, where in flight counts packets in hosts' event queues and
 * packets sent between hosts but not yet merged. A violation is a bug in a model or the runtime: it stops the run.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";

export class ConservationError extends Error {
  override name = "ConservationError";
}

export interface ConservationTotals {
  injected: number;
  consumed: number;
  dropped: number;
  queued: number;
  inFlight: number;
}

export function conservationTotals(perHost: readonly dctwin.v1.PacketCounters.$Properties[]): ConservationTotals {
  const t = { injected: 0, consumed: 0, dropped: 0, queued: 0, inFlight: 0 };
  for (const c of perHost) {
    t.injected += Number(c.injected ?? 0);
    t.consumed += Number(c.consumed ?? 0);
    t.dropped += Number(c.dropped ?? 0);
    t.queued += Number(c.queued ?? 0);
    t.inFlight += Number(c.inFlightLocal ?? 0) + Number(c.sentRemote ?? 0) - Number(c.receivedRemote ?? 0);
  }
  return t;
}

/** Throws a ConservationError naming the window and every term when the law does not hold. */
export function checkConservation(window: number, timeNs: number, totals: ConservationTotals): void {
  const accounted = totals.consumed + totals.dropped + totals.queued + totals.inFlight;
  if (accounted !== totals.injected) {
    throw new ConservationError(
      `packet conservation violated after window ${window} (t = ${timeNs} ns): injected ${totals.injected} != consumed ${totals.consumed} + dropped ${totals.dropped} + queued ${totals.queued} + in flight ${totals.inFlight} (= ${accounted}, off by ${accounted - totals.injected})`,
    );
  }
}
