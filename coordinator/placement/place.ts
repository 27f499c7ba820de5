/**
 * Placement: which host runs which actor. Placement changes speed, never results (every host orders events by
 * the same placement-free key), so it is free to chase speed:
 *   - a software component (ActorSpec.placedOn) always runs on its server's host: its CPU calls to the server
 *     are local calls that take no simulated time and cannot cross hosts;
 *   - the links cut between hosts are as long as balance allows: the shortest of them (plus one byte's
 *     serialization) is the lookahead that bounds how long a window may be (nodes/runtime/lookahead.ts);
 *   - `zone`, `pod`, `row` and `rack` labels stay whole where that costs no lookahead (coarsest level first);
 *   - little expected traffic crosses hosts (placement/traffic.ts estimates it from the models' parameters);
 *   - hosts get about the same expected work: an actor weighs what it is expected to handle, the packets it
 *     receives and sends per second (placement/traffic.ts), plus a small floor per actor (its bookkeeping and
 *     memory, and a weight for actors no expected traffic reaches). A host's events per window follow its packets
 *     (an arrival is an event; a client's or server's timer goes with each request it sends or serves), so equal
 *     packet shares give hosts equal work per window and neither waits for the other.
 * The partitioning heuristic is in placement/partition.ts. Deterministic: the same scenario and host count give
 * the same placement on every machine.
 */
import { networkNodes, type ActorSpec, type ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { partition, type Partition } from "./partition.ts";
import { estimateTraffic, type TrafficEstimate } from "./traffic.ts";

export interface PlacementPlan extends Partition {
  traffic: TrafficEstimate;
}

type PlacementActor = Pick<ActorSpec, "index" | "placedOn"> & Partial<Pick<ActorSpec, "labels">>;

/**
 * `input`: the resolved scenario; or only its actor table (no links: labels, components and counts decide);
 * or just an actor count (contiguous blocks, for tests of the runtime).
 */
export function placeActors(input: number | ResolvedScenario | readonly PlacementActor[], hostCount: number): number[] {
  checkHostCount(hostCount);
  if (typeof input === "number") return Array.from({ length: input }, (_, i) => Math.floor((i * hostCount) / input));
  if (Array.isArray(input)) {
    const actors = input as readonly PlacementActor[];
    checkComponents(actors);
    return partition(
      {
        node: Int32Array.from(actors, (a) => a.placedOn ?? a.index),
        labels: actors.map((a) => a.labels ?? {}),
        links: [],
        weight: new Float64Array(actors.length).fill(1),
      },
      hostCount,
    ).hostOf;
  }
  const scenario = input as ResolvedScenario;
  if (hostCount === 1) {
    // Everything on host 0: no traffic estimate (a route search per destination, seconds on a large fabric).
    checkComponents(scenario.actors);
    return new Array<number>(scenario.actors.length).fill(0);
  }
  return planPlacement(scenario, hostCount).hostOf;
}

export function planPlacement(scenario: ResolvedScenario, hostCount: number): PlacementPlan {
  checkHostCount(hostCount);
  checkComponents(scenario.actors);
  const traffic = estimateTraffic(scenario);
  const t = traffic.linkPacketsPerS;
  let sum = 0;
  for (const x of t) sum += x;
  const epsilon = scenario.links.length > 0 && sum > 0 ? (0.01 * sum) / scenario.links.length : 1;
  const weight = expectedWork(scenario, traffic);
  const links = scenario.links.map((l) => ({ a: l.a, b: l.b, delayNs: linkDelayNs(l), cost: t[l.index]! + epsilon }));
  const parts = partition(
    { node: networkNodes(scenario.actors), labels: scenario.actors.map((a) => a.labels), links, weight },
    hostCount,
  );
  return { ...parts, traffic };
}

/** Share of an actor's floor in the mean actor's expected work: small, so hosts balance packets, not actor counts. */
const ACTOR_FLOOR = 0.02;

/**
 * Each actor's expected work: the packets per second it handles (every link's expected packets count at both
 * ends: one end sends what the other receives) plus ACTOR_FLOOR of the mean. Without known traffic (uniform
 * estimate: every link counts 1) the work is a guess, so actors weigh half by count, half by their links (the
 * floor is the whole mean), as memory and bookkeeping follow the count.
 */
export function expectedWork(scenario: ResolvedScenario, traffic: TrafficEstimate): Float64Array {
  const t = traffic.linkPacketsPerS;
  const n = scenario.actors.length;
  const work = new Float64Array(n);
  let sum = 0;
  for (const link of scenario.links) {
    work[link.a]! += t[link.index]!;
    work[link.b]! += t[link.index]!;
    sum += 2 * t[link.index]!;
  }
  const floor = sum > 0 ? ((traffic.method === "uniform" ? 1 : ACTOR_FLOOR) * sum) / n : 1;
  for (let i = 0; i < n; i++) work[i]! += floor;
  return work;
}

/** The least time a packet spends on a link: its latency plus one byte's serialization where bandwidth is finite. */
export function linkDelayNs(link: { latencyNs: number; bandwidthBps: number }): number {
  return link.latencyNs + (link.bandwidthBps > 0 ? Math.ceil(8e9 / link.bandwidthBps) : 0);
}

function checkHostCount(hostCount: number): void {
  if (!(Number.isInteger(hostCount) && hostCount >= 1))
    throw new RangeError(`host count must be a positive integer, got ${hostCount}`);
}

function checkComponents(actors: readonly PlacementActor[]): void {
  for (const a of actors) {
    if (a.placedOn === undefined) continue;
    const server = actors[a.placedOn];
    if (server === undefined || server.placedOn !== undefined)
      throw new RangeError(`actor ${a.index} is placed on actor ${a.placedOn}, which is not a server`);
  }
}
