/** `dctwin thermo solve`: the exact solver from the command line, against docs/thermo.md's two-cycle reference. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

test("thermo solve - two-cycle network: σ and probabilities to 1e-9", async () => {
  const result = await runCli(["thermo", "solve", "examples/markov/two-cycle.yaml", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const solution = JSON.parse(result.stdout);
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  assert.ok(rel(solution.sigmaKbPerS, 1.53206880328) < 1e-9);
  const p = Object.fromEntries(
    solution.states.map((s: { state: string; probability: number }) => [s.state, s.probability]),
  );
  for (const [state, exact] of [
    ["1", 19 / 62],
    ["2", 7 / 31],
    ["3", 9 / 31],
    ["4", 11 / 62],
  ] as const)
    assert.ok(rel(p[state], exact) < 1e-9, `p(${state})`);
});

test("thermo solve - an invalid model names the field and exits 2", async () => {
  const dir = tempDir();
  try {
    const file = writeScenario(dir.path, "bad-model", {
      states: ["a", "b"],
      transitions: [{ from: "a", to: "c", rate: -1 }],
    });
    const result = await runCli(["thermo", "solve", file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /transitions\[0\]\.(to|rate)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  } finally {
    dir.remove();
  }
});

test("thermo simulate - two-cycle network: σ̂ within 4 jackknife standard errors of the exact σ", async () => {
  const simulate = () =>
    runCli([
      "thermo",
      "simulate",
      "examples/markov/two-cycle.yaml",
      "--time",
      "500",
      "--replicas",
      "20",
      "--seed",
      "5",
      "--json",
    ]);
  const result = await simulate();
  assert.equal(result.code, 0, result.stderr);
  const r = JSON.parse(result.stdout);
  const exact = 1.53206880328;
  assert.ok(Math.abs(r.exact_sigma_kb_per_s - exact) < 1e-9 * exact);
  assert.ok(r.sigma_stderr_kb_per_s > 0 && r.sigma_stderr_kb_per_s < 0.05 * exact, `stderr ${r.sigma_stderr_kb_per_s}`);
  assert.ok(
    Math.abs(r.sigma_kb_per_s - exact) < 4 * r.sigma_stderr_kb_per_s,
    `σ̂ ${r.sigma_kb_per_s} ± ${r.sigma_stderr_kb_per_s} vs ${exact}`,
  );
  // Edge currents too: J12 = 12/31 exactly.
  const e12 = r.edges.find((e: { from: string; to: string }) => e.from === "1" && e.to === "2");
  assert.ok(Math.abs(e12.current_per_s - 12 / 31) < 4 * e12.current_stderr_per_s);
  const again = await simulate();
  assert.equal(again.stdout, result.stdout, "same seed, same bytes");
});

test("thermo simulate - bad flags exit 2 with the flag named", async () => {
  const result = await runCli(["thermo", "simulate", "examples/markov/two-cycle.yaml", "--time", "-3"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--time/);
});

/**
 * A one-site buffer between two reservoirs: empty (0) or full (1); the left reservoir fills it at α and takes the
 * particle back at γ (mechanism L), the right one takes it at β and puts one in at δ (mechanism R). Let a = α + δ
 * (rate out of 0), b = γ + β (out of 1). Counting the net current J through L (+1 for 0→1 by L, −1 for 1→0 by L),
 * the tilted generator (columns = from) is [[−a, γe^{−s} + β], [αe^{s} + δ, −b]], whose leading eigenvalue is
 *   λ(s) = (−(a + b) + √((a − b)² + 4g(s)))/2,  g(s) = (γe^{−s} + β)(αe^{s} + δ) = αγ + βδ + αβe^{s} + γδe^{−s}.
 * g(0) = ab, so the root is (a + b)² at s = 0 and λ(0) = 0. Differentiating, with R(s) = (a − b)² + 4g(s):
 *   J = λ'(0) = g'(0)/√R(0) = (αβ − γδ)/(a + b),
 *   D = λ''(0) = g''(0)/√R(0) − 2g'(0)²/R(0)^{3/2} = (αβ + γδ)/(a + b) − 2(αβ − γδ)²/(a + b)³.
 * Fano factor D/J. The stationary state p₀ = b/(a + b), p₁ = a/(a + b) makes both mechanisms carry J, with forces
 * ln(αp₀/γp₁) and ln(βp₁/δp₀) summing to ln(αβ/γδ): σ = J·ln(αβ/(γδ)), so Q = σD/J² = ln(αβ/(γδ))·D/J.
 */
test("thermo solve - buffer between two reservoirs: Fano factor and TUR Q to 1e-9 of the closed forms", async () => {
  const dir = tempDir();
  try {
    for (const [alpha, gamma, beta, delta] of [
      [2, 0.5, 3, 0.25],
      [1, 1, 1, 0.2],
      [5, 0.1, 0.7, 0.3],
    ] as const) {
      const file = writeScenario(dir.path, "buffer", {
        states: ["0", "1"],
        transitions: [
          { from: "0", to: "1", rate: alpha, mechanism: "L" },
          { from: "1", to: "0", rate: gamma, mechanism: "L" },
          { from: "1", to: "0", rate: beta, mechanism: "R" },
          { from: "0", to: "1", rate: delta, mechanism: "R" },
        ],
      });
      const result = await runCli(["thermo", "solve", file, "--json"]);
      assert.equal(result.code, 0, result.stderr);
      const solution = JSON.parse(result.stdout);
      const a = alpha + delta;
      const b = gamma + beta;
      const j = (alpha * beta - gamma * delta) / (a + b);
      const d = (alpha * beta + gamma * delta) / (a + b) - (2 * (alpha * beta - gamma * delta) ** 2) / (a + b) ** 3;
      const q = (Math.log((alpha * beta) / (gamma * delta)) * d) / j;
      const left = solution.edges.find((e: { mechanism: string }) => e.mechanism === "L");
      const sign = left.from === "0" ? 1 : -1; // the edge is oriented as its first transition
      const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
      assert.ok(rel(sign * left.current.meanPerS, j) < 1e-9, `J ${left.current.meanPerS} vs ${j}`);
      assert.ok(rel(left.current.scaledVariancePerS, d) < 1e-9, `D ${left.current.scaledVariancePerS} vs ${d}`);
      assert.ok(
        rel(left.current.fanoFactor, d / Math.abs(j)) < 1e-9,
        `Fano ${left.current.fanoFactor} vs ${d / Math.abs(j)}`,
      );
      assert.ok(rel(left.current.precisionCostQ, q) < 1e-9, `Q ${left.current.precisionCostQ} vs ${q}`);
      assert.ok(left.current.precisionCostQ >= 2, "the TUR holds");
      assert.ok(rel(solution.sigmaKbPerS, j * Math.log((alpha * beta) / (gamma * delta))) < 1e-9);
    }
  } finally {
    dir.remove();
  }
});

test("thermo solve - uniform driven ring: TUR Q = a·coth(a/2) exactly (docs/thermo.md)", async () => {
  const { solveMarkovModel, drivenRingSpec } = await import("../coordinator/thermo/index.ts");
  for (const [kPlus, exact] of [
    [1.1, 2.00151377589],
    [2, 2.07944154168],
    [10, 2.81427066921],
  ] as const) {
    const s = solveMarkovModel(drivenRingSpec(5, kPlus, 1));
    const q = s.edges[0]!.current.precisionCostQ!;
    assert.ok(Math.abs(q - exact) / exact < 1e-9, `k+ = ${kPlus}: Q ${q} vs ${exact}`);
  }
});
