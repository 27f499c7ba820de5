/**
 * Lookahead: the shortest simulated time a packet can take from one host to another. A host can run a window of
 * this length without hearing from the others, because nothing they send during it can arrive inside it.
 *
 * A packet crosses a cut link (its two network nodes are on different hosts) after the link's latency plus its
 * serialization time, which is at least that of one byte where bandwidth is finite. Links between actors of one
 * host bound nothing: those deliveries are exact inside a window. No cut link: +Infinity (windows run from one
 * boundary to the next).
 */
import { networkNodes, type LinkSpec, type ResolvedScenario } from "./topology.ts";

/** The lookahead of a placement over the scenario's links as specified. */
export function lookaheadNs(scenario: ResolvedScenario, hostOf: readonly number[]): number {
  return cutLookaheadNs(scenario.links, networkNodes(scenario.actors), hostOf);
}

/** The lookahead over links as they are now (after link commands changed latency or bandwidth). */
export function cutLookaheadNs(
  links: readonly Pick<LinkSpec, "a" | "b" | "latencyNs" | "bandwidthBps">[],
  nodeOf: Int32Array,
  hostOf: readonly number[],
): number {
  let min = Number.POSITIVE_INFINITY;
  for (const link of links) {
    if (hostOf[nodeOf[link.a]!] === hostOf[nodeOf[link.b]!]) continue;
    const oneByteNs = link.bandwidthBps > 0 ? Math.ceil(8e9 / link.bandwidthBps) : 0;
    min = Math.min(min, link.latencyNs + oneByteNs);
  }
  return min;
}
