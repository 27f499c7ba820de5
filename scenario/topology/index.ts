/** Expands a scenario's `topology` section with the generator of its type. */
import { addClients } from "./clients.ts";
import { fatTree } from "./fat-tree.ts";
import type { GeneratedTopology } from "./generated.ts";
import { leafSpine } from "./leaf-spine.ts";
import type { TopologySection } from "./schema.ts";

export function generateTopology(section: TopologySection): GeneratedTopology {
  const fabric = generateFabric(section);
  return section.clients === undefined ? fabric : addClients(fabric, section.clients.remote_every);
}

function generateFabric(section: TopologySection): GeneratedTopology {
  const layout = { racksPerRow: section.layout.racks_per_row, rowsPerZone: section.layout.rows_per_zone };
  switch (section.type) {
    case "fat-tree":
      return fatTree({ k: section.k, ...layout });
    case "leaf-spine":
      return leafSpine({
        leaves: section.leaves,
        spines: section.spines,
        serversPerLeaf: section.servers_per_leaf,
        ...layout,
      });
    default: {
      const unreachable: never = section;
      throw new Error(`unknown topology type ${JSON.stringify(unreachable)}`);
    }
  }
}
