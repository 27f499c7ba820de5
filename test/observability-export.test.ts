/**
 * `dctwin export --openmetrics RUN_DIR`: a finished run's series with simulated timestamps, backfilled into a
 * Prometheus TSDB by `promtool tsdb create-blocks-from openmetrics`; a real Prometheus started on those blocks
 * answers queries with the run's figures at the right simulated times.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "./support/cli.ts";
import { PrometheusServer, promtool } from "./support/prometheus.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-obs-export-");
after(() => dir.remove());

const ORIGIN_S = 1_700_000_000;
const scenario = {
  name: "obs-export",
  run: { duration: "3s", seed: 4, metrics_interval: "500ms" },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "web",
      arrivals: { process: "poisson", rate_per_s: 600 },
      request_bytes: 300,
      response_bytes: 2000,
    },
    {
      id: "web",
      kind: "server",
      cores: 1,
      service: { distribution: "exponential", mean: "1ms" },
      queue_limit: 4,
      power: { model: "linear", idle_w: 80, max_w: 200 },
    },
  ],
  links: [{ a: "users", b: "web", latency: "100us", bandwidth: "1Gbps" }],
  experiment: {
    faults: [
      { name: "slow", action: "delay", latency: "2ms", selector: { links: ["users--web"] }, at: "1s", duration: "1s" },
    ],
  },
};

test("observability export - OpenMetrics with simulated timestamps backfills Prometheus; its queries give the run's figures", async () => {
  const file = writeScenario(dir.path, "export", scenario);
  const out = join(dir.path, "run");
  const run = await runCli([
    "run",
    file,
    "--transport",
    "inproc",
    "--metrics-port",
    "0",
    "--metrics-linger",
    "0",
    "--out",
    out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /metrics: http:\/\/127\.0\.0\.1:\d+\/metrics \(level group\)/,
    "port 0: the chosen URL is printed",
  );
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));

  const exported = await runCli(["export", "--openmetrics", out, "--origin", String(ORIGIN_S)]);
  assert.equal(exported.code, 0, exported.stderr);
  const om = exported.stdout;
  assert.ok(om.endsWith("# EOF\n"));
  assert.match(
    om,
    /^dctwin_sim_time_seconds\{run="run-[0-9a-f]+"\} 3 1700000003$/m,
    "simulated timestamps: origin + simulated seconds",
  );
  assert.match(om, /^# TYPE dctwin_events counter$/m, "OpenMetrics counter families drop _total");
  const omFile = join(dir.path, "run.om");
  writeFileSync(omFile, om);

  // Without --origin, simulated time zero is when the run started.
  const defaultOrigin = await runCli(["export", "--openmetrics", out]);
  const startedS = Math.floor(
    Date.parse(JSON.parse(readFileSync(join(out, "run-info.json"), "utf8")).started_at) / 1000,
  );
  assert.match(defaultOrigin.stdout, new RegExp(`^dctwin_sim_time_seconds\\{run="[^"]+"\\} 0 ${startedS}$`, "m"));

  const storage = join(dir.path, "tsdb");
  const blocks = promtool(["tsdb", "create-blocks-from", "openmetrics", omFile, storage]);
  assert.equal(blocks.code, 0, `promtool create-blocks-from:\n${blocks.stdout}${blocks.stderr}`);

  const prometheus = await PrometheusServer.start(dir.path, "global:\n  scrape_interval: 1m\n", { storage });
  try {
    const at = async (expr: string, simS: number) => {
      const r = await prometheus.query(expr, ORIGIN_S + simS);
      assert.equal(r.length, 1, `${expr} at ${simS} s: ${JSON.stringify(r)}`);
      return Number(r[0]!.value![1]);
    };
    assert.equal(await at("dctwin_sim_time_seconds", 1.5), 1.5);
    assert.equal(await at("dctwin_sim_time_seconds", 3), 3);
    assert.equal(await at("dctwin_events_total", 3), summary.events);
    const rt = summary.metrics.response_time_s.client;
    assert.equal(await at("dctwin_response_time_seconds_count", 3), rt.count);
    assert.equal(await at("sum(dctwin_packets_dropped_total)", 3), summary.packets.dropped);
    assert.ok(summary.packets.dropped > 0, "the small queue dropped packets");
    const energy = await at("dctwin_energy_joules_total", 3);
    assert.ok(Math.abs(energy - summary.thermodynamics.heat.energy_j) < 1e-6 * energy, `energy ${energy} J`);
    // Rates over simulated time: throughput about the offered 600/s minus drops; power between idle and max.
    const throughput = await at("rate(dctwin_response_time_seconds_count[1s])", 3);
    assert.ok(throughput > 450 && throughput < 700, `throughput ${throughput}/s`);
    const power = await at("dctwin_power_watts", 2);
    assert.ok(power > 80 && power < 200, `power ${power} W`);
    // The packet ledger's σ after the last interval is the summary's (no warm-up: the same pooled counts).
    const sigma = await at("dctwin_packet_entropy_production_boltzmann_per_second", 3);
    assert.ok(
      sigma >= 0 && Math.abs(sigma - summary.thermodynamics.irreversibility.sigma_kb_per_s) <= 1e-9 * sigma,
      `σ ${sigma} k_B/s`,
    );
    // The fault, for annotations: in force from 1 s to 2 s of simulated time, then 0 (no staleness in backfills).
    assert.equal(await at('dctwin_fault_active{fault="slow",action="delay"}', 1.5), 1);
    assert.equal(await at('dctwin_fault_active{fault="slow",action="delay"}', 2.5), 0);
    assert.equal(await at("dctwin_faults_injected_total", 3), 1);
    assert.equal(await at("dctwin_faults_cleared_total", 3), 1);
    const median = await at("histogram_quantile(0.5, rate(dctwin_response_time_seconds_bucket[3s]))", 3);
    assert.ok(median > rt.p50 / 2 && median < rt.p50 * 2, `median ${median} s vs the run's ${rt.p50} s`);
  } finally {
    await prometheus.stop();
  }
});

test("observability export - a results directory without intervals.jsonl is invalid input", async () => {
  const empty = join(dir.path, "empty");
  const r = await runCli(["export", "--openmetrics", empty]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /has no intervals\.jsonl/);
  const noFormat = await runCli(["export", empty]);
  assert.equal(noFormat.code, 2);
  assert.match(noFormat.stderr, /--openmetrics/);
});
