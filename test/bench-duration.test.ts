/**
 * The benchmark's simulated durations (bench/twin-runs.ts benchDurationNs): `--quick` once crashed because its
 * shortened duration fell below fat-tree-k8's warm-up. A bench run never ends before its scenario's warm-up, never
 * runs longer than the scenario, and the duration it picks loads as a valid scenario.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { benchDurationNs } from "../bench/twin-runs.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";

const MS = 1_000_000;

test("bench - durations outlast the warm-up and stay within the scenario", () => {
  const fatTree = { durationNs: 2000 * MS, warmupNs: 500 * MS };
  assert.equal(benchDurationNs(fatTree, 300 * MS), 800 * MS, "--quick: the warm-up plus the quick span");
  assert.equal(benchDurationNs(fatTree, null), 2000 * MS, "full: the scenario's own");
  assert.equal(benchDurationNs(fatTree, 5000 * MS), 2000 * MS, "never longer than the scenario");
  assert.equal(benchDurationNs({ durationNs: 10 * MS, warmupNs: 2 * MS }, 3 * MS), 3 * MS);
  assert.equal(benchDurationNs({ durationNs: 10 * MS, warmupNs: 9 * MS }, 3 * MS), 10 * MS);
  for (const name of ["fat-tree-k8", "bench-300", "cooling-zone"]) {
    const file = new URL(`../examples/${name}.yaml`, import.meta.url).pathname;
    const { run } = loadScenarioFile(file).scenario;
    for (const chosen of [1 * MS, 3 * MS, 300 * MS, null]) {
      const durationNs = benchDurationNs(run, chosen);
      assert.ok(durationNs > run.warmupNs && durationNs <= run.durationNs, `${name}: ${durationNs} ns`);
      assert.doesNotThrow(() => loadScenarioFile(file, { durationNs }), `${name} loads with ${durationNs} ns`);
    }
  }
});
