/**
 * Placement: which host runs which actor. Deterministic and documented: actors are cut into `hostCount`
 * contiguous blocks of the scenario's actor table (sizes differ by at most one), so actors listed next to each
 * other, as a rack or a client with its server usually are, share a host and their links stay local.
 * Results never depend on placement; only speed does.
 */
export function placeActors(actorCount: number, hostCount: number): number[] {
  if (!(Number.isInteger(hostCount) && hostCount >= 1)) throw new RangeError(`host count must be a positive integer, got ${hostCount}`);
  return Array.from({ length: actorCount }, (_, i) => Math.floor((i * hostCount) / actorCount));
}
