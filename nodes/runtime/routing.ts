/**
 * Shortest-path next hops over the link graph, computed lazily per destination by one BFS from it.
 * Ties go to the actor's first port in link order, so routes are deterministic. Switch models with ECMP use
 * `nextPorts` instead (all equal-cost next hops) and pick one per flow.
 */
import type { Port } from "./topology.ts";

export class Router {
  private readonly distanceTo = new Map<number, Int32Array>();
  private readonly portsOf: readonly (readonly Port[])[];
  /** Equal-cost next hops per (from, dst), filled on first use (switches ask for every packet). */
  private readonly equalCost = new Map<number, readonly number[]>();

  constructor(portsOf: readonly (readonly Port[])[]) {
    this.portsOf = portsOf;
  }

  /** Port index of `from` on a shortest path to `dst`, or -1 when `dst` is unreachable or is `from`. */
  nextPort(from: number, dst: number): number {
    const dist = this.distances(dst);
    const here = dist[from]!;
    if (here <= 0) return -1;
    const ports = this.portsOf[from]!;
    for (let i = 0; i < ports.length; i++) {
      if (dist[ports[i]!.neighbor] === here - 1) return i;
    }
    return -1;
  }

  /** Every port of `from` on a shortest path to `dst`, in port order (ECMP candidates); empty when unreachable. */
  nextPorts(from: number, dst: number): readonly number[] {
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
    return this.distances(dst)[from]!;
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
