/**
 * Rejoins indistinguishable parts of a count. A switch spreads a large count over equal-cost paths (a multinomial
 * split, switch.ts); the parts meet again downstream, often in the same step. Parts with the same flow, source,
 * species, size, hop count and virtual clock (flowCreatedNs: the same delays so far) are the same packets in
 * every respect the twin observes, so they merge back into one packet object. Parts whose delays differ (a
 * port wait, a server's sojourn sample) stay apart: they are different samples of the response-time law.
 *
 * Without this the objects of a fat-tree multiply at every tier (16 × 8 parts per count on a k = 16 core), and so
 * does the cost of a step.
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";

const same = (a: SimPacket, b: SimPacket) =>
  a.src === b.src &&
  a.species === b.species &&
  a.flowCreatedNs === b.flowCreatedNs &&
  a.hops === b.hops &&
  a.sizeBytes === b.sizeBytes &&
  a.dst === b.dst;

/** The inbox with indistinguishable parts merged, in the order of each survivor's first arrival. */
export function coalesce(inbox: SimPacket[], ctx: ActorContext): SimPacket[] {
  if (inbox.length < 2) return inbox;
  const byFlow = new Map<number, SimPacket[]>();
  const out: SimPacket[] = [];
  for (const packet of inbox) {
    let seen = byFlow.get(packet.flowId);
    if (seen === undefined) byFlow.set(packet.flowId, (seen = []));
    const twin = seen.find((p) => same(p, packet));
    if (twin !== undefined) ctx.merge(twin, packet);
    else {
      seen.push(packet);
      out.push(packet);
    }
  }
  return out;
}
