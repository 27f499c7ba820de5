/**
 * Grafana dashboards as code (deploy/grafana): the committed JSON and ConfigMaps equal the generator's output;
 * every panel has a unit, a description and queries scoped to the run variable; the PrometheusRule passes
 * `promtool check rules`; and every panel's PromQL returns data from a real Prometheus holding a backfilled run
 * (a small cooling zone with a CRAC failure: `dctwin export --openmetrics` +
 * `promtool tsdb create-blocks-from openmetrics`). Panels that need a live run (pace, windows, hosts) are checked
 * against a live scrape in observability-cooling-prometheus.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse, parseAllDocuments, stringify } from "yaml";
import { DASHBOARDS } from "../deploy/grafana/src/dashboards.ts";
import { GRAFANA_DIR, renderAll } from "../deploy/grafana/src/generate.ts";
import { panelsOf } from "../deploy/grafana/src/panels.ts";
import { panelQueries } from "./support/grafana.ts";
import { REPO_ROOT, runCli } from "./support/cli.ts";
import { PrometheusServer, promtool } from "./support/prometheus.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-grafana-");
after(() => dir.remove());

test("grafana dashboards - the committed JSON and ConfigMaps are the generator's output (npm run dashboards)", () => {
  for (const [path, text] of renderAll())
    assert.equal(
      readFileSync(join(GRAFANA_DIR, path), "utf8"),
      text,
      `deploy/grafana/${path} is stale: run npm run dashboards`,
    );
  const maps = parseAllDocuments(readFileSync(join(GRAFANA_DIR, "dashboards-configmaps.yaml"), "utf8")).map((d) =>
    d.toJS(),
  );
  assert.equal(maps.length, DASHBOARDS.length);
  for (const m of maps) {
    assert.equal(m.kind, "ConfigMap");
    assert.equal(m.metadata.labels.grafana_dashboard, "1");
    const [json] = Object.values(m.data as Record<string, string>);
    assert.ok(JSON.parse(json!).uid.startsWith("dctwin-"));
  }
});

test("grafana dashboards - variables, units, descriptions and run-scoped queries on every panel", () => {
  for (const spec of DASHBOARDS) {
    const json = JSON.parse(renderAll().get(`dashboards/${spec.uid}.json`)!);
    assert.deepEqual(
      json.templating.list.map((v: { name: string; type: string }) => `${v.name}:${v.type}`),
      ["datasource:datasource", "run:query"],
    );
    const panels = json.panels.filter((p: { type: string }) => p.type !== "row");
    assert.equal(panels.length, panelsOf(spec).length);
    for (const p of panels) {
      assert.ok(
        typeof p.fieldConfig.defaults.unit === "string" && p.fieldConfig.defaults.unit !== "",
        `${spec.uid} / ${p.title}: a unit`,
      );
      assert.ok(p.description.length > 20, `${spec.uid} / ${p.title}: a description`);
      for (const t of p.targets) assert.match(t.expr, /run="\$run"/, `${spec.uid} / ${p.title}: scoped to the run`);
    }
    assert.ok(
      json.annotations.list.some((a: { expr?: string }) => a.expr?.includes("dctwin_fault_active")),
      "faults as annotations",
    );
  }
});

test("grafana dashboards - the PrometheusRule passes promtool check rules", () => {
  const doc = parse(readFileSync(join(REPO_ROOT, "deploy/grafana/prometheus-rule.yaml"), "utf8"));
  assert.equal(doc.kind, "PrometheusRule");
  const file = join(dir.path, "rules.yaml");
  writeFileSync(file, stringify({ groups: doc.spec.groups }));
  const r = promtool(["check", "rules", file]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 9 rules found/);
  const alerts = doc.spec.groups.flatMap((g: { rules: { alert?: string }[] }) =>
    g.rules.map((x) => x.alert).filter(Boolean),
  );
  assert.deepEqual(alerts, ["DctwinConservationViolation", "DctwinRunStalled", "DctwinHostLost"]);
});

const ORIGIN_S = 1_700_000_000;

/**
 * A small cooling-zone: clients (with an SLO) in front of a load balancer and two throttling servers in one zone,
 * all behind one switch (so the balancer's link carries requests and responses both ways: a finite σ), a CRAC that
 * fails from 4 s to 9 s (the inlet passes the servers' 20 °C limit within a second or two), a lossy link for
 * drops, a load change, two checks and carbon: every optional panel has data.
 */
const server = (id: string, rack: string) => ({
  id,
  kind: "server",
  labels: { rack, zone: "z1" },
  cores: 2,
  service: { distribution: "exponential", mean: "2ms" },
  queue_limit: 8,
  inlet_limit_c: 20,
  power: { model: "linear", idle_w: 150, max_w: 300 },
});
const COOLING_SMALL = {
  name: "cooling-small",
  run: {
    duration: "14s",
    seed: 7,
    metrics_interval: "1s",
    distribution_loss: 0.05,
    carbon: { intensity_g_per_kwh: 300 },
  },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "lb",
      arrivals: { process: "poisson", rate_per_s: 400 },
      request_bytes: 500,
      response_bytes: 4000,
      slo: { response_time: "6ms" },
    },
    { id: "lb", kind: "load_balancer", replicas: ["s1", "s2"], policy: "round_robin" },
    { id: "sw", kind: "switch" },
    server("s1", "r1"),
    server("s2", "r2"),
    {
      id: "crac",
      kind: "crac",
      zone: "z1",
      units: 1,
      unit_capacity_w: 2000,
      fan_w: 50,
      supply_temp_c: 18,
      inlet_rise_k_per_kw: 2,
      envelope_w_per_k: 30,
      time_constant: "2s",
    },
  ],
  links: [
    { a: "users", b: "sw", latency: "100us", bandwidth: "1Gbps", loss: 0.01 },
    { a: "lb", b: "sw", latency: "20us", bandwidth: "10Gbps" },
    { a: "s1", b: "sw", latency: "50us", bandwidth: "10Gbps" },
    { a: "s2", b: "sw", latency: "50us", bandwidth: "10Gbps" },
  ],
  experiment: {
    faults: [{ name: "crac-down", action: "cooling-failure", selector: { kinds: ["crac"] }, at: "4s", duration: "5s" }],
    load: [{ name: "rush", selector: { actors: ["users"] }, at: "2s", stages: [{ duration: "3s", factor: 1.5 }] }],
    checks: [
      { name: "cool-before", threshold: "response_time_s p(99) < 50ms", before: "crac-down", for: "2s" },
      { name: "hot", threshold: "thermal_throttles count > 0", during: "crac-down" },
    ],
  },
};
const RUN_ID = "grafana-backfill";

test("grafana dashboards - every panel's PromQL returns data from a backfilled cooling run", async () => {
  const out = join(dir.path, "run");
  const run = await runCli(
    ["run", writeScenario(dir.path, "cooling-small", COOLING_SMALL), "--run-id", RUN_ID, "--out", out, "-q"],
    { timeoutMs: 300_000 },
  );
  assert.equal(run.code, 0, run.stderr);
  const exported = await runCli(["export", "--openmetrics", out, "--origin", String(ORIGIN_S)]);
  assert.equal(exported.code, 0, exported.stderr);
  const omFile = join(dir.path, "run.om");
  writeFileSync(omFile, exported.stdout);
  const storage = join(dir.path, "tsdb");
  const blocks = promtool(["tsdb", "create-blocks-from", "openmetrics", omFile, storage]);
  assert.equal(blocks.code, 0, blocks.stdout + blocks.stderr);
  const prometheus = await PrometheusServer.start(dir.path, "global:\n  scrape_interval: 1m\n", { storage });
  try {
    const atS = ORIGIN_S + 12; // the CRAC was down from 4 s to 9 s: servers throttled, and the rate windows hold it
    let checked = 0;
    for (const spec of DASHBOARDS) {
      for (const panel of panelsOf(spec)) {
        if (panel.live === true) continue;
        for (const { expr, optionalFamily } of panelQueries(panel, RUN_ID, "10s")) {
          // This run has everything an optional panel may need: none is left out.
          if (optionalFamily !== undefined)
            assert.ok(
              (await prometheus.query(`count(${optionalFamily})`, atS)).length > 0,
              `${spec.title} / ${panel.title}: ${optionalFamily} exists`,
            );
          const result = await prometheus.query(expr, atS);
          assert.ok(
            result.length > 0 && result.some((r) => Number.isFinite(Number(r.value![1]))),
            `${spec.title} / ${panel.title}: ${expr} returns data`,
          );
          checked++;
        }
      }
      const annotations = await prometheus.query(`dctwin_fault_active{run="${RUN_ID}"} == 1`, ORIGIN_S + 6);
      assert.ok(annotations.length > 0, "the fault annotations query finds the faults in force");
    }
    assert.ok(checked >= 40, `${checked} queries checked`);
  } finally {
    await prometheus.stop();
  }
});
