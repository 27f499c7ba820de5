/**
 * A two-tier leaf-spine (folded Clos) fabric: every leaf links to every spine, servers hang off one leaf each.
 * Totals: leaves × servers_per_leaf servers, leaves + spines switches, leaves × (servers_per_leaf + spines)
 * links. A rack is a leaf with its servers; actors are listed leaf by leaf (leaf, then its servers), spines last.
 */
import { rackLabels, type GeneratedActor, type GeneratedLinkEnds, type GeneratedTopology } from "./generated.ts";

export interface LeafSpineShape {
  leaves: number;
  spines: number;
  serversPerLeaf: number;
  racksPerRow?: number;
  rowsPerZone?: number;
}

export function leafSpine({
  leaves,
  spines,
  serversPerLeaf,
  racksPerRow,
  rowsPerZone,
}: LeafSpineShape): GeneratedTopology {
  const perRow = racksPerRow ?? leaves;
  const perZone = rowsPerZone ?? Number.MAX_SAFE_INTEGER;
  const actors: GeneratedActor[] = [];
  const links: GeneratedLinkEnds[] = [];
  for (let l = 0; l < leaves; l++) {
    const rack = rackLabels(l, perRow, perZone);
    const leaf = `leaf-${l}`;
    actors.push({ id: leaf, role: "switch", tier: "leaf", labels: { ...rack, tier: "leaf" } });
    for (let h = 0; h < serversPerLeaf; h++) {
      const server = `srv-${l}-${h}`;
      actors.push({ id: server, role: "server", tier: "server", labels: { ...rack, tier: "server" } });
      links.push({ a: leaf, b: server, tier: "server" });
    }
  }
  for (let s = 0; s < spines; s++) {
    const spine = `spine-${s}`;
    actors.push({ id: spine, role: "switch", tier: "spine", labels: { tier: "spine" } });
    for (let l = 0; l < leaves; l++) links.push({ a: spine, b: `leaf-${l}`, tier: "fabric" });
  }
  return { actors, links };
}
