/**
 * Placement: which host runs which actor. Deterministic and documented: the actors that own a network node
 * (everything but software components) are cut into `hostCount` contiguous blocks of the scenario's actor table
 * (sizes differ by at most one), so actors listed next to each other, as a rack or a client with its server
 * usually are, share a host and their links stay local. A software component (ActorSpec.placedOn) always runs
 * on its server's host, for any host count: its CPU calls to the server are local calls that take no simulated
 * time and cannot cross hosts.
 * Results never depend on placement; only speed does.
 */
import type { ActorSpec } from "../nodes/runtime/topology.ts";

/** `actors`: the scenario's actor table, or just its length when no actor is a component. */
export function placeActors(actors: number | readonly Pick<ActorSpec, "index" | "placedOn">[], hostCount: number): number[] {
  if (!(Number.isInteger(hostCount) && hostCount >= 1)) throw new RangeError(`host count must be a positive integer, got ${hostCount}`);
  if (typeof actors === "number") return contiguous(actors, hostCount);
  const anchors = actors.filter((a) => a.placedOn === undefined);
  const blocks = contiguous(anchors.length, hostCount);
  const hostOf = new Array<number>(actors.length);
  anchors.forEach((a, i) => (hostOf[a.index] = blocks[i]!));
  for (const a of actors) {
    if (a.placedOn === undefined) continue;
    const host = hostOf[a.placedOn];
    if (host === undefined || actors[a.placedOn]!.placedOn !== undefined) throw new RangeError(`actor ${a.index} is placed on actor ${a.placedOn}, which is not a server`);
    hostOf[a.index] = host;
  }
  return hostOf;
}

function contiguous(count: number, hostCount: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor((i * hostCount) / count));
}
