import assert from "node:assert/strict";
import { test } from "node:test";
import { fundamentalCycles, independentCycleCount, solveMarkovModel, twoCycleNetworkSpec } from "./index.ts";
import { assertRel } from "./testing.ts";

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

test("cycles - two-cycle network: σ = Σ J_C·A_C for every spanning tree", () => {
  const spec = twoCycleNetworkSpec();
  for (const order of permutations([0, 1, 2, 3, 4])) {
    const s = solveMarkovModel(spec, { treePreference: order });
    assert.equal(s.cycles.length, 2);
    assertRel(s.sigmaFromCyclesKbPerS, 1.53206880328, 1e-11, `tree ${order}`);
    assertRel(s.sigmaKbPerS, 1.53206880328, 1e-11, "edge sum");
    // Ranked by J_C·A_C; every cycle current is reported ≥ 0.
    assert.ok(s.cycles[0]!.sigmaKbPerS! >= s.cycles[1]!.sigmaKbPerS!);
    for (const c of s.cycles) assert.ok(c.currentPerS >= 0);
  }
  // K4 minus one edge has 8 spanning trees; preferences hitting a triangle fall back to another tree.
  const spanning = new Set<string>();
  for (const order of permutations([0, 1, 2, 3, 4])) {
    const graph = solveMarkovModel(spec).edges.map((e) => ({
      from: Number(e.from) - 1,
      to: Number(e.to) - 1,
      currentPerS: 0,
      forceKb: 0,
    }));
    spanning.add(fundamentalCycles(4, graph, order).treeEdges.sort().join());
  }
  assert.equal(spanning.size, 8);
});

test("cycles - two-cycle network: the triangles 1→2→3→1 (ln 6) and 1→3→4→1 (ln 8)", () => {
  // Edges in spec order: 12, 23, 31, 34, 41. Tree {31, 12, 34}: chords 23 and 41 close the two triangles.
  const s = solveMarkovModel(twoCycleNetworkSpec(), { treePreference: [2, 0, 3] });
  const byStates = new Map(s.cycles.map((c) => [[...c.states].sort().join(""), c]));
  const c123 = byStates.get("123")!;
  const c134 = byStates.get("134")!;
  assertRel(c123.affinityKb!, Math.log(6), 1e-9, "A(1→2→3→1)");
  assertRel(c123.currentPerS, 12 / 31, 1e-9, "J_C = J23");
  assert.deepEqual(c123.path, ["2→3", "3→1", "1→2"]);
  assertRel(c134.affinityKb!, Math.log(8), 1e-9, "A(1→3→4→1)");
  assertRel(c134.currentPerS, 25 / 62, 1e-9, "J_C = J41");
  assert.equal(s.cycles[0], c134, "ranked by J_C·A_C");
});

test("cycles - chords parallel to tree edges and disconnected graphs", () => {
  // Two mechanisms between the same states form a 2-cycle; a second component adds its own cycle.
  const edges = [
    { from: 0, to: 1, currentPerS: 1, forceKb: 2 },
    { from: 0, to: 1, currentPerS: -1, forceKb: -3 },
    { from: 2, to: 3, currentPerS: 0.5, forceKb: 1 },
    { from: 3, to: 4, currentPerS: 0.5, forceKb: 1 },
    { from: 4, to: 2, currentPerS: 0.5, forceKb: null },
  ];
  const d = fundamentalCycles(5, edges);
  assert.equal(d.cycles.length, 2);
  assert.equal(independentCycleCount(edges), 2);
  const two = d.cycles[0]!;
  assert.deepEqual(two.nodes, [0, 1]);
  assertRel(two.currentPerS, 1, 1e-15, "oriented with its current");
  assertRel(two.affinityKb!, 5, 1e-15, "2 − (−3)");
  const irreversible = d.cycles[1]!;
  assert.equal(irreversible.affinityKb, null);
  assert.equal(irreversible.sigmaKbPerS, null);
  assertRel(d.sigmaKbPerS, 5, 1e-15, "finite cycles only");
  assert.throws(() => fundamentalCycles(5, edges, [7]), RangeError);
  assert.equal(independentCycleCount([]), 0);
  assert.equal(independentCycleCount([{ from: 5, to: 9 }]), 0, "a tree");
});
