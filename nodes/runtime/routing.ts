/**
 * Shortest-path next hops over the link graph. Ties go to the actor's first port in link order, so routes are
 * deterministic. Switch models with ECMP use `nextPorts` instead (all equal-cost next hops) and pick one per flow.
 *
 * Paths run between network nodes (`nodeOf`, topology.ts `networkNodes`): a software component has no ports and
 * is routed as its server, so a route towards a component ends at its server and a component's own route starts
 * at its server's ports. Two actors on the same node (a component and its server, or two components on one
 * server) have no route: they exchange packets locally (the shard's LOCAL_PORT).
 *
 * Memory stays below quadratic in the actor count: a node with a single port (a server on its switch, a client
 * on its server) is a *stub*. A stub's route to anywhere is its one port; a route to a stub is the route to the
 * node it hangs off (its *anchor*), then the anchor's port to it; and no shortest path between two other nodes
 * passes through a stub. So distance tables exist only between the remaining *core* nodes (the switches of a
 * data-centre fabric), one per core destination actually routed to, computed lazily by one BFS over the core.
 * This gives exactly the routes of a BFS over the whole graph (test/routing.test.ts checks it against one).
 */
import type { Port } from "./topology.ts";

const NONE = -1;

/** Distances from every core node to one core destination, and its memoised equal-cost port lists. */
interface CoreTable {
  dist: Uint16Array | Int32Array;
  /** Per core node: id of its interned next-port list towards this destination; -1 until first asked. */
  hops: Int32Array;
}

export class Router {
  private readonly portsOf: readonly (readonly Port[])[];
  private readonly nodeOf: Int32Array;
  /** Connected component of every node: reachability without distances. */
  private readonly component: Int32Array;
  /** Core index of every node; -1 for a stub (and for a node without links, which routes nowhere). */
  private readonly coreIndex: Int32Array;
  private readonly coreNodes: Int32Array;
  /** Per core destination (by core index), built on first use. */
  private readonly tables: (CoreTable | undefined)[];
  /** Per stub: the index of its anchor's port that leads to it (-1 for other nodes). */
  private readonly stubPort: Int32Array;
  /** Interned equal-cost port lists (most routes of a fabric share a few), by their comma-joined ports. */
  private readonly lists: (readonly number[])[] = [];
  private readonly listIds = new Map<string, number>();
  private readonly single: (readonly number[])[] = [];

  constructor(portsOf: readonly (readonly Port[])[], nodeOf?: Int32Array) {
    this.portsOf = portsOf;
    this.nodeOf = nodeOf ?? Int32Array.from(portsOf, (_, i) => i);
    const n = portsOf.length;
    this.coreIndex = new Int32Array(n).fill(NONE);
    const core: number[] = [];
    for (let v = 0; v < n; v++) {
      if (portsOf[v]!.length >= 2) {
        this.coreIndex[v] = core.length;
        core.push(v);
      }
    }
    this.coreNodes = Int32Array.from(core);
    this.tables = new Array<CoreTable | undefined>(core.length).fill(undefined);
    this.stubPort = new Int32Array(n).fill(NONE);
    for (let v = 0; v < n; v++) {
      const ports = portsOf[v]!;
      for (let i = 0; i < ports.length; i++) {
        const w = ports[i]!.neighbor;
        if (portsOf[w]!.length === 1 && this.stubPort[w] === NONE) this.stubPort[w] = i;
      }
    }
    this.component = components(portsOf);
  }

  /** Whether two actors share a network node (a component and its server, or components on one server). */
  sameNode(a: number, b: number): boolean {
    return this.nodeOf[a] === this.nodeOf[b];
  }

  /** Whether a path of links joins two actors' network nodes (true for the same node). */
  reachable(a: number, b: number): boolean {
    return this.component[this.nodeOf[a]!] === this.component[this.nodeOf[b]!];
  }

  /** Port index of `from`'s node on a shortest path to `dst`'s node, or -1 when unreachable or the same node. */
  nextPort(actor: number, dstActor: number): number {
    return this.nextPorts(actor, dstActor)[0] ?? NONE;
  }

  /** Every port of `from` on a shortest path to `dst`, in port order (ECMP candidates); empty when unreachable. */
  nextPorts(actor: number, dstActor: number): readonly number[] {
    const from = this.nodeOf[actor]!;
    const dst = this.nodeOf[dstActor]!;
    if (from === dst || this.component[from] !== this.component[dst]) return EMPTY;
    if (this.coreIndex[from] === NONE) return this.only(0); // a stub leaves by its one port
    let target = dst;
    if (this.coreIndex[dst] === NONE) {
      const anchor = this.portsOf[dst]![0]!.neighbor;
      if (from === anchor) return this.only(this.stubPort[dst]!);
      target = anchor;
    }
    const table = this.table(target);
    const at = this.coreIndex[from]!;
    let id = table.hops[at]!;
    if (id === NONE) {
      id = this.intern(this.equalCostPorts(from, table.dist));
      table.hops[at] = id;
    }
    return this.lists[id]!;
  }

  /** Links on a shortest path from `from` to `dst`; -1 when unreachable. */
  hopCount(fromActor: number, dstActor: number): number {
    const from = this.nodeOf[fromActor]!;
    const dst = this.nodeOf[dstActor]!;
    if (from === dst) return 0;
    if (this.component[from] !== this.component[dst]) return NONE;
    let hops = 0;
    let a = from;
    let b = dst;
    if (this.coreIndex[a] === NONE) {
      a = this.portsOf[a]![0]!.neighbor;
      hops++;
      if (a === b) return hops;
    }
    if (this.coreIndex[b] === NONE) {
      b = this.portsOf[b]![0]!.neighbor;
      hops++;
      if (a === b) return hops;
    }
    return hops + this.table(b).dist[this.coreIndex[a]!]!;
  }

  /** Ports of core node `from` whose neighbour is one step closer to the table's destination, in port order. */
  private equalCostPorts(from: number, dist: Uint16Array | Int32Array): number[] {
    const here = dist[this.coreIndex[from]!]!;
    const ports = this.portsOf[from]!;
    const found: number[] = [];
    for (let i = 0; i < ports.length; i++) {
      const c = this.coreIndex[ports[i]!.neighbor]!;
      if (c !== NONE && dist[c] === here - 1) found.push(i);
    }
    return found;
  }

  private only(port: number): readonly number[] {
    return (this.single[port] ??= Object.freeze([port]));
  }

  private intern(ports: number[]): number {
    const key = ports.join(",");
    let id = this.listIds.get(key);
    if (id === undefined) {
      id = this.lists.length;
      this.lists.push(Object.freeze(ports));
      this.listIds.set(key, id);
    }
    return id;
  }

  /** BFS over the core from core node `dst` (stubs are never on a shortest path between core nodes). */
  private table(dst: number): CoreTable {
    const start = this.coreIndex[dst]!;
    let table = this.tables[start];
    if (table !== undefined) return table;
    const size = this.coreNodes.length;
    const unreached = size < 0xffff ? 0xffff : -1;
    const dist = size < 0xffff ? new Uint16Array(size).fill(unreached) : new Int32Array(size).fill(unreached);
    const frontier = new Int32Array(size);
    dist[start] = 0;
    frontier[0] = start;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const c = frontier[head]!;
      for (const port of this.portsOf[this.coreNodes[c]!]!) {
        const n = this.coreIndex[port.neighbor]!;
        if (n !== NONE && dist[n] === unreached) {
          dist[n] = dist[c]! + 1;
          frontier[tail++] = n;
        }
      }
    }
    table = { dist, hops: new Int32Array(size).fill(NONE) };
    this.tables[start] = table;
    return table;
  }
}

const EMPTY: readonly number[] = Object.freeze([]);

/** Connected components of the link graph (labels in node order). */
function components(portsOf: readonly (readonly Port[])[]): Int32Array {
  const label = new Int32Array(portsOf.length).fill(NONE);
  const stack: number[] = [];
  for (let v = 0; v < portsOf.length; v++) {
    if (label[v] !== NONE) continue;
    label[v] = v;
    stack.push(v);
    while (stack.length > 0) {
      for (const port of portsOf[stack.pop()!]!) {
        if (label[port.neighbor] === NONE) {
          label[port.neighbor] = v;
          stack.push(port.neighbor);
        }
      }
    }
  }
  return label;
}
