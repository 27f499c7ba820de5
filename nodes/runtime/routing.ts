/**
 * Shortest-path next hops over the link graph, computed lazily per destination by one BFS from it.
 * Ties go to the actor's first port in link order, so routes are deterministic. Switch models with ECMP use
 * `nextPorts` instead (all equal-cost next hops) and pick one per flow.
 *
 * Paths run between network nodes (`nodeOf`, topology.ts `networkNodes`): a software component has no ports and
 * is routed as its server, so a route towards a component ends at its server and a component's own route starts
 * at its server's ports. Two actors on the same node (a component and its server, or two components on one
 * server) have no route: they exchange packets locally (the shard's LOCAL_PORT).
 */
import type { Port } from "./topology.ts";

export class Router {
  private readonly distanceTo = new Map<number, Int32Array>();
  private readonly portsOf: readonly (readonly Port[])[];
  /** Equal-cost next hops per (from, dst), filled on first use (switches ask for every packet). */
  private readonly equalCost = new Map<number, readonly number[]>();

  private readonly nodeOf: Int32Array;

  constructor(portsOf: readonly (readonly Port[])[], nodeOf?: Int32Array) {
    this.portsOf = portsOf;
    this.nodeOf = nodeOf ?? Int32Array.from(portsOf, (_, i) => i);
  }

  /** Whether two actors share a network node (a component and its server, or components on one server). */
  sameNode(a: number, b: number): boolean {
    return this.nodeOf[a] === this.nodeOf[b];
  }

  /** Port index of `from`'s node on a shortest path to `dst`'s node, or -1 when unreachable or the same node. */
  nextPort(actor: number, dstActor: number): number {
    const from = this.nodeOf[actor]!;
    const dist = this.distances(this.nodeOf[dstActor]!);
    const here = dist[from]!;
    if (here <= 0) return -1;
    const ports = this.portsOf[from]!;
    for (let i = 0; i < ports.length; i++) {
      if (dist[ports[i]!.neighbor] === here - 1) return i;
    }
    return -1;
  }

  /** Every port of `from` on a shortest path to `dst`, in port order (ECMP candidates); empty when unreachable. */
  nextPorts(actor: number, dstActor: number): readonly number[] {
    const from = this.nodeOf[actor]!;
    const dst = this.nodeOf[dstActor]!;
    const key = from * this.portsOf.length + dst;
    let hops = this.equalCost.get(key);
    if (hops !== undefined) return hops;
    const dist = this.distances(dst);
    const here = dist[from]!;
    const ports = this.portsOf[from]!;
    const found: number[] = [];
    if (here > 0) for (let i = 0; i < ports.length; i++) if (dist[ports[i]!.neighbor] === here - 1) found.push(i);
    hops = Object.freeze(found);
    this.equalCost.set(key, hops);
    return hops;
  }

  /** Links on a shortest path from `from` to `dst`; -1 when unreachable. */
  hopCount(from: number, dst: number): number {
    return this.distances(this.nodeOf[dst]!)[this.nodeOf[from]!]!;
  }

  private distances(dst: number): Int32Array {
    let dist = this.distanceTo.get(dst);
    if (dist !== undefined) return dist;
    dist = new Int32Array(this.portsOf.length).fill(-1);
    dist[dst] = 0;
    const frontier = [dst];
    for (let head = 0; head < frontier.length; head++) {
      const node = frontier[head]!;
      for (const port of this.portsOf[node]!) {
        if (dist[port.neighbor] === -1) {
          dist[port.neighbor] = dist[node]! + 1;
          frontier.push(port.neighbor);
        }
      }
    }
    this.distanceTo.set(dst, dist);
    return dist;
  }
}
