/**
 * The k-ary fat-tree (Al-Fares et al., 2008): k pods, each with k/2 edge and k/2 aggregation switches; every
 * edge switch has k/2 servers and links to every aggregation switch of its pod; (k/2)² core switches, core c
 * linked to aggregation switch ⌊c / (k/2)⌋ of every pod. Totals: k³/4 servers, 5k²/4 switches, 3k³/4 links.
 * A rack is an edge switch with its servers; actors are listed pod by pod (edge, its servers, .., aggregation),
 * cores last, so contiguous placement keeps a pod on one host.
 */
import { rackLabels, type GeneratedActor, type GeneratedLinkEnds, type GeneratedTopology } from "./generated.ts";

export interface FatTreeShape {
  k: number;
  racksPerRow?: number;
  rowsPerZone?: number;
}

export function fatTree({ k, racksPerRow, rowsPerZone }: FatTreeShape): GeneratedTopology {
  const half = k / 2;
  const perRow = racksPerRow ?? half;
  const perZone = rowsPerZone ?? Number.MAX_SAFE_INTEGER;
  const actors: GeneratedActor[] = [];
  const links: GeneratedLinkEnds[] = [];
  for (let pod = 0; pod < k; pod++) {
    const podLabel = `pod-${pod}`;
    for (let e = 0; e < half; e++) {
      const rack = rackLabels(pod * half + e, perRow, perZone);
      const edge = `edge-${pod}-${e}`;
      actors.push({ id: edge, role: "switch", tier: "edge", labels: { ...rack, pod: podLabel, tier: "edge" } });
      for (let h = 0; h < half; h++) {
        const server = `srv-${pod}-${e}-${h}`;
        actors.push({ id: server, role: "server", tier: "server", labels: { ...rack, pod: podLabel, tier: "server" } });
        links.push({ a: edge, b: server, tier: "server" });
      }
    }
    const { row, zone } = rackLabels(pod * half, perRow, perZone);
    for (let a = 0; a < half; a++) {
      const agg = `agg-${pod}-${a}`;
      actors.push({ id: agg, role: "switch", tier: "agg", labels: { row, zone, pod: podLabel, tier: "agg" } });
      for (let e = 0; e < half; e++) links.push({ a: agg, b: `edge-${pod}-${e}`, tier: "fabric" });
    }
  }
  for (let c = 0; c < half * half; c++) {
    const core = `core-${c}`;
    actors.push({ id: core, role: "switch", tier: "core", labels: { tier: "core" } });
    for (let pod = 0; pod < k; pod++) links.push({ a: core, b: `agg-${pod}-${Math.floor(c / half)}`, tier: "fabric" });
  }
  return { actors, links };
}
