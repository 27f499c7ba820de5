/**
 * Generated client populations (the topology's optional `clients` section): one population per generated server,
 * `clt-<server id without "srv-">`, targeting that server, on its own link (tier "client") to a rack switch. It
 * sits in its server's rack, except every `remoteEvery`-th population of a rack (positions remoteEvery − 1,
 * 2·remoteEvery − 1, ..), which sits in the rack half the racks away, so its requests and responses cross the
 * fabric. A population takes the location labels of the rack it sits in (tier "client") and is listed right after
 * that rack's servers, so racks stay together in the actor table.
 */
import type { GeneratedActor, GeneratedLinkEnds, GeneratedTopology } from "./generated.ts";

export function addClients(topology: GeneratedTopology, remoteEvery: number | undefined): GeneratedTopology {
  const byId = new Map(topology.actors.map((a) => [a.id, a]));
  // A rack: a switch with the servers linked to it by the server tier, in generator order.
  const rackOfServer = new Map<string, string>();
  const racks: string[] = [];
  for (const link of topology.links) {
    if (link.tier !== "server") continue;
    const [sw, server] = byId.get(link.a)!.role === "switch" ? [link.a, link.b] : [link.b, link.a];
    if (!racks.includes(sw)) racks.push(sw);
    rackOfServer.set(server, sw);
  }
  const sitting = new Map<string, GeneratedActor[]>(racks.map((r) => [r, []]));
  const links: GeneratedLinkEnds[] = [];
  const position = new Map<string, number>();
  for (const actor of topology.actors) {
    const home = rackOfServer.get(actor.id);
    if (actor.role !== "server" || home === undefined) continue;
    const index = position.get(home) ?? 0;
    position.set(home, index + 1);
    const remote = remoteEvery !== undefined && racks.length > 1 && index % remoteEvery === remoteEvery - 1;
    const rack = remote ? racks[(racks.indexOf(home) + Math.floor(racks.length / 2)) % racks.length]! : home;
    const { tier: _, ...location } = byId.get(rack)!.labels;
    const id = `clt-${actor.id.replace(/^srv-/, "")}`;
    sitting
      .get(rack)!
      .push({ id, role: "client", tier: "client", labels: { ...location, tier: "client" }, target: actor.id });
    links.push({ a: rack, b: id, tier: "client" });
  }
  const actors: GeneratedActor[] = [];
  topology.actors.forEach((actor, i) => {
    actors.push(actor);
    const rack = rackOfServer.get(actor.id);
    const next = topology.actors[i + 1];
    if (rack !== undefined && (next === undefined || rackOfServer.get(next.id) !== rack))
      actors.push(...sitting.get(rack)!);
  });
  return { actors, links: [...topology.links, ...links] };
}
