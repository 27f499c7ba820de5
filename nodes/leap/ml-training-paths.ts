/** Paths of a training ring's chunks and notices over the scenario's links (fewest hops, store-and-forward). */
import type { LinkSpec } from "../runtime/topology.ts";

/** Wire time of one chunk on one hop: serialization (rounded up to the ns, as exact mode does) + latency. */
export function hopNs(link: LinkSpec, chunkBytes: number): number {
  const serialization = link.bandwidthBps > 0 ? Math.ceil((chunkBytes * 8 * 1e9) / link.bandwidthBps) : 0;
  return serialization + link.latencyNs;
}

/** The links from actor `from` to `to` over the fewest hops (ties: links in scenario order), in order. */
export function pathLinks(links: readonly LinkSpec[], from: number, to: number): LinkSpec[] {
  const via = new Map<number, { prev: number; link: LinkSpec } | null>([[from, null]]);
  let frontier = [from];
  while (frontier.length > 0 && !via.has(to)) {
    const next: number[] = [];
    for (const node of frontier)
      for (const link of links) {
        const other = link.a === node ? link.b : link.b === node ? link.a : -1;
        if (other < 0 || via.has(other)) continue;
        via.set(other, { prev: node, link });
        next.push(other);
      }
    frontier = next;
  }
  if (!via.has(to)) throw new Error(`no path from actor ${from} to actor ${to}`);
  const path: LinkSpec[] = [];
  for (let at = via.get(to); at != null; at = via.get(at.prev)) path.unshift(at.link);
  return path;
}

/** Delay of `bytes` from actor `from` to `to` over the fewest hops, store-and-forward. */
export function pathNs(links: readonly LinkSpec[], from: number, to: number, bytes: number): number {
  return pathLinks(links, from, to).reduce((sum, link) => sum + hopNs(link, bytes), 0);
}
