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
 *
 * A switch asks for its next hops on every packet it forwards, so the answer is a few typed-array loads: each
 * node's core destination (itself, or a stub's anchor) is precomputed, and each core node that routes keeps a row
 * of interned port-list ids by core destination, filled on first use (a row's entries are the switches' whole
 * forwarding table: 4 bytes per core node, so memory stays quadratic in the switches only).
 */
import type { Port } from "./topology.ts";

const NONE = -1;

/** Distances from every core node to one core destination (65535 / -1: unreached). */
type Distances = Uint16Array | Int32Array;

export class Router {
  private readonly portsOf: readonly (readonly Port[])[];
  private readonly nodeOf: Int32Array;
  /** Connected component of every node: reachability without distances. */
  private readonly component: Int32Array;
  /** Core index of every node; -1 for a stub (and for a node without links, which routes nowhere). */
  private readonly coreIndex: Int32Array;
  private readonly coreNodes: Int32Array;
  /** Distances to each core destination (by core index), built on first use. */
  private readonly tables: (Distances | undefined)[];
  /** Per core node that routes: the interned port-list id towards each core destination (-1 until first asked). */
  private readonly rows: (Int32Array | undefined)[];
  /** Per node: the core index of the node, or of a stub's anchor (-1 for a node without a core neighbour). */
  private readonly targetCore: Int32Array;
  /** Per stub: the index of its anchor's port that leads to it (-1 for other nodes). */
  private readonly stubPort: Int32Array;
  /** Interned equal-cost port lists (most routes of a fabric share a few), by their comma-joined ports. */
  private readonly lists: (readonly number[])[] = [];
  private readonly listIds = new Map<string, number>();
  /** The one-port lists, by port: [0], [1], ... up to the largest node's ports. */
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
    this.tables = new Array<Distances | undefined>(core.length).fill(undefined);
    this.rows = new Array<Int32Array | undefined>(core.length).fill(undefined);
    this.stubPort = new Int32Array(n).fill(NONE);
    this.targetCore = new Int32Array(n).fill(NONE);
    for (let v = 0; v < n; v++) {
      const ports = portsOf[v]!;
      if (ports.length >= 2) this.targetCore[v] = this.coreIndex[v]!;
      else if (ports.length === 1) this.targetCore[v] = this.coreIndex[ports[0]!.neighbor]!;
      for (let i = 0; i < ports.length; i++) {
        const w = ports[i]!.neighbor;
        if (portsOf[w]!.length === 1 && this.stubPort[w] === NONE) this.stubPort[w] = i;
      }
      while (this.single.length < ports.length) this.single.push(Object.freeze([this.single.length]));
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
    const at = this.coreIndex[from]!;
    if (at === NONE) return this.single[0]!; // a stub leaves by its one port
    const target = this.targetCore[dst]!;
    if (target === at) return this.single[this.stubPort[dst]!]!; // a stub of this node
    const row = this.rows[at] ?? this.newRow(at);
    let id = row[target]!;
    if (id === NONE) {
      id = this.intern(this.equalCostPorts(from, this.table(target)));
      row[target] = id;
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
    return hops + this.table(this.coreIndex[b]!)[this.coreIndex[a]!]!;
  }

  /** Ports of core node `from` whose neighbour is one step closer to the table's destination, in port order. */
  private equalCostPorts(from: number, dist: Distances): number[] {
    const here = dist[this.coreIndex[from]!]!;
    const ports = this.portsOf[from]!;
    const found: number[] = [];
    for (let i = 0; i < ports.length; i++) {
      const c = this.coreIndex[ports[i]!.neighbor]!;
      if (c !== NONE && dist[c] === here - 1) found.push(i);
    }
    return found;
  }

  private newRow(at: number): Int32Array {
    const row = new Int32Array(this.coreNodes.length).fill(NONE);
    this.rows[at] = row;
    return row;
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

  /** BFS over the core from core node `start` (stubs are never on a shortest path between core nodes). */
  private table(start: number): Distances {
    const known = this.tables[start];
    if (known !== undefined) return known;
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
    this.tables[start] = dist;
    return dist;
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
