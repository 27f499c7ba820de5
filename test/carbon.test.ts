/**
 * Carbon against a hand-computed intensity-weighted sum: a server drawing a constant 100 W (idle = max), 10%
 * distribution losses, a grid at 200 gCO2e/kWh until 2.5 s and 400 after, embodied carbon of 1 t over 4 years.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateCheck } from "../coordinator/control/checks.ts";
import { runCheckSource } from "../coordinator/control/results.ts";
import { LedgerBook } from "../coordinator/ledgers/book.ts";
import { ledgerScope } from "../coordinator/ledgers/snapshot.ts";
import { parseThreshold } from "../spec/threshold.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { runResolved } from "./support/twin.ts";
import { runTwin } from "../coordinator/run.ts";
import { RunState } from "../coordinator/observability/run-state.ts";
import { runViewFromScenario } from "../coordinator/observability/run-view.ts";
import { createRunRegistry } from "../coordinator/observability/prometheus/exporter.ts";
import { loadReportData } from "../coordinator/observability/report/load.ts";
import { headlineRows } from "../coordinator/observability/report/tables.ts";

const dir = tempDir();
after(() => dir.remove());

const DURATION_S = 5;
const REQUESTS = 10;
const FACILITY_W = 100 * 1.1;
const EMBODIED_G_PER_S = 1e6 / (4 * 365.25 * 86400);

function scenario(carbon: object) {
  return {
    name: "carbon",
    run: { duration: `${DURATION_S}s`, metrics_interval: "1s", distribution_loss: 0.1, carbon },
    actors: [
      {
        id: "replay",
        kind: "client",
        target: "web",
        arrivals: { process: "trace", rows: Array.from({ length: REQUESTS }, (_, i) => ({ at: `${100 * i + 50}ms` })) },
        request_bytes: 100,
        response_bytes: 100,
      },
      {
        id: "web",
        kind: "server",
        service: { distribution: "deterministic", value: "1ms" },
        power: { model: "linear", idle_w: 100, max_w: 100 },
      },
    ],
    links: [{ a: "replay", b: "web", latency: "100us" }],
  };
}

function close(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

test("carbon - operational carbon is the intensity-weighted facility energy; embodied is amortised; per request", async () => {
  const embodied = { server: { kg_co2e: 1000, lifetime_years: 4 } };
  const inline = writeScenario(
    dir.path,
    "inline",
    scenario({
      intensity_g_per_kwh: [
        { at: 0, g_per_kwh: 200 },
        { at: "2.5s", g_per_kwh: 400 },
      ],
      embodied,
    }),
  );
  writeFileSync(join(dir.path, "grid.csv"), "time,g_per_kwh\n0,200\n2.5s,400\n");
  const fromFile = writeScenario(dir.path, "file", scenario({ intensity_file: "grid.csv", embodied }));
  // By hand: 110 W × (2.5 s × 200 + 2.5 s × 400) g/kWh / 3.6e6 J/kWh; the interval [2 s, 3 s) straddles the step.
  const operational = (FACILITY_W * (2.5 * 200 + 2.5 * 400)) / 3.6e6;
  const embodiedG = EMBODIED_G_PER_S * DURATION_S;
  for (const file of [inline, fromFile]) {
    const { scenario: resolved } = loadScenarioFile(file);
    const { summary, outcome, outDir, intervals } = await runResolved(resolved, dir.path);
    const carbon = summary.carbon!;
    close(carbon.operational_g, operational, "operational");
    close(carbon.embodied_g, embodiedG, "embodied");
    close(carbon.total_g, operational + embodiedG, "total");
    close(carbon.mean_intensity_g_per_kwh!, 300, "energy-weighted intensity");
    assert.equal(carbon.answered_requests, REQUESTS);
    close(carbon.per_request_g!, (operational + embodiedG) / REQUESTS, "per request");
    // thermo.csv: the columns sum to the summary's figures, interval by interval by hand.
    const rows = readFileSync(join(outDir, "thermo.csv"), "utf8").trim().split("\n");
    const header = rows[0]!.split(",");
    const col = (name: string) => rows.slice(1).map((r) => Number(r.split(",")[header.indexOf(name)]));
    const perInterval = [200, 200, 300, 400, 400].map((g) => (FACILITY_W * g) / 3.6e6);
    col("operational_carbon_g").forEach((g, i) => close(g, perInterval[i]!, `interval ${i}`));
    close(
      col("embodied_carbon_g").reduce((a, b) => a + b, 0),
      embodiedG,
      "embodied column",
    );
    // Experiment checks on carbon: the window's total over its responses.
    const check = (text: string, fromS = 0, toS = DURATION_S) =>
      evaluateCheck(
        { name: text, threshold: parseThreshold(text), fromNs: fromS * 1e9, toNs: toS * 1e9 },
        resolved,
        runCheckSource(outcome.aggregator, new LedgerBook(ledgerScope(resolved)), intervals),
        DURATION_S * 1e9,
      );
    const perRequest = check("carbon_per_request_g avg < 0.01");
    close(perRequest.observed!, (operational + embodiedG) / REQUESTS, "check: carbon per request");
    assert.equal(perRequest.passed, true);
    assert.equal(check("carbon_per_request_g avg < 0.001").passed, false);
    close(
      check("operational_carbon_g sum < 1", 3, 5).observed!,
      (2 * FACILITY_W * 400) / 3.6e6,
      "check: operational carbon in [3 s, 5 s)",
    );
    // The report's headline: the carbon figures, and the one-way currents (requests and responses are never
    // seen in reverse) beside a σ that says it covers only the pairs seen both ways.
    const headline = new Map(headlineRows(loadReportData(outDir)).map((r) => [r.label, r.value]));
    assert.equal(headline.get("carbon"), `${Number((operational + embodiedG).toPrecision(6))} gCO2e`);
    assert.match(headline.get("carbon per request") ?? "", /gCO2e$/);
    assert.match(headline.get("irreversible currents") ?? "", /^\d+ mechanism\(s\) never seen in reverse/);
    assert.ok(headline.has("packet entropy production σ (pairs seen both ways only)"));
    assert.ok(!headline.has("packet entropy production σ"));
  }
});

test("carbon - Prometheus: one family, dctwin_carbon_grams_total{source}, summing to the summary's total", async () => {
  const file = writeScenario(
    dir.path,
    "prom",
    scenario({
      intensity_g_per_kwh: [
        { at: 0, g_per_kwh: 200 },
        { at: "2.5s", g_per_kwh: 400 },
      ],
      embodied: { server: { kg_co2e: 1000, lifetime_years: 4 } },
    }),
  );
  const { scenario: resolved } = loadScenarioFile(file);
  const state = new RunState(runViewFromScenario(resolved, "r-carbon"), "group");
  const registry = createRunRegistry(state, true);
  const result = await runTwin({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    runId: "r-carbon",
    outDir: join(dir.path, "prom-out"),
    onWindow: (p) => state.onWindow(p),
    onIntervalClosed: (r) => state.onIntervalClosed(r),
  });
  state.onRunEnd(result.outcome.simTimeNs, result.outcome.totals);
  const text = await registry.metrics();
  const value = (source: string) =>
    Number(
      new RegExp(`^dctwin_carbon_grams_total\\{source="${source}",run="r-carbon"\\} (\\S+)$`, "m").exec(text)?.[1],
    );
  const carbon = result.summary.carbon!;
  close(value("operational"), carbon.operational_g, "operational series");
  close(value("embodied"), carbon.embodied_g, "embodied series");
  close(value("operational") + value("embodied"), carbon.total_g, "the family sums to the total");
  assert.equal(text.match(/^# TYPE dctwin_carbon_grams_total counter$/gm)?.length, 1);
});

test("carbon - bad input names the field", () => {
  const bad = (carbon: object) => {
    try {
      loadScenarioFile(writeScenario(dir.path, "bad", scenario(carbon)));
    } catch (error) {
      assert.ok(error instanceof ScenarioError);
      return error.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    }
    assert.fail("accepted");
  };
  assert.match(bad({ intensity_g_per_kwh: -5 }), /run\.carbon\.intensity_g_per_kwh/);
  assert.match(
    bad({ intensity_g_per_kwh: 100, intensity_file: "x.csv" }),
    /either intensity_g_per_kwh or intensity_file/,
  );
  assert.match(bad({ intensity_file: "missing.csv" }), /run\.carbon\.intensity_file: cannot read/);
  assert.match(
    bad({ intensity_g_per_kwh: 100, embodied: { server: { kg_co2e: 5, lifetime_years: 0 } } }),
    /run\.carbon\.embodied\.server\.lifetime_years/,
  );
});
