/**
 * Schnakenberg's cycle decomposition: a spanning tree (forest) of the undirected, mechanism-resolved graph; each
 * chord closes one fundamental cycle C. Its affinity A_C is the log-sum of the edge forces around it (rate log
 * ratios or flux log ratios give the same sum), its current J_C is the chord's net current, and in a steady
 * state σ = Σ_C J_C·A_C whatever tree is chosen.
 */

import { UnionFind } from "./union-find.ts";

export interface CycleGraphEdge {
  from: number;
  to: number;
  /** Net current from→to. */
  currentPerS: number;
  /** ln(k_from,to / k_to,from); null for an irreversible edge (infinite affinity). */
  forceKb: number | null;
}

export interface CycleStep {
  edge: number;
  /** True when the cycle runs along the edge's from→to orientation. */
  along: boolean;
}

export interface FundamentalCycle {
  chord: number;
  /** Visited nodes; the last step returns to the first. */
  nodes: number[];
  steps: CycleStep[];
  /** Oriented so that the current is ≥ 0. */
  currentPerS: number;
  /** null when the cycle crosses an irreversible edge. */
  affinityKb: number | null;
  sigmaKbPerS: number | null;
}

export interface CycleDecomposition {
  treeEdges: number[];
  /** Finite cycles ranked by J_C·A_C (largest first), then the irreversible ones by current. */
  cycles: FundamentalCycle[];
  /** Σ J_C·A_C over the finite cycles. */
  sigmaKbPerS: number;
}

/** `treePreference`: edges to put in the tree first, in order (the rest follow in input order). */
export function fundamentalCycles(
  nodeCount: number,
  edges: readonly CycleGraphEdge[],
  treePreference: readonly number[] = [],
): CycleDecomposition {
  const order = [...new Set([...treePreference, ...edges.keys()])];
  const uf = new UnionFind(nodeCount);
  const treeEdges: number[] = [];
  const chords: number[] = [];
  for (const e of order) {
    const edge = edges[e];
    if (edge === undefined) throw new RangeError(`treePreference: no edge ${e}`);
    (uf.union(edge.from, edge.to) ? treeEdges : chords).push(e);
  }
  const tree = rootedForest(nodeCount, edges, treeEdges);
  const cycles = chords.map((c) => cycleOf(c, edges, tree));
  const finite = cycles.filter((c) => c.sigmaKbPerS !== null).sort((x, y) => y.sigmaKbPerS! - x.sigmaKbPerS!);
  const infinite = cycles.filter((c) => c.sigmaKbPerS === null).sort((x, y) => y.currentPerS - x.currentPerS);
  const sigmaKbPerS = finite.reduce((s, c) => s + c.sigmaKbPerS!, 0);
  return { treeEdges, cycles: [...finite, ...infinite], sigmaKbPerS };
}

/** Number of independent cycles C = E − V + K over the nodes the edges touch (K connected components). */
export function independentCycleCount(edges: readonly { from: number; to: number }[]): number {
  const nodes = new Map<number, number>();
  for (const e of edges) for (const v of [e.from, e.to]) if (!nodes.has(v)) nodes.set(v, nodes.size);
  const uf = new UnionFind(nodes.size);
  let components = nodes.size;
  for (const e of edges) if (uf.union(nodes.get(e.from)!, nodes.get(e.to)!)) components--;
  return edges.length - nodes.size + components;
}

interface RootedForest {
  parent: Int32Array;
  parentEdge: Int32Array;
  depth: Int32Array;
}

function rootedForest(n: number, edges: readonly CycleGraphEdge[], treeEdges: number[]): RootedForest {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const e of treeEdges) adj[edges[e]!.from]!.push(e), adj[edges[e]!.to]!.push(e);
  const parent = new Int32Array(n).fill(-1);
  const parentEdge = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n).fill(-1);
  for (let root = 0; root < n; root++) {
    if (depth[root] !== -1) continue;
    depth[root] = 0;
    const queue = [root];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q]!;
      for (const e of adj[u]!) {
        const v = edges[e]!.from === u ? edges[e]!.to : edges[e]!.from;
        if (depth[v] !== -1) continue;
        (parent[v] = u), (parentEdge[v] = e), (depth[v] = depth[u]! + 1);
        queue.push(v);
      }
    }
  }
  return { parent, parentEdge, depth };
}

/** Chord u→v, then the tree path v→…→u through their lowest common ancestor. */
function cycleOf(chord: number, edges: readonly CycleGraphEdge[], f: RootedForest): FundamentalCycle {
  const { from: u, to: v } = edges[chord]!;
  const up: CycleStep[] = []; // v climbing to the ancestor
  const down: CycleStep[] = []; // u climbing to the ancestor, reversed below
  const upNodes: number[] = [];
  const downNodes: number[] = [];
  let x = v;
  let y = u;
  const climb = (node: number, steps: CycleStep[], nodes: number[], toParent: boolean): number => {
    const e = f.parentEdge[node]!;
    steps.push({ edge: e, along: (edges[e]!.from === node) === toParent });
    nodes.push(node);
    return f.parent[node]!;
  };
  while (x !== y) {
    if (f.depth[x]! >= f.depth[y]!) x = climb(x, up, upNodes, true);
    else y = climb(y, down, downNodes, false);
  }
  let steps = [{ edge: chord, along: true }, ...up, ...down.reverse()];
  let nodes = [u, ...upNodes, x, ...downNodes.reverse()];
  nodes.pop(); // the last climbed node of u's side is u itself, already first
  let current = edges[chord]!.currentPerS;
  let affinity: number | null = 0;
  for (const s of steps) {
    const force = edges[s.edge]!.forceKb;
    affinity = affinity === null || force === null ? null : affinity + (s.along ? force : -force);
  }
  if (current < 0) {
    current = -current;
    affinity = affinity === null ? null : -affinity;
    steps = steps.reverse().map((s) => ({ edge: s.edge, along: !s.along }));
    nodes = [nodes[0]!, ...nodes.slice(1).reverse()];
  }
  const sigma = affinity === null ? null : current * affinity;
  return { chord, nodes, steps, currentPerS: current, affinityKb: affinity, sigmaKbPerS: sigma };
}
