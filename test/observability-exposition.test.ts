/**
 * The exposition of a small scenario, compared whole with a committed expected text (client_golang's
 * CollectAndCompare style): family names, types, units, HELP, label sets and values. Replay registry (no
 * wall-clock families) at metrics level actor; `dctwin_build_info` is left out (it names the Node.js version).
 * After an intended change: DCTWIN_UPDATE_EXPECTED=1 node --test test/observability-exposition.test.ts, and
 * review the diff of test/expected/exposition-small.prom.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { createRunRegistry } from "../coordinator/observability/prometheus/exporter.ts";
import { RunState } from "../coordinator/observability/run-state.ts";
import { runViewFromScenario } from "../coordinator/observability/run-view.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { stringify } from "yaml";
import { promtool } from "./support/prometheus.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-obs-exposition-");
after(() => dir.remove());

const EXPECTED = join(REPO_ROOT, "test/expected/exposition-small.prom");

const scenario = {
  name: "exposition-small",
  run: { duration: "4s", seed: 5, metrics_interval: "1s", distribution_loss: 0.05 },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "web",
      arrivals: { process: "poisson", rate_per_s: 50 },
      request_bytes: 300,
      response_bytes: 1000,
      timeout: "50ms",
    },
    {
      id: "web",
      kind: "server",
      labels: { rack: "r1", zone: "z1" },
      cores: 1,
      service: { distribution: "exponential", mean: "2ms" },
      queue_limit: 2,
      power: { model: "linear", idle_w: 100, max_w: 200 },
    },
    { id: "crac", kind: "crac", zone: "z1", unit_capacity_w: 500, inlet_rise_k_per_kw: 5, time_constant: "2s" },
  ],
  links: [{ a: "users", b: "web", latency: "100us", bandwidth: "1Gbps" }],
};

test("observability exposition - a small scenario's exposition equals the committed one", async () => {
  const { scenario: resolved } = loadScenarioText(stringify(scenario), "exposition-small.yaml");
  const state = new RunState(runViewFromScenario(resolved, "r-expo"), "actor");
  const registry = createRunRegistry(state, false);
  await runTwin({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    runId: "r-expo",
    outDir: join(dir.path, "out"),
    onIntervalClosed: (r) => state.onIntervalClosed(r),
  });
  const text = (await registry.metrics())
    .split("\n\n")
    .filter((family) => !family.includes("# TYPE dctwin_build_info "))
    .join("\n\n");
  assert.equal(promtool(["check", "metrics"], text).code, 0);
  if (process.env.DCTWIN_UPDATE_EXPECTED === "1") writeFileSync(EXPECTED, text);
  assert.equal(text, readFileSync(EXPECTED, "utf8"));
});
