/**
 * Shortest-path next hops over the link graph, computed lazily per destination by one BFS from it.
 * Ties go to the actor's first port in link order, so routes are deterministic. Switch models with ECMP keep
 * their own tables; this serves endpoints and simple topologies.
 */
import type { Port } from "./topology.ts";

export class Router {
  private readonly distanceTo = new Map<number, Int32Array>();
  private readonly portsOf: readonly (readonly Port[])[];

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
