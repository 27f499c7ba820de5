/** `dctwin thermo solve`: the exact solver from the command line, against THERMO.md's two-cycle reference. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

test("thermo solve - two-cycle network: σ and probabilities to 1e-9", async () => {
  const result = await runCli(["thermo", "solve", "scenarios/markov/two-cycle.yaml", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const solution = JSON.parse(result.stdout);
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  assert.ok(rel(solution.sigmaKbPerS, 1.53206880328) < 1e-9);
  const p = Object.fromEntries(solution.states.map((s: { state: string; probability: number }) => [s.state, s.probability]));
  for (const [state, exact] of [["1", 19 / 62], ["2", 7 / 31], ["3", 9 / 31], ["4", 11 / 62]] as const) assert.ok(rel(p[state], exact) < 1e-9, `p(${state})`);
});

test("thermo solve - an invalid model names the field and exits 2", async () => {
  const dir = tempDir();
  try {
    const file = writeScenario(dir.path, "bad-model", { states: ["a", "b"], transitions: [{ from: "a", to: "c", rate: -1 }] });
    const result = await runCli(["thermo", "solve", file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /transitions\[0\]\.(to|rate)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  } finally {
    dir.remove();
  }
});
