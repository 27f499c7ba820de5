/**
 * Partitions actors onto hosts: a small multilevel heuristic (no maintained graph partitioner fits from npm: METIS
 * and KaHIP have no installable bindings there, and the community-detection packages, e.g. Louvain, give neither a
 * number of parts nor balance). Deterministic: every loop runs in actor, unit and host order, ties go to
 * the lowest index, and the arithmetic is the same on every machine.
 *
 * 1. Coarsening into units that are never cut. A component always joins its server (its network node). Then,
 *    for a delay threshold T (largest first), every link shorter than T (latency plus one byte's serialization)
 *    is contracted, and for a label level (coarsest first: zone, pod, row, rack; then none) actors that share
 *    the label value are joined. The first (T, level) whose units give at least `hostCount` units and pack onto
 *    the hosts within BALANCE_TOLERANCE of the mean (checked by largest-first packing) is kept; failing that, the
 *    first within LOOSE_BALANCE_TOLERANCE, then the first whose actors do (BALANCE_CHECKS), before a shorter T is
 *    tried. So the cut only ever holds links of at least T: the lookahead is as long as balance allows, and
 *    labels stay whole when that costs no lookahead. If nothing is balanced, the finest units (components with
 *    servers only) are used.
 * 2. Initial partition by greedy graph growing: host after host takes the unassigned unit of lowest index and
 *    then, while below its share of the remaining weight, the unit most connected to what it already holds.
 * 3. Refinement: a host over the balance cap gives units away (the least cut first) to hosts with room; then
 *    units move to the host they are most connected to while the cut's cost falls and no host passes the cap
 *    (passes until nothing moves, at most REFINE_PASSES); last, the heaviest host gives units away while that
 *    lowers its load and costs no cut (levelling). If a host is still over the cap, largest-first packing
 *    (refined the same way) is used instead when it is better balanced.
 * Weights: each actor's share of the expected work (see placement.ts); link costs: expected packets per second.
 */
import { UnionFind } from "../thermo/union-find.ts";

export const LABEL_LEVELS = ["zone", "pod", "row", "rack"] as const;
/** Hosts' loads within this share of the mean count as balanced. */
const BALANCE_TOLERANCE = 0.05;
/** Accepted rather than giving up lookahead: a shorter cut costs far more windows than this imbalance costs work. */
const LOOSE_BALANCE_TOLERANCE = 0.25;
/**
 * When a contraction is balanced enough: by work, tightly then loosely; failing both, by `spread` (half actor
 * count, half work), so that heavy units (a busy core switch) never cost lookahead that a count-balanced
 * contraction keeps: the lookahead is never shorter than placement by that spread gives.
 */
const BALANCE_CHECKS = [
  { by: "weight", tolerance: BALANCE_TOLERANCE },
  { by: "weight", tolerance: LOOSE_BALANCE_TOLERANCE },
  { by: "spread", tolerance: LOOSE_BALANCE_TOLERANCE },
] as const;
const MAX_THRESHOLDS = 32;
const REFINE_PASSES = 8;

export interface PlacementGraph {
  /** Network node of each actor (a component: its server). */
  node: Int32Array;
  labels: readonly Readonly<Record<string, string>>[];
  links: readonly { a: number; b: number; delayNs: number; cost: number }[];
  /** Work of each actor (any scale). */
  weight: Float64Array;
}

export interface Partition {
  hostOf: number[];
  /** Links with a delay below this were never cut (+∞: none was cut; 0: none was contracted). */
  contractedBelowNs: number;
  /** The label level kept whole, or null. */
  labelLevel: string | null;
  units: number;
}

interface Units {
  count: number;
  /** Actor → unit; units are numbered in order of their first actor. */
  unitOf: Int32Array;
  weight: Float64Array;
  /** Half the unit's share of the actors plus half its share of the work (the lookahead guard of BALANCE_CHECKS). */
  spread: Float64Array;
  /** Per unit: [other unit, cost] for every link between units (filled by `connect`). */
  adjacency: [number, number][][];
}

export function partition(graph: PlacementGraph, hostCount: number): Partition {
  const n = graph.node.length;
  if (hostCount === 1 || n === 0)
    return {
      hostOf: new Array<number>(n).fill(0),
      contractedBelowNs: Number.POSITIVE_INFINITY,
      labelLevel: null,
      units: n === 0 ? 0 : 1,
    };
  const levels = LABEL_LEVELS.filter((level) => graph.labels.some((labels) => labels[level] !== undefined));
  let chosen: { units: Units; threshold: number; level: string | null; tolerance: number } | null = null;
  search: for (const threshold of thresholds(graph)) {
    const candidates: { level: string | null; units: Units | null }[] = [...levels, null].map((level) => ({
      level,
      units: null,
    }));
    for (const { by, tolerance } of BALANCE_CHECKS) {
      for (const c of candidates) {
        c.units ??= contract(graph, threshold, c.level); // contracted once, checked against every check
        if (c.units.count >= hostCount && packsEvenly(c.units[by], hostCount, tolerance)) {
          chosen = { units: c.units, level: c.level, threshold, tolerance: LOOSE_BALANCE_TOLERANCE };
          if (by === "weight") chosen.tolerance = tolerance;
          break search;
        }
      }
    }
  }
  chosen ??= { units: contract(graph, 0, null), threshold: 0, level: null, tolerance: LOOSE_BALANCE_TOLERANCE };
  connect(graph, chosen.units);
  const { units, tolerance } = chosen;
  let hostOfUnit = grow(units, hostCount);
  refine(units, hostOfUnit, hostCount, tolerance);
  if (maxLoad(units.weight, hostOfUnit, hostCount) > capOf(units.weight, hostCount, tolerance)) {
    // Growing and rebalancing left a host over the cap; largest-first packing does not (when it passes), so start from it.
    const packed = packLargestFirst(units.weight, hostCount);
    if (maxLoad(units.weight, packed, hostCount) < maxLoad(units.weight, hostOfUnit, hostCount)) {
      hostOfUnit = packed;
      refine(units, hostOfUnit, hostCount, tolerance);
    }
  }
  const hostOf = Array.from(chosen.units.unitOf, (unit) => hostOfUnit[unit]!);
  return { hostOf, contractedBelowNs: chosen.threshold, labelLevel: chosen.level, units: chosen.units.count };
}

/** +∞ (contract every link), then the distinct link delays from the largest down (at most MAX_THRESHOLDS, spread evenly). */
function thresholds(graph: PlacementGraph): number[] {
  const delays = [...new Set(graph.links.map((l) => l.delayNs))].sort((a, b) => b - a);
  const picked =
    delays.length <= MAX_THRESHOLDS
      ? delays
      : Array.from(
          { length: MAX_THRESHOLDS },
          (_, i) => delays[Math.round((i * (delays.length - 1)) / (MAX_THRESHOLDS - 1))]!,
        );
  return [Number.POSITIVE_INFINITY, ...picked];
}

function contract(graph: PlacementGraph, threshold: number, level: string | null): Units {
  const n = graph.node.length;
  const sets = new UnionFind(n);
  for (let i = 0; i < n; i++) sets.union(i, graph.node[i]!);
  for (const link of graph.links) if (link.delayNs < threshold) sets.union(link.a, link.b);
  if (level !== null) {
    const first = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const value = graph.labels[i]![level];
      if (value === undefined) continue;
      const seen = first.get(value);
      if (seen === undefined) first.set(value, i);
      else sets.union(i, seen);
    }
  }
  const unitOf = new Int32Array(n);
  const unitOfRoot = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = sets.find(i);
    let unit = unitOfRoot.get(root);
    if (unit === undefined) unitOfRoot.set(root, (unit = unitOfRoot.size));
    unitOf[i] = unit;
  }
  const count = unitOfRoot.size;
  const weight = new Float64Array(count);
  const spread = new Float64Array(count);
  const all = total(graph.weight);
  for (let i = 0; i < n; i++) {
    weight[unitOf[i]!]! += graph.weight[i]!;
    spread[unitOf[i]!]! += 0.5 / n + (all > 0 ? (0.5 * graph.weight[i]!) / all : 0.5 / n);
  }
  return { count, unitOf, weight, spread, adjacency: [] };
}

/** Fills the units' adjacency (only the chosen contraction needs it). */
function connect(graph: PlacementGraph, units: Units): void {
  units.adjacency = Array.from({ length: units.count }, () => []);
  for (const link of graph.links) {
    const u = units.unitOf[link.a]!;
    const v = units.unitOf[link.b]!;
    if (u === v) continue;
    units.adjacency[u]!.push([v, link.cost]);
    units.adjacency[v]!.push([u, link.cost]);
  }
}

function total(weights: Float64Array): number {
  let sum = 0;
  for (const w of weights) sum += w;
  return sum;
}

function capOf(weights: Float64Array, hostCount: number, tolerance: number): number {
  return (total(weights) / hostCount) * (1 + tolerance);
}

function maxLoad(weights: Float64Array, hostOf: Int32Array, hostCount: number): number {
  const load = new Float64Array(hostCount);
  for (let u = 0; u < weights.length; u++) load[hostOf[u]!]! += weights[u]!;
  return Math.max(...load);
}

/** Largest unit first onto the least loaded host (ties: lower unit, lower host). */
function packLargestFirst(weights: Float64Array, hostCount: number): Int32Array {
  const order = Array.from(weights.keys()).sort((a, b) => weights[b]! - weights[a]! || a - b);
  const load = new Float64Array(hostCount);
  const hostOf = new Int32Array(weights.length);
  for (const unit of order) {
    let host = 0;
    for (let h = 1; h < hostCount; h++) if (load[h]! < load[host]!) host = h;
    load[host]! += weights[unit]!;
    hostOf[unit] = host;
  }
  return hostOf;
}

/** Whether largest-first packing keeps every host within `tolerance` of the mean load. */
function packsEvenly(weights: Float64Array, hostCount: number, tolerance: number): boolean {
  const cap = capOf(weights, hostCount, tolerance);
  let largest = 0;
  for (const w of weights) largest = Math.max(largest, w);
  if (largest > cap) return false;
  // List scheduling ends within mean + largest, so small units always pack; only big ones need the packing.
  if (largest <= (total(weights) / hostCount) * tolerance) return true;
  return maxLoad(weights, packLargestFirst(weights, hostCount), hostCount) <= cap;
}

/** Greedy graph growing (step 2). Every host gets at least one unit when there are enough. */
function grow(units: Units, hostCount: number): Int32Array {
  const hostOf = new Int32Array(units.count).fill(-1);
  const affinity = new Float64Array(units.count);
  let remainingWeight = total(units.weight);
  let unassigned = units.count;
  let nextSeed = 0;
  for (let host = 0; host < hostCount && unassigned > 0; host++) {
    const hostsLeft = hostCount - host;
    if (hostsLeft === 1) {
      for (let u = 0; u < units.count; u++) if (hostOf[u] === -1) hostOf[u] = host;
      break;
    }
    const target = remainingWeight / hostsLeft;
    const frontier = new MaxHeap();
    const touched: number[] = [];
    let load = 0;
    for (;;) {
      let unit = -1;
      while (frontier.size > 0) {
        const top = frontier.pop();
        if (hostOf[top.unit] === -1 && top.affinity === affinity[top.unit]) {
          unit = top.unit;
          break;
        }
      }
      if (unit === -1) {
        while (nextSeed < units.count && hostOf[nextSeed] !== -1) nextSeed++;
        unit = nextSeed;
      }
      if (unit >= units.count) break;
      const w = units.weight[unit]!;
      if (load > 0 && (load >= target || load + w - target > target - load || unassigned <= hostsLeft - 1)) break;
      hostOf[unit] = host;
      load += w;
      remainingWeight -= w;
      unassigned--;
      for (const [other, cost] of units.adjacency[unit]!) {
        if (hostOf[other] !== -1) continue;
        if (affinity[other] === 0) touched.push(other);
        affinity[other]! += cost;
        frontier.push(other, affinity[other]!);
      }
    }
    for (const u of touched) affinity[u] = 0;
  }
  return hostOf;
}

/**
 * Refinement (step 3). First balance: while a host is over the cap, it gives the unit whose move costs the least
 * cut (most connected to the receiver) to a host with room. Then positive-gain moves under the cap. A host never
 * gives up its last unit.
 */
function refine(units: Units, hostOf: Int32Array, hostCount: number, tolerance: number): void {
  const load = new Float64Array(hostCount);
  const members = new Int32Array(hostCount);
  for (let u = 0; u < units.count; u++) {
    load[hostOf[u]!]! += units.weight[u]!;
    members[hostOf[u]!]!++;
  }
  const cap = capOf(units.weight, hostCount, tolerance);
  const connection = new Float64Array(hostCount);
  const connect = (u: number) => {
    connection.fill(0);
    for (const [other, cost] of units.adjacency[u]!) connection[hostOf[other]!]! += cost;
  };
  const move = (u: number, to: number) => {
    const from = hostOf[u]!;
    hostOf[u] = to;
    load[from]! -= units.weight[u]!;
    load[to]! += units.weight[u]!;
    members[from]!--;
    members[to]!++;
  };
  for (let step = 0; step < units.count; step++) {
    let from = 0;
    for (let h = 1; h < hostCount; h++) if (load[h]! > load[from]!) from = h;
    if (load[from]! <= cap || members[from]! <= 1) break;
    let best: { unit: number; to: number; gain: number } | null = null;
    for (let u = 0; u < units.count; u++) {
      if (hostOf[u] !== from) continue;
      connect(u);
      for (let h = 0; h < hostCount; h++) {
        const gain = connection[h]! - connection[from]!;
        if (h !== from && load[h]! + units.weight[u]! <= cap && (best === null || gain > best.gain))
          best = { unit: u, to: h, gain };
      }
    }
    if (best === null) break;
    move(best.unit, best.to);
  }
  for (let pass = 0; pass < REFINE_PASSES; pass++) {
    let moved = false;
    for (let u = 0; u < units.count; u++) {
      const from = hostOf[u]!;
      if (members[from]! <= 1 || units.adjacency[u]!.length === 0) continue;
      connect(u);
      const w = units.weight[u]!;
      let best = from;
      let bestGain = 0;
      for (let h = 0; h < hostCount; h++) {
        const gain = connection[h]! - connection[from]!;
        if (h !== from && gain > bestGain && load[h]! + w <= cap) {
          best = h;
          bestGain = gain;
        }
      }
      if (best === from) continue;
      move(u, best);
      moved = true;
    }
    if (!moved) break;
  }
  // Levelling: the heaviest host gives a unit away while that lowers its load below its own and costs no cut.
  // Hosts run in lockstep windows, so the heaviest host's work sets every window's length.
  for (let step = 0; step < units.count; step++) {
    let from = 0;
    for (let h = 1; h < hostCount; h++) if (load[h]! > load[from]!) from = h;
    if (members[from]! <= 1) break;
    let best: { unit: number; to: number; gain: number; after: number } | null = null;
    for (let u = 0; u < units.count; u++) {
      if (hostOf[u] !== from) continue;
      connect(u);
      const w = units.weight[u]!;
      for (let h = 0; h < hostCount; h++) {
        const gain = connection[h]! - connection[from]!;
        const after = Math.max(load[h]! + w, load[from]! - w);
        if (h === from || gain < 0 || after >= load[from]!) continue;
        if (best === null || gain > best.gain || (gain === best.gain && after < best.after))
          best = { unit: u, to: h, gain, after };
      }
    }
    if (best === null) break;
    move(best.unit, best.to);
  }
}

/** Units by affinity (largest first), ties to the lowest unit. Stale entries are skipped by the caller. */
class MaxHeap {
  private readonly items: { unit: number; affinity: number }[] = [];
  get size(): number {
    return this.items.length;
  }
  push(unit: number, affinity: number): void {
    const items = this.items;
    items.push({ unit, affinity });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): { unit: number; affinity: number } {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.before(items[l]!, items[m]!)) m = l;
        if (r < items.length && this.before(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
  private before(a: { unit: number; affinity: number }, b: { unit: number; affinity: number }): boolean {
    return a.affinity > b.affinity || (a.affinity === b.affinity && a.unit < b.unit);
  }
}
