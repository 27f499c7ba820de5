import assert from "node:assert/strict";
import { test } from "node:test";
import {
  compileMarkovModel,
  createSeededUniform,
  drivenRingSpec,
  stationaryDistribution,
  mm1QueueSpec,
  solveMarkovModel,
  twoCycleNetworkSpec,
  type MarkovModelSpec,
  type MarkovSolution,
  type TransitionSpec,
} from "./index.ts";
import { assertAbs, assertRel } from "./testing.ts";

/** Kirchhoff: net current into every state vanishes, relative to the total one-way flux. */
function assertKirchhoff(s: MarkovSolution): void {
  const scale = s.edges.reduce((t, e) => t + e.forwardFluxPerS + e.reverseFluxPerS, 0);
  for (const st of s.states) assertAbs(st.netInflowPerS, 0, 1e-12 * scale, `inflow ${st.state}`);
}

/** Every number in a result is finite (JSON would silently turn NaN and Infinity into null). */
function assertAllFinite(value: unknown, path = "$"): void {
  if (typeof value === "number") assert.ok(Number.isFinite(value), `${path} = ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertAllFinite(v, `${path}[${i}]`));
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) assertAllFinite(v, `${path}.${k}`);
}

const edge = (s: MarkovSolution, from: string, to: string, mechanism = "") => {
  const e = s.edges.find(
    (x) => x.mechanism === mechanism && ((x.from === from && x.to === to) || (x.from === to && x.to === from)),
  );
  assert.ok(e, `edge ${from}-${to} ${mechanism}`);
  return { ...e, along: e.from === from ? e.netCurrentPerS : -e.netCurrentPerS };
};

test("schnakenberg - uniform driven ring", () => {
  const s = solveMarkovModel(drivenRingSpec(5, 2.5, 0.5));
  for (const st of s.states) assertRel(st.probability, 0.2, 1e-9, "p");
  for (const e of s.edges) assertRel(e.netCurrentPerS, 0.4, 1e-9, "J");
  assert.equal(s.cycles.length, 1);
  assert.equal(s.independentCycles, 1);
  assertRel(s.cycles[0]!.affinityKb!, 5 * Math.log(5), 1e-9, "cycle affinity");
  assertRel(s.cycles[0]!.affinityKb!, 8.04718956217, 1e-11, "cycle affinity (table)");
  assertRel(s.cycles[0]!.currentPerS, 0.4, 1e-9, "cycle current");
  assertRel(s.sigmaKbPerS, 3.21887582487, 1e-11, "σ");
  assertRel(s.sigmaKbPerS, 2 * Math.log(5), 1e-9, "σ");
  assertRel(s.sigmaFromCyclesKbPerS, s.sigmaKbPerS, 1e-9, "σ from cycles");
  assert.deepEqual(s.irreversible, []);
  assertKirchhoff(s);
});

test("schnakenberg - σ = 2 ln 5 for any ring size", () => {
  for (const n of [3, 4, 7, 12, 40]) {
    const s = solveMarkovModel(drivenRingSpec(n, 2.5, 0.5));
    assertRel(s.sigmaKbPerS, 2 * Math.log(5), 1e-9, `N=${n}`);
    assertRel(s.cycles[0]!.affinityKb!, n * Math.log(5), 1e-9, `A N=${n}`);
    assertKirchhoff(s);
  }
});

test("schnakenberg - M/M/1 queue-length graph is a tree with σ = 0", () => {
  const s = solveMarkovModel(mm1QueueSpec({ arrivalPerS: 1, servicePerS: 2, maxLength: 80 }));
  // Truncation at 80 changes p_n by a factor 1/(1 − 2^-81): far below 1e-9.
  for (let n = 0; n <= 25; n++) assertRel(s.states[n]!.probability, 2 ** -(n + 1), 1e-9, `p_${n}`);
  const meanLength = s.states.reduce((t, st, n) => t + n * st.probability, 0);
  assertRel(meanLength, 1, 1e-9, "mean length");
  for (const e of s.edges) assertAbs(e.netCurrentPerS, 0, 1e-15, "J");
  assert.equal(s.independentCycles, 0);
  assert.equal(s.cycles.length, 0);
  assertAbs(s.sigmaKbPerS, 0, 1e-14, "σ");
  assertKirchhoff(s);
});

test("schnakenberg - M/M/1 mechanism-resolved (arrival and service, each with its own reverse)", () => {
  const maxLength = 60;
  const s = solveMarkovModel(
    mm1QueueSpec({ arrivalPerS: 1, servicePerS: 2, arrivalReversePerS: 0.1, serviceReversePerS: 0.05, maxLength }),
  );
  // The truncated chain keeps p_{n+1}/p_n = ρ exactly (flux balance across each cut), so its σ is
  // σ∞·(1 − 2^-N)/(1 − 2^-(N+1)): a relative truncation error below 2^-(N+1).
  assert.ok(2 ** -(maxLength + 1) < 1e-12);
  for (let n = 0; n < maxLength; n++)
    assertRel(s.states[n + 1]!.probability / s.states[n]!.probability, 0.5, 1e-9, `ρ at ${n}`);
  assertRel(
    s.states.reduce((t, st, n) => t + n * st.probability, 0),
    1,
    1e-9,
    "mean length",
  );
  // Net current of a mechanism towards longer queues, whichever way its edges are oriented.
  const up = (mechanism: string) =>
    s.edges
      .filter((e) => e.mechanism === mechanism)
      .reduce(
        (t, e) => t + (Number(e.to.slice(1)) > Number(e.from.slice(1)) ? e.netCurrentPerS : -e.netCurrentPerS),
        0,
      );
  const arrivals = up("arrival");
  const services = -up("service");
  assertRel(arrivals, 0.95, 1e-9, "packet current in");
  assertRel(services, 0.95, 1e-9, "packet current out");
  assertRel(s.sigmaKbPerS, 5.69189131975, 1e-11, "σ");
  assertRel(s.sigmaKbPerS, 1.9 * Math.log(20), 1e-9, "σ analytic");
  // Every fundamental cycle is "arrive, then serve" with affinity ln 400; their currents add up to the throughput.
  assert.equal(s.cycles.length, maxLength);
  for (const c of s.cycles) assertRel(c.affinityKb!, Math.log(400), 1e-9, "cycle affinity");
  assertRel(Math.log(400), 5.99146454711, 1e-11, "ln 400");
  assertRel(
    s.cycles.reduce((t, c) => t + c.currentPerS, 0),
    0.95,
    1e-9,
    "Σ J_C",
  );
  assertRel(s.sigmaFromCyclesKbPerS, s.sigmaKbPerS, 1e-9, "σ from cycles");
  assert.deepEqual(s.cycles[0]!.states, ["n1", "n0"], "largest J_C·A_C first");
  assertKirchhoff(s);
});

test("schnakenberg - two-cycle network", () => {
  const s = solveMarkovModel(twoCycleNetworkSpec());
  [19 / 62, 7 / 31, 9 / 31, 11 / 62].forEach((p, i) => assertRel(s.states[i]!.probability, p, 1e-9, `p${i + 1}`));
  assertRel(edge(s, "1", "2").along, 12 / 31, 1e-9, "J12");
  assertRel(edge(s, "2", "3").along, 12 / 31, 1e-9, "J23");
  assertRel(edge(s, "3", "1").along, -1 / 62, 1e-9, "J31");
  assertRel(edge(s, "3", "4").along, 25 / 62, 1e-9, "J34");
  assertRel(edge(s, "4", "1").along, 25 / 62, 1e-9, "J41");
  assertRel(s.sigmaKbPerS, 1.53206880328, 1e-11, "σ");
  assertRel(s.sigmaFromCyclesKbPerS, 1.53206880328, 1e-11, "Σ J_C A_C");
  assert.equal(s.independentCycles, 2);
  assertKirchhoff(s);
});

test("schnakenberg - irreversible mechanisms are reported apart, σ stays finite", () => {
  const spec: MarkovModelSpec = drivenRingSpec(4, 2, 0);
  const s = solveMarkovModel(spec);
  assert.equal(s.sigmaKbPerS, 0);
  assert.equal(s.irreversible.length, 4);
  for (const e of s.irreversible) assertRel(e.currentPerS, 0.5, 1e-9, "current");
  assert.equal(s.cycles[0]!.affinityKb, null);
  assert.equal(s.cycles[0]!.sigmaKbPerS, null);
  // One hop of a driven ring loses its reverse: only that edge leaves σ.
  const ring = drivenRingSpec(5, 2.5, 0.5);
  ring.transitions[1]!.rate = 0;
  const r = solveMarkovModel(ring);
  assert.equal(r.irreversible.length, 1);
  assert.equal(r.irreversible[0]!.from, "s0");
  assert.equal(r.edges.length, 4);
  assert.ok(Number.isFinite(r.sigmaKbPerS) && r.sigmaKbPerS > 0);
  assertRel(r.irreversible[0]!.currentPerS, r.edges[0]!.netCurrentPerS, 1e-9, "same current around the ring");
  assertKirchhoff(r);
  assertAllFinite(r);
});

test("schnakenberg - a single state; the solution is plain JSON-able data", () => {
  const s = solveMarkovModel({ states: ["only"], transitions: [] });
  assert.equal(s.states[0]!.probability, 1);
  assert.equal(s.sigmaKbPerS, 0);
  // The solution is plain data: it round-trips through JSON unchanged.
  const ring = solveMarkovModel(drivenRingSpec(5, 2.5, 0.5));
  assert.deepEqual(JSON.parse(JSON.stringify(ring)), ring);
});

test("stationary - GTH keeps full relative accuracy on rarely visited states", () => {
  const spec = mm1QueueSpec({ arrivalPerS: 1, servicePerS: 2, maxLength: 200 });
  const model = compileMarkovModel(spec);
  const p = stationaryDistribution(model);
  const norm = 1 - 2 ** -201;
  // p_200 ≈ 3e-61: far below double rounding of the largest component, yet exact to 1e-12 relative.
  for (let n = 0; n <= 200; n += 10) assertRel(p[n]!, 2 ** -(n + 1) / norm, 1e-12, `p_${n}`);
  // The normalisation-replaced solve agrees to rounding in absolute terms.
  const q = stationaryDistribution(model, "solve");
  for (let n = 0; n <= 200; n++) assertAbs(q[n]!, p[n]!, 1e-15, `solve p_${n}`);
  const ring = compileMarkovModel(twoCycleNetworkSpec());
  const a = stationaryDistribution(ring);
  const b = stationaryDistribution(ring, "solve");
  for (let i = 0; i < 4; i++) assertRel(a[i]!, b[i]!, 1e-12, `two-cycle p${i}`);
});

test("stationary - σ, forces, cycles and Kirchhoff on a random multi-mechanism model", () => {
  // Random rates (fixed seed); forces must satisfy F = ln k_ij/k_ji + ln p_i − ln p_j and σ = Σ J·F ≥ 0.
  const u = createSeededUniform(42);
  const n = 30;
  const states = Array.from({ length: n }, (_, i) => `x${i}`);
  const transitions: TransitionSpec[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (u() > 0.3 && j !== i + 1) continue; // sparse, plus a path through all states
      for (const mechanism of u() < 0.2 ? ["m", "alt"] : ["m"]) {
        transitions.push({ from: states[i]!, to: states[j]!, rate: 0.01 + 5 * u(), mechanism });
        transitions.push({ from: states[j]!, to: states[i]!, rate: 0.01 + 5 * u(), mechanism });
      }
    }
  }
  const s = solveMarkovModel({ states, transitions });
  assertKirchhoff(s);
  assertAllFinite(s);
  assert.ok(s.sigmaKbPerS > 0);
  assert.ok(s.independentCycles > 20);
  assertRel(s.sigmaFromCyclesKbPerS, s.sigmaKbPerS, 1e-9, "Σ J_C A_C");
  const p = new Map(s.states.map((x) => [x.state, x.probability]));
  for (const e of s.edges) {
    assertRel(
      e.forceKb,
      Math.log(e.forwardRatePerS / e.reverseRatePerS) + Math.log(p.get(e.from)! / p.get(e.to)!),
      1e-9,
      "force",
    );
    assert.ok(e.sigmaKbPerS >= 0);
  }
  assertRel(
    s.edges.reduce((t, e) => t + e.sigmaKbPerS, 0),
    s.sigmaKbPerS,
    1e-12,
    "σ = Σ edges",
  );
});
