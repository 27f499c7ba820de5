/**
 * The coordinator's Prometheus exporter: its exposition passes `promtool check metrics`, agrees with the run's
 * summary, is served on loopback at /metrics, and its label cardinality is bounded by the aggregation level
 * (stated and checked for the largest example, examples/bench-300.yaml).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { Registry } from "prom-client";
import { runTwin } from "../coordinator/run.ts";
import { Histogram } from "../nodes/runtime/histogram.ts";
import { newAccumulator, observe } from "../nodes/runtime/metrics.ts";
import { stringify } from "yaml";
import { runControlled } from "../coordinator/session.ts";
import { loadScenarioFile, loadScenarioText } from "../coordinator/scenario-loader.ts";
import { emptyRecordForTest, twoGroupShop } from "./support/observability.ts";
import { AGGREGATION_LEVELS, type AggregationLevel } from "../coordinator/observability/levels.ts";
import { cumulativeCounts } from "../coordinator/observability/prometheus/buckets.ts";
import { registerRunMetrics, seriesBound } from "../coordinator/observability/prometheus/collector.ts";
import { createRunRegistry, startRunExporter } from "../coordinator/observability/prometheus/exporter.ts";
import { RunState } from "../coordinator/observability/run-state.ts";
import { runViewFromScenario } from "../coordinator/observability/run-view.ts";
import { SECONDS_BUCKETS } from "../coordinator/observability/prometheus/buckets.ts";
import { metricKey, SPECIES_SLOTS } from "../coordinator/counts/aggregate.ts";
import { promtool } from "./support/prometheus.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-obs-exporter-");
after(() => dir.remove());

/** Sample lines (time series) of an exposition, by family name. */
function series(text: string): string[] {
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

function value(text: string, selector: string): number {
  const line = series(text).find((l) => l.startsWith(`${selector} `) || l.startsWith(selector.replace(/}$/, ",")));
  assert.ok(line !== undefined, `no sample ${selector}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

// A powered server behind a small queue (drops by reason), with two client groups.
const scenario = twoGroupShop({
  name: "obs-exporter",
  durationS: 3,
  seed: 3,
  crawlersPerS: 500,
  crawlerLinkLoss: 0.01,
});

test("observability exporter - exposition passes promtool and agrees with the summary", async () => {
  const file = writeScenario(dir.path, "obs", scenario);
  const { scenario: resolved } = loadScenarioFile(file);
  const state = new RunState(runViewFromScenario(resolved, "r-test"), "group");
  const registry = createRunRegistry(state, true);
  const out = join(dir.path, "out");
  const result = await runTwin({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    runId: "r-test",
    outDir: out,
    onWindow: (p) => state.onWindow(p),
    onIntervalClosed: (r) => state.onIntervalClosed(r),
  });
  state.onRunEnd(result.outcome.simTimeNs, result.outcome.totals);
  const text = await registry.metrics();

  const check = promtool(["check", "metrics"], text);
  assert.equal(check.code, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);
  assert.equal((check.stdout + check.stderr).trim(), "", "promtool has no complaints");
  // HELP on every family.
  const types = text
    .split("\n")
    .filter((l) => l.startsWith("# TYPE "))
    .map((l) => l.split(" ")[2]);
  const helps = new Set(
    text
      .split("\n")
      .filter((l) => l.startsWith("# HELP "))
      .map((l) => l.split(" ")[2]),
  );
  assert.ok(types.length >= 25 && types.every((t) => helps.has(t)), "every family has HELP");

  const s = result.summary;
  assert.equal(value(text, 'dctwin_sim_time_seconds{run="r-test"}'), 3);
  assert.equal(value(text, 'dctwin_events_total{run="r-test"}'), s.events);
  assert.equal(value(text, 'dctwin_windows_total{run="r-test"}'), result.outcome.windows);
  assert.equal(value(text, 'dctwin_conservation_checks_passed_total{run="r-test"}'), result.outcome.windows + 1);
  assert.equal(value(text, 'dctwin_packets_injected_total{run="r-test"}'), s.packets.injected);
  assert.equal(value(text, 'dctwin_packets_consumed_total{run="r-test"}'), s.packets.consumed);
  const drops = Object.entries(s.packets.dropped_by_reason);
  assert.ok(drops.length >= 2, "queue_full and wire loss drops");
  for (const [reason, n] of drops)
    assert.equal(value(text, `dctwin_packets_dropped_total{reason="${reason}",run="r-test"}`), n);
  assert.equal(value(text, 'dctwin_link_packets_total{run="r-test"}'), s.packets.link_hops);
  const shopToWeb = s.link_traffic.find((l) => l.a === "shop")!.a_to_b;
  assert.equal(value(text, 'dctwin_group_link_bytes_total{from="shoppers",to="server",run="r-test"}'), shopToWeb.bytes);
  const rt = s.metrics.response_time_s!;
  assert.equal(
    value(text, 'dctwin_group_response_time_seconds_count{group="shoppers",run="r-test"}'),
    rt.shoppers!.count,
  );
  assert.equal(
    value(text, 'dctwin_response_time_seconds_count{run="r-test"}'),
    rt.shoppers!.count + rt.crawlers!.count,
  );
  assert.ok(
    Math.abs(value(text, 'dctwin_group_response_time_seconds_sum{group="crawlers",run="r-test"}') - rt.crawlers!.sum) <
      1e-9,
  );
  assert.equal(
    value(text, 'dctwin_requests_sent_total{run="r-test"}'),
    s.metrics.requests_sent!.shoppers!.sum + s.metrics.requests_sent!.crawlers!.sum,
  );
  // Energy and power (the server's linear power model; 1 core, so 100..250 W).
  const heat = s.thermodynamics.heat;
  assert.ok(heat.energy_j > 0, "the powered server used energy");
  assert.ok(Math.abs(value(text, 'dctwin_energy_joules_total{run="r-test"}') - heat.energy_j) < 1e-6 * heat.energy_j);
  assert.ok(
    Math.abs(value(text, 'dctwin_component_energy_joules_total{component="cpu",run="r-test"}') - heat.energy_j) <
      1e-6 * heat.energy_j,
  );
  const power = value(text, 'dctwin_group_power_watts{group="server",run="r-test"}');
  assert.ok(power > 100 && power < 250, `power ${power} W between idle and max`);
  // Throughput of the last interval: responses per simulated second, near the offered 1200/s minus drops.
  const throughput = value(text, 'dctwin_response_time_observations_per_second{run="r-test"}');
  assert.ok(throughput > 800 && throughput < 1400, `throughput ${throughput}/s`);
  // The two ledgers: σ pooled over every interval (no warm-up here) is the summary's; IT is all the energy; the
  // heat entropy of the last interval is its power over the ambient temperature; no cooling, so PUE is undefined.
  const ir = s.thermodynamics.irreversibility as { sigma_kb_per_s: number };
  const sigma = value(text, 'dctwin_packet_entropy_production_boltzmann_per_second{run="r-test"}');
  // Requests, responses and drops are one-way mechanisms here: they are listed apart, σ covers the rest.
  assert.ok(
    sigma >= 0 && Math.abs(sigma - ir.sigma_kb_per_s) <= 1e-9 * ir.sigma_kb_per_s,
    `σ ${sigma} vs the summary's ${ir.sigma_kb_per_s} k_B/s`,
  );
  assert.ok(
    Math.abs(value(text, 'dctwin_it_energy_joules_total{run="r-test"}') - heat.energy_j) < 1e-6 * heat.energy_j,
  );
  assert.equal(value(text, 'dctwin_cooling_energy_joules_total{run="r-test"}'), 0);
  const lastPower = value(text, 'dctwin_power_watts{run="r-test"}');
  assert.ok(
    Math.abs(value(text, 'dctwin_heat_entropy_production_watts_per_kelvin{run="r-test"}') - lastPower / 300) <
      1e-9 * lastPower,
  );
  assert.ok(Number.isNaN(value(text, 'dctwin_pue_ratio{run="r-test"}')));
});

test("observability exporter - served on loopback at /metrics with a free port", async () => {
  const { scenario: resolved } = loadScenarioFile(join(REPO_ROOT, "examples/tiny.yaml"));
  const exporter = await startRunExporter(runViewFromScenario(resolved, "r-http"), { port: 0 });
  try {
    assert.match(exporter.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.notEqual(new URL(exporter.url).port, "9090");
    const res = await fetch(exporter.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    assert.match(await res.text(), /^dctwin_sim_time_seconds\{run="r-http"\} 0$/m);
    assert.equal((await fetch(exporter.url.replace("/metrics", "/nope"))).status, 404);
  } finally {
    await exporter.close();
  }
});

test("observability exporter - faults in force show as series while they last (Grafana annotations)", async () => {
  const { scenario: resolved, experiment } = loadScenarioText(
    stringify({
      ...scenario,
      run: { ...scenario.run, duration: "6s" },
      experiment: {
        faults: [{ name: "cut", action: "link-down", selector: { links: ["bots--web"] }, at: "1s", duration: "4s" }],
      },
    }),
    "faults.yaml",
  );
  let url = "";
  let during = "";
  const run = runControlled({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    speed: 1,
    outDir: join(dir.path, "faults"),
    plan: experiment!.plan,
    metrics: { port: 0 },
    log: (m) => (url = /^metrics: (\S+)/.exec(m)?.[1] ?? url),
  });
  // Scrape until the fault is in force (simulated 1 s .. 5 s at real time: scrapes share the event loop with an
  // in-process run, so they come late on a loaded machine).
  const deadline = Date.now() + 20_000;
  while (during === "" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (url === "") continue;
    const text = await (await fetch(url).catch(() => undefined))?.text();
    if (text === undefined) break; // the run is over
    if (/^dctwin_faults_active\{[^}]*\} 1$/m.test(text)) during = text;
  }
  await run;
  assert.notEqual(during, "", "the fault was seen in force");
  assert.match(during, /^dctwin_fault_active\{[^}]*fault="cut"[^}]*action="link-down"[^}]*\} 1$/m);
  assert.match(during, /^dctwin_faults_injected_total\{[^}]*\} 1$/m);
  assert.match(during, /^dctwin_faults_cleared_total\{[^}]*\} 0$/m);
  assert.doesNotMatch(during, /^dctwin_fault_active\{[^}]*\} 0$/m, "no cleared fault yet");
  const check = promtool(["check", "metrics"], during);
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test("observability exporter - histogram buckets from the twin's log-linear histograms", () => {
  const values = [0, 999, 1000, 1001, 5_000, 20_000, 99_999, 100_000, 2_500_000, 7_000_000_000];
  const h = new Histogram();
  for (const v of values) h.add(v);
  const counts = cumulativeCounts(h, SECONDS_BUCKETS, 1e-9);
  SECONDS_BUCKETS.forEach((bound, i) => {
    const exact = values.filter((v) => v * 1e-9 <= bound).length;
    assert.ok(Math.abs(counts[i]! - exact) <= 1, `le=${bound}: ${counts[i]} vs exact ${exact}`);
  });
  assert.deepEqual(
    [...counts].sort((a, b) => a - b),
    counts,
    "cumulative",
  );
});

/**
 * The cardinality bound, for bench-300 (300 actors in 3 groups, 200 links, no racks or zones): every actor
 * draws power, every link direction carries traffic, every group records every metric.
 */
test("observability exporter - label cardinality bounded by the aggregation level (bench-300)", async () => {
  const { scenario: bench } = loadScenarioFile(join(REPO_ROOT, "examples/bench-300.yaml"));
  const view = runViewFromScenario(bench, "r-bench");
  const record = emptyRecordForTest(0);
  for (const actor of bench.actors) {
    record.energy.set(
      actor.index,
      new Map([
        ["cpu", 1],
        ["chassis", 2],
      ]),
    );
    for (const name of ["response_time_ns", "queue_wait_ns", "busy_core_ns", "requests_sent"]) {
      const acc = record.metrics.get(metricKey(name, actor.group)) ?? newAccumulator(name, actor.group);
      observe(acc, 1000 + actor.index);
      record.metrics.set(metricKey(name, actor.group), acc);
    }
  }
  for (const link of bench.links) {
    for (const r of [0, 1]) {
      record.links.set(link.index * 2 + r, { packets: 1, bytes: 100, lost: 0 });
      record.speciesHops.set((link.index * 2 + r) * SPECIES_SLOTS + 1, 1 + r); // requests both ways: a finite σ per link
    }
  }
  // Servers report their levels (one state each).
  for (const actor of bench.actors.filter((a) => a.kind === "server"))
    record.counters.set(
      actor.index,
      new Map([
        ["level:utilisation_ppm", 5e14],
        ["level:held", 1e9],
        ["level:state:on", 1e9],
      ]),
    );
  record.drops.set("queue_full", 1);
  record.drops.set("link_loss", 1);
  const counts: Record<string, number> = {};
  for (const level of AGGREGATION_LEVELS) {
    const state = new RunState(view, level);
    const registry = new Registry();
    registerRunMetrics(registry, state, { live: true });
    state.onIntervalClosed(record);
    const n = series(await registry.metrics()).length;
    const bound = seriesBound(view, level, {
      histograms: 3,
      histogramBuckets: SECONDS_BUCKETS.length,
      counters: 1,
      dropReasons: 2,
      components: 2,
      live: true,
      serverStates: 1,
    });
    assert.equal(n, bound, `${level}: the bound is exact when every entity is active`);
    counts[level] = n;
  }
  // Stated bound for bench-300 with today's models (3 duration histograms: response_time, queue_wait, busy_core;
  // 1 counter: requests_sent; 2 drop reasons; 2 energy components; no fault in force; one family per scope; the
  // servers' utilisation, requests held and one state; σ with its error per group pair, and per link at actor):
  assert.deepEqual(counts, { total: 118, group: 379, actor: 2779 } satisfies Record<AggregationLevel, number>);

  // A real (short) bench-300 run at the default level stays within the bound.
  const state = new RunState(view, "group");
  const registry = createRunRegistry(state, true);
  await runTwin({
    scenario: { ...bench, run: { ...bench.run, durationNs: 300e6 } },
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "bench"),
    onWindow: (p) => state.onWindow(p),
    onIntervalClosed: (r) => state.onIntervalClosed(r),
  });
  const live = series(await registry.metrics()).length;
  assert.ok(live <= counts.group!, `bench-300 exports ${live} series at level group (bound ${counts.group})`);
  assert.ok(
    readFileSync(join(dir.path, "bench", "intervals.jsonl"), "utf8").startsWith('{"schema":"dctwin.intervals/v1"'),
  );
});
