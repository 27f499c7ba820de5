/**
 * What a topology generator produces: actors by role (server or switch) with their tier and location labels, and
 * links by tier, named by actor id. The loader turns them into actors and links like explicit ones.
 */

export type Role = "server" | "switch" | "client";

export interface GeneratedActor {
  id: string;
  role: Role;
  /** server, client, edge, agg, core, leaf or spine: the default metrics group of a switch. */
  tier: string;
  /** rack, row, zone, pod (where they apply) and tier. */
  labels: Record<string, string>;
  /** Generated clients only: the id of the server the population sends to. */
  target?: string;
}

/** server: server to its rack switch; fabric: between switches; client: a generated client to its rack switch. */
export type LinkTier = "server" | "fabric" | "client";

export interface GeneratedLinkEnds {
  a: string;
  b: string;
  tier: LinkTier;
}

export interface GeneratedTopology {
  actors: GeneratedActor[];
  links: GeneratedLinkEnds[];
}

/** Rack r's row and zone: racks fill rows in order, rows fill zones. */
export function rackLabels(
  rack: number,
  racksPerRow: number,
  rowsPerZone: number,
): { rack: string; row: string; zone: string } {
  const row = Math.floor(rack / racksPerRow);
  return { rack: `rack-${rack}`, row: `row-${row}`, zone: `zone-${Math.floor(row / rowsPerZone)}` };
}
