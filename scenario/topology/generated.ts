/**
 * What a topology generator produces: actors by role (server or switch) with their tier and location labels, and
 * links by tier, named by actor id. The loader turns them into actors and links like explicit ones.
 */

export type Role = "server" | "switch";

export interface GeneratedActor {
  id: string;
  role: Role;
  /** server, edge, agg, core, leaf or spine: the default metrics group of a switch. */
  tier: string;
  /** rack, row, zone, pod (where they apply) and tier. */
  labels: Record<string, string>;
}

export interface GeneratedLinkEnds {
  a: string;
  b: string;
  tier: "server" | "fabric";
}

export interface GeneratedTopology {
  actors: GeneratedActor[];
  links: GeneratedLinkEnds[];
}

/** Rack r's row and zone: racks fill rows in order, rows fill zones. */
export function rackLabels(rack: number, racksPerRow: number, rowsPerZone: number): { rack: string; row: string; zone: string } {
  const row = Math.floor(rack / racksPerRow);
  return { rack: `rack-${rack}`, row: `row-${row}`, zone: `zone-${Math.floor(row / rowsPerZone)}` };
}
