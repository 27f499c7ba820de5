/**
 * The lookahead of a placement: the smallest delay a packet can take from one host to another. A packet crosses
 * hosts only on a link whose two network nodes (topology.ts `networkNodes`: a component counts as its server) run
 * on different hosts; it takes at least the link's latency plus, on a link of finite bandwidth, the serialization
 * time of its smallest possible packet (one byte: ceil(8e9 / bandwidth) ns). Nothing sent in a window that ends
 * within this delay of its start can reach another host inside it.
 */
import { networkNodes, type ResolvedScenario } from "./topology.ts";

/** Number.POSITIVE_INFINITY when no link is cut (one host, or hosts that share no link). */
export function lookaheadNs(scenario: ResolvedScenario, hostOf: readonly number[]): number {
  const node = networkNodes(scenario.actors);
  let smallest = Number.POSITIVE_INFINITY;
  for (const link of scenario.links) {
    if (hostOf[node[link.a]!] === hostOf[node[link.b]!]) continue;
    const delay = link.latencyNs + (link.bandwidthBps > 0 ? Math.ceil(8e9 / link.bandwidthBps) : 0);
    if (delay < smallest) smallest = delay;
  }
  return smallest;
}
