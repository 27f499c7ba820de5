/**
 * The router keeps distance tables only between core nodes (stubs routed through their anchor): its routes,
 * equal-cost port lists and hop counts must be exactly those of a plain BFS over the whole link graph — the
 * reference below, which is the router as it was before — on random graphs with stubs, stub pairs, parallel
 * links, isolated actors and several components, on generated fabrics, and with components routed as their server.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Router } from "../nodes/runtime/routing.ts";
import { Xoshiro128 } from "../nodes/runtime/rng.ts";
import { portsByActor, type Port, type ResolvedScenario } from "../nodes/runtime/topology.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";

/** Whole-graph BFS from each destination; ties to the first port in link order. */
class ReferenceRouter {
  private readonly portsOf: readonly (readonly Port[])[];
  private readonly nodeOf: Int32Array;

  constructor(portsOf: readonly (readonly Port[])[], nodeOf: Int32Array) {
    this.portsOf = portsOf;
    this.nodeOf = nodeOf;
  }

  private distances(dst: number): Int32Array {
    const dist = new Int32Array(this.portsOf.length).fill(-1);
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
    return dist;
  }

  nextPorts(actor: number, dstActor: number): number[] {
    const from = this.nodeOf[actor]!;
    const dist = this.distances(this.nodeOf[dstActor]!);
    const here = dist[from]!;
    const found: number[] = [];
    const ports = this.portsOf[from]!;
    if (here > 0) for (let i = 0; i < ports.length; i++) if (dist[ports[i]!.neighbor] === here - 1) found.push(i);
    return found;
  }

  hopCount(from: number, dst: number): number {
    return this.distances(this.nodeOf[dst]!)[this.nodeOf[from]!]!;
  }
}

function portsOfEdges(n: number, edges: readonly [number, number][]): Port[][] {
  const ports: Port[][] = Array.from({ length: n }, () => []);
  edges.forEach(([a, b], link) => {
    ports[a]!.push({ link, neighbor: b, reverse: false });
    ports[b]!.push({ link, neighbor: a, reverse: true });
  });
  return ports;
}

function assertSameRoutes(portsOf: Port[][], nodeOf?: Int32Array, label = ""): void {
  const nodes = nodeOf ?? Int32Array.from(portsOf, (_, i) => i);
  const router = new Router(portsOf, nodeOf);
  const reference = new ReferenceRouter(portsOf, nodes);
  for (let a = 0; a < nodes.length; a++) {
    for (let b = 0; b < nodes.length; b++) {
      const expected = reference.nextPorts(a, b);
      const at = `${label} ${a} -> ${b}`;
      assert.deepEqual([...router.nextPorts(a, b)], expected, at);
      assert.equal(router.nextPort(a, b), expected[0] ?? -1, at);
      assert.equal(router.hopCount(a, b), reference.hopCount(a, b), at);
      assert.equal(router.reachable(a, b), reference.hopCount(a, b) >= 0, at);
    }
  }
}

test("routing - random graphs with stubs, parallel links, isolated nodes and several components route like a whole-graph BFS", () => {
  const rng = Xoshiro128.seeded(7, "routing");
  for (let trial = 0; trial < 60; trial++) {
    const core = 2 + Math.floor(rng.uniform() * 10);
    const stubs = Math.floor(rng.uniform() * 12);
    const n = core + stubs + 2;
    const edges: [number, number][] = [];
    const pick = (k: number) => Math.floor(rng.uniform() * k);
    for (let i = 0; i < core * 1.6; i++) {
      const a = pick(core);
      const b = pick(core);
      if (a !== b) edges.push([a, b]);
    }
    if (edges.length > 0 && rng.uniform() < 0.5) edges.push(edges[0]!); // a parallel link
    for (let s = core; s < core + stubs; s++) edges.push(rng.uniform() < 0.5 ? [pick(core), s] : [s, pick(core)]);
    edges.push([n - 2, n - 1]); // a two-node component (a client and its server)
    // Shuffle so stubs' links are not all last in link order.
    for (let i = edges.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [edges[i], edges[j]] = [edges[j]!, edges[i]!];
    }
    assertSameRoutes(portsOfEdges(n, edges), undefined, `trial ${trial}`);
  }
});

function generate(topology: Record<string, unknown>): ResolvedScenario {
  const link = { latency: "2us" };
  const server = { cores: 1, service: { distribution: "exponential", mean: "1ms" } };
  return validateScenario(
    { name: "r", run: { duration: "1s" }, topology: { server, server_link: link, fabric_link: link, ...topology } },
    "r",
  ).scenario;
}

test("routing - fat-tree and leaf-spine fabrics route like a whole-graph BFS (ECMP lists included)", () => {
  assertSameRoutes(portsByActor(generate({ type: "fat-tree", k: 4 })), undefined, "fat-tree k=4");
  assertSameRoutes(
    portsByActor(generate({ type: "leaf-spine", leaves: 3, spines: 2, servers_per_leaf: 3 })),
    undefined,
    "leaf-spine",
  );
});

test("routing - components are routed as their server; actors on one node have no route", () => {
  // 0 - 1 - 2 (a path of three nodes) and 3, 4: components placed on node 0 and node 2.
  const ports = portsOfEdges(5, [
    [0, 1],
    [1, 2],
  ]);
  const nodeOf = Int32Array.from([0, 1, 2, 0, 2]);
  assertSameRoutes(ports, nodeOf, "components");
  const router = new Router(ports, nodeOf);
  assert.equal(router.nextPort(3, 0), -1);
  assert.equal(router.hopCount(3, 4), 2);
});
