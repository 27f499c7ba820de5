/**
 * A real Prometheus scrapes a paced cooling run (`dctwin run --speed 2 --metrics-level actor`) every 250 ms:
 * - summing any energy family (total, group, rack, zone, component, actor) gives summary.json's energy (1e-9);
 * - the CRAC's inlet temperature gauge follows the closed form of the CRAC model;
 * - the endpoint lingers after the run, so the last interval is scraped.
 *
 * The scenario has a closed form: two idle servers (no traffic) draw their idle power, 2 × 100 W, from t = 0. The
 * coordinator hands a CRAC the zone's heat two intervals late, so it sees 0 W until t = 2 s and 200 W after. With
 * capacity to spare, the inlet heads for T∞ = supply + rise · 0.2 kW = 18 + 10 · 0.2 = 20 °C with τ = 4 s:
 * T(t) = 18 for t ≤ 2 s, T(t) = 20 − 2 · exp(−(t − 2)/4) after. A reading taken at each interval boundary t_k
 * is what the gauge shows once interval k has closed (rounded to the millikelvin).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { collect, startCli } from "./support/cli.ts";
import { freePort } from "./support/ports.ts";
import { PrometheusServer } from "./support/prometheus.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { parse } from "yaml";
import { DASHBOARDS } from "../deploy/grafana/src/dashboards.ts";
import { panelsOf } from "../deploy/grafana/src/panels.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { panelQueries } from "./support/grafana.ts";

const dir = tempDir("dctwin-obs-cooling-prom-");
after(() => dir.remove());

const DURATION_S = 12;
const RUN_ID = "cooling-live";
const server = (id: string, rack: string) => ({
  id,
  kind: "server",
  labels: { rack, zone: "z1" },
  cores: 2,
  service: { distribution: "exponential", mean: "1ms" },
  power: { model: "linear", idle_w: 100, max_w: 200 },
});
const scenario = {
  name: "cooling-closed-form",
  run: { duration: `${DURATION_S}s`, seed: 1, metrics_interval: "1s" },
  actors: [
    server("s1", "r1"),
    server("s2", "r2"),
    {
      id: "crac-1",
      kind: "crac",
      zone: "z1",
      units: 1,
      unit_capacity_w: 1000,
      supply_temp_c: 18,
      inlet_rise_k_per_kw: 10,
      envelope_w_per_k: 100,
      time_constant: "4s",
    },
  ],
  links: [{ a: "s1", b: "s2", latency: "10us", bandwidth: "10Gbps" }],
};

/** The inlet temperature of the closed form at simulated time t (s). */
function inletC(t: number): number {
  return t <= 2 ? 18 : 20 - 2 * Math.exp(-(t - 2) / 4);
}

const ENERGY_FAMILIES = [
  "dctwin_energy_joules_total",
  "dctwin_group_energy_joules_total",
  "dctwin_rack_energy_joules_total",
  "dctwin_zone_energy_joules_total",
  "dctwin_component_energy_joules_total",
  "dctwin_actor_energy_joules_total",
];

// Every interval must reach Prometheus while the run goes on: a paced coordinator that does not yield between grants
// answers no scrape and reads no report until its horizon hits the cap (fixed in run-driver.ts: pacedDueNs).
test("observability cooling - a real Prometheus: energy families sum to the summary, the inlet gauge follows the CRAC model, the last interval is scraped", async () => {
  const file = writeScenario(dir.path, "cooling", scenario);
  const port = await freePort();
  const config = `global:\n  scrape_interval: 250ms\n  scrape_timeout: 200ms\nscrape_configs:\n  - job_name: dctwin\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`;
  const prometheus = await PrometheusServer.start(dir.path, config);
  // Prometheus may start its scrape loop up to 5 s after it is ready: the run starts once it has, or its first
  // intervals pass unscraped (CI saw only the last 4 intervals).
  await prometheus.waitForScrapeLoops(1).catch(async (error: unknown) => {
    await prometheus.stop();
    throw error;
  });
  const out = join(dir.path, "out");
  const child = startCli([
    "run",
    file,
    "--speed",
    "2",
    "--run-id",
    RUN_ID,
    "--metrics-port",
    String(port),
    "--metrics-level",
    "actor",
    "--metrics-linger",
    "2",
    "--out",
    out,
  ]);
  const finished = collect(child, 90_000);
  try {
    const run = await finished;
    const endedS = Date.now() / 1000;
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /metrics: run over; http:\S+ serves its final values for 2 s more/,
      "the linger is announced",
    );
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const energyJ: number = summary.thermodynamics.heat.energy_j;
    // Idle servers for 12 s and a CRAC removing 200 W from 2 s: the total is known in closed form too.
    const cop = 0.0068 * 18 * 18 + 0.0008 * 18 + 0.458;
    assert.ok(
      Math.abs(energyJ - (2 * 100 * DURATION_S + (200 / cop) * (DURATION_S - 2))) < 1e-6 * energyJ,
      `summary energy ${energyJ} J`,
    );

    const last = async (expr: string) => {
      const r = await prometheus.query(expr);
      assert.equal(r.length, 1, `${expr}: ${JSON.stringify(r)}`);
      return Number(r[0]!.value![1]);
    };
    // The last interval reached Prometheus: the interval-based series are complete up to the end of the run.
    assert.equal(await last("last_over_time(dctwin_interval_closed_sim_time_seconds[5m])"), DURATION_S);
    assert.equal(await last("last_over_time(dctwin_run_finished[5m])"), 1);
    for (const family of ENERGY_FAMILIES) {
      const sum = await last(`sum(last_over_time(${family}[5m]))`);
      assert.ok(Math.abs(sum - energyJ) <= 1e-9 * energyJ, `sum(${family}) = ${sum} J vs summary ${energyJ} J`);
    }
    const it = await last("last_over_time(dctwin_it_energy_joules_total[5m])");
    const cooling = await last("last_over_time(dctwin_cooling_energy_joules_total[5m])");
    assert.ok(
      Math.abs(it - summary.thermodynamics.heat.it_energy_j) <= 1e-9 * it &&
        Math.abs(it + cooling - energyJ) <= 1e-9 * energyJ,
    );
    // The CRAC counts in the zone it cools: zone z1 holds everything.
    assert.ok(
      Math.abs((await last('last_over_time(dctwin_zone_energy_joules_total{zone="z1"}[5m])')) - energyJ) <=
        1e-9 * energyJ,
    );

    // The inlet gauge, sample by sample against the interval it belongs to (both from the same scrape).
    const raw = async (expr: string) =>
      new Map((await prometheus.query(`${expr}[5m]`))[0]!.values!.map(([t, v]) => [t, Number(v)]));
    const closed = await raw("dctwin_interval_closed_sim_time_seconds");
    const inlet = await raw('dctwin_group_crac_inlet_temperature_celsius{group="crac"}');
    let compared = 0;
    const seen = new Set<number>();
    for (const [t, celsius] of inlet) {
      const upTo = closed.get(t);
      if (upTo === undefined || upTo === 0) continue;
      const k = upTo - 1; // the last closed interval's reading was taken at its start, t_k
      assert.ok(
        Math.abs(celsius - inletC(k)) <= 6e-4,
        `inlet ${celsius} °C after interval ${k} closed; the model gives ${inletC(k)}`,
      );
      compared++;
      seen.add(k);
    }
    // Scraped every 250 ms, each 0.5 s interval is seen about twice: a few may be missed under load, not most.
    const intervals = [...seen].sort((a, b) => a - b).join(" ");
    assert.ok(compared >= 16 && seen.size >= 9, `${compared} scraped readings over intervals ${intervals}`);
    assert.ok(
      [...seen].some((k) => k <= 2) && [...seen].some((k) => k >= 6),
      `before and while the inlet warms up: ${intervals}`,
    );

    // The dashboards' panels that need a live run return data (the others: grafana-dashboards.test.ts).
    const duringLinger = endedS - 1;
    let live = 0;
    for (const spec of DASHBOARDS) {
      for (const panel of panelsOf(spec).filter((p) => p.live === true)) {
        for (const { expr } of panelQueries(panel, RUN_ID, "2s")) {
          const r = await prometheus.query(expr, duringLinger);
          assert.ok(r.length > 0, `${spec.title} / ${panel.title}: ${expr} returns data`);
          live++;
        }
      }
    }
    assert.ok(live >= 8, `${live} live queries`);
    // The conservation alert's books balance at the end (the expression it fires on is empty).
    const rule = parse(readFileSync(join(REPO_ROOT, "deploy/grafana/prometheus-rule.yaml"), "utf8")).spec.groups[1]
      .rules[0];
    assert.equal(rule.alert, "DctwinConservationViolation");
    assert.deepEqual(await prometheus.query(rule.expr, duringLinger), []);
    assert.equal(
      (await prometheus.query(`dctwin_run_finished{run="${RUN_ID}"} == 1`, duringLinger)).length,
      1,
      "the alert's guard holds: evaluated on a finished run",
    );
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await prometheus.stop();
  }
});
