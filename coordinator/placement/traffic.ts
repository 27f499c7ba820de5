/**
 * Expected traffic per link, estimated from model parameters before the run, for placement only (results never
 * depend on it). Demands: every client sends its mean arrival rate (Poisson rate, MMPP rates weighted by mean
 * sojourn, diurnal mean, trace rows over the trace's span; closed loops and anything else: the mean of the known
 * rates) to its target; a load balancer passes what it gets on, split equally among its replicas; a server or
 * component with downstream `calls` sends what it gets times each call's `count` to each call target (at most
 * MAX_CALL_DEPTH levels, so call cycles end). Each demand flows along shortest paths (hop count, as the router's)
 * with equal splits over equal-cost next hops (ECMP in expectation), and its response comes back the same way:
 * 2 × rate packets per second on every link of the path.
 *
 * Cost: one breadth-first search per distinct destination node, where a destination with a single link (a server
 * on its leaf) counts as its neighbour: every path to it ends with that link, so its demands are routed to the
 * neighbour and the link gets their rates. Past ROUTE_BUDGET (destinations × links) the
 * estimate gives up and every link gets the same traffic ("uniform"): placement then balances actor counts and
 * keeps latencies, labels and components as usual.
 */
import { kindTraits } from "../../nodes/models/registry.ts";
import { networkNodes, type ResolvedScenario } from "../../nodes/runtime/topology.ts";

const MAX_CALL_DEPTH = 6;
const ROUTE_BUDGET = 50_000_000;

export interface TrafficEstimate {
  /** Expected packets per second on each link (both directions). */
  linkPacketsPerS: Float64Array;
  /** "routes": from the demands above; "uniform": no demand known or too large to route (every link 1). */
  method: "routes" | "uniform";
}

interface Demand {
  from: number;
  to: number;
  ratePerS: number;
}

export function estimateTraffic(scenario: ResolvedScenario): TrafficEstimate {
  const links = scenario.links;
  const demands = demandsOf(scenario);
  const node = networkNodes(scenario.actors);
  const byDestination = new Map<number, Demand[]>();
  for (const d of demands) {
    const from = node[d.from]!;
    const to = node[d.to]!;
    if (from === to || !(d.ratePerS > 0)) continue;
    let list = byDestination.get(to);
    if (list === undefined) byDestination.set(to, (list = []));
    list.push({ from, to, ratePerS: d.ratePerS });
  }
  const adjacency = adjacencyOf(scenario);
  const traffic = new Float64Array(links.length);
  const known = byDestination.size > 0;
  foldStubs(byDestination, adjacency, traffic);
  if (!known || byDestination.size * (links.length + scenario.actors.length) > ROUTE_BUDGET) {
    return { linkPacketsPerS: new Float64Array(links.length).fill(1), method: "uniform" };
  }
  const n = scenario.actors.length;
  const scratch = { dist: new Int32Array(n), order: new Int32Array(n), pending: new Float64Array(n) };
  for (const [to, list] of [...byDestination].sort((a, b) => a[0] - b[0]))
    routeTo(to, list, adjacency, scratch, traffic);
  return { linkPacketsPerS: traffic, method: "routes" };
}

/**
 * Destinations with a single link hand their demands to the node at its other end, and the link gets their
 * requests and responses (2 × rate): the flow towards them is the flow towards that node, one hop further.
 */
function foldStubs(byDestination: Map<number, Demand[]>, g: Adjacency, traffic: Float64Array): void {
  const part = componentsOf(g);
  for (const [to, list] of [...byDestination].sort((a, b) => a[0] - b[0])) {
    if (g.start[to + 1]! - g.start[to]! !== 1) continue;
    const via = g.neighbor[g.start[to]!]!;
    byDestination.delete(to);
    let onward = byDestination.get(via);
    for (const d of list) {
      if (part[d.from] !== part[to]) continue; // no route: no traffic (as in routeTo)
      traffic[g.link[g.start[to]!]!]! += 2 * d.ratePerS;
      if (d.from === via) continue;
      if (onward === undefined) byDestination.set(via, (onward = []));
      onward.push({ from: d.from, to: via, ratePerS: d.ratePerS });
    }
  }
}

/** The connected component of every node, numbered by its first node. */
function componentsOf(g: Adjacency): Int32Array {
  const n = g.start.length - 1;
  const part = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  for (let root = 0; root < n; root++) {
    if (part[root] !== -1) continue;
    part[root] = root;
    stack.push(root);
    while (stack.length > 0) {
      const here = stack.pop()!;
      for (let p = g.start[here]!; p < g.start[here + 1]!; p++) {
        const next = g.neighbor[p]!;
        if (part[next] === -1) {
          part[next] = root;
          stack.push(next);
        }
      }
    }
  }
  return part;
}

/** Neighbours and links of every actor in link order, as offsets into flat arrays (CSR). */
interface Adjacency {
  start: Int32Array;
  neighbor: Int32Array;
  link: Int32Array;
}

function adjacencyOf(scenario: ResolvedScenario): Adjacency {
  const n = scenario.actors.length;
  const start = new Int32Array(n + 1);
  for (const l of scenario.links) {
    start[l.a + 1]!++;
    start[l.b + 1]!++;
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const neighbor = new Int32Array(2 * scenario.links.length);
  const link = new Int32Array(2 * scenario.links.length);
  for (const l of scenario.links) {
    neighbor[fill[l.a]!] = l.b;
    link[fill[l.a]!++] = l.index;
    neighbor[fill[l.b]!] = l.a;
    link[fill[l.b]!++] = l.index;
  }
  return { start, neighbor, link };
}

/**
 * Flow accumulation towards one destination: nodes in decreasing distance pass their accumulated rate on, split
 * equally over the neighbours one hop closer. Requests and responses: 2 × rate per link.
 */
function routeTo(
  to: number,
  demands: readonly Demand[],
  g: Adjacency,
  scratch: { dist: Int32Array; order: Int32Array; pending: Float64Array },
  traffic: Float64Array,
): void {
  const { dist, order, pending } = scratch;
  dist.fill(-1);
  dist[to] = 0;
  order[0] = to;
  let length = 1;
  for (let head = 0; head < length; head++) {
    const here = order[head]!;
    for (let p = g.start[here]!; p < g.start[here + 1]!; p++) {
      const next = g.neighbor[p]!;
      if (dist[next] !== -1) continue;
      dist[next] = dist[here]! + 1;
      order[length++] = next;
    }
  }
  for (const d of demands) if (dist[d.from]! > 0) pending[d.from]! += d.ratePerS;
  for (let i = length - 1; i > 0; i--) {
    const here = order[i]!;
    const rate = pending[here]!;
    if (rate === 0) continue;
    pending[here] = 0;
    const closerDist = dist[here]! - 1;
    let closer = 0;
    for (let p = g.start[here]!; p < g.start[here + 1]!; p++) if (dist[g.neighbor[p]!] === closerDist) closer++;
    for (let p = g.start[here]!; p < g.start[here + 1]!; p++) {
      const next = g.neighbor[p]!;
      if (dist[next] !== closerDist) continue;
      traffic[g.link[p]!]! += (2 * rate) / closer;
      pending[next]! += rate / closer;
    }
  }
  pending[to] = 0;
}

/** Demands (actor to actor, requests per second) from clients, load balancers and downstream calls. */
function demandsOf(scenario: ResolvedScenario): Demand[] {
  const indexById = new Map(scenario.actors.map((a) => [a.id, a.index]));
  const sources: { from: number; to: number; rate: number | null }[] = [];
  for (const actor of scenario.actors) {
    const source = kindTraits(actor.kind).trafficSource?.(actor.params as Record<string, unknown>);
    const to = source === undefined ? undefined : indexById.get(source.target);
    if (to !== undefined) sources.push({ from: actor.index, to, rate: source!.ratePerS });
  }
  const known = sources.filter((s) => s.rate !== null);
  const fallback = known.length > 0 ? known.reduce((sum, s) => sum + s.rate!, 0) / known.length : 1;
  const demands: Demand[] = [];
  const forward = (from: number, to: number, ratePerS: number, depth: number) => {
    demands.push({ from, to, ratePerS });
    if (depth >= MAX_CALL_DEPTH) return;
    for (const next of onwardCalls(scenario.actors[to]!, indexById))
      forward(to, next.to, ratePerS * next.share, depth + 1);
  };
  for (const s of sources) forward(s.from, s.to, s.rate ?? fallback, 0);
  return demands;
}

/** Where an actor sends requests on for each request it gets (its kind's `onwardTraffic` trait: nodes/models/traits.ts). */
function onwardCalls(
  actor: ResolvedScenario["actors"][number],
  indexById: ReadonlyMap<string, number>,
): { to: number; share: number }[] {
  const out: { to: number; share: number }[] = [];
  for (const { id, share } of kindTraits(actor.kind).onwardTraffic?.(actor.params as Record<string, unknown>) ?? []) {
    const to = indexById.get(id);
    if (to !== undefined) out.push({ to, share });
  }
  return out;
}
