/**
 * End to end with a real Prometheus: it scrapes a live, paced run (`dctwin run --speed 2 --metrics-port 0`) every
 * 250 ms, and its HTTP API answers with plausible series: the simulated clock advances, counters increase, and
 * power rises with the load (a diurnal arrival rate climbing over the run, a server with a linear power curve),
 * and entropy production is positive on this driven scenario (5% wire loss: a one-way current), in both ledgers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { collect, startCli } from "./support/cli.ts";
import { freePort } from "./support/ports.ts";
import { PrometheusServer, type PromQueryResult } from "./support/prometheus.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-obs-prom-");
after(() => dir.remove());

const DURATION_S = 10;
const scenario = {
  name: "rising-load",
  run: { duration: `${DURATION_S}s`, seed: 2, metrics_interval: "1s" },
  actors: [
    // λ(t) = 200/s · (1 + 0.9 cos(2π (t − 10 s) / 20 s)): 20/s at the start, 380/s at the end.
    {
      id: "users",
      kind: "client",
      target: "web",
      arrivals: { process: "diurnal", mean_rate_per_s: 200, amplitude: 0.9, period: "20s", peak_at: `${DURATION_S}s` },
      request_bytes: 400,
      response_bytes: 1500,
    },
    {
      id: "web",
      kind: "server",
      cores: 2,
      service: { distribution: "exponential", mean: "2ms" },
      power: { model: "linear", idle_w: 100, max_w: 300 },
    },
  ],
  // Wire loss drives the packet currents: lost requests never come back, so traffic is not in detailed balance.
  links: [{ a: "users", b: "web", latency: "1ms", bandwidth: "10Gbps", loss: 0.05 }],
};

function numbers(result: PromQueryResult[]): number[] {
  assert.equal(result.length, 1, `one series: ${JSON.stringify(result.map((r) => r.metric))}`);
  return result[0]!.values!.map(([, v]) => Number(v));
}

function nonDecreasing(xs: number[]): boolean {
  return xs.every((x, i) => i === 0 || x >= xs[i - 1]!);
}

test("observability prometheus - a real Prometheus scrapes a paced run; its API shows plausible series", async () => {
  const file = writeScenario(dir.path, "rising", scenario);
  // A static target (service discovery hands Prometheus new targets at most every 5 s).
  const port = await freePort();
  const config = `global:\n  scrape_interval: 250ms\n  scrape_timeout: 200ms\nscrape_configs:\n  - job_name: dctwin\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`;
  const prometheus = await PrometheusServer.start(dir.path, config);
  await prometheus.waitForScrapeLoops(1).catch(async (error: unknown) => {
    await prometheus.stop();
    throw error;
  });
  const startS = Date.now() / 1000;
  const child = startCli([
    "run",
    file,
    "--speed",
    "2",
    "--metrics-port",
    String(port),
    "--metrics-linger",
    "1",
    "--out",
    join(dir.path, "out"),
  ]);
  const finished = collect(child, 60_000);
  let stderr = "";
  child.stderr!.on("data", (c: string) => (stderr += c));
  try {
    const run = await finished;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(stderr.includes(`metrics: http://127.0.0.1:${port}/metrics`), `the URL is printed:\n${stderr}`);
    const endS = Date.now() / 1000;
    const up = await prometheus.query('max_over_time(up{job="dctwin"}[1m])');
    assert.equal(up[0]?.value?.[1], "1", `target scraped: ${JSON.stringify(await prometheus.targets())}`);
    const range = (expr: string) => prometheus.queryRange(expr, startS, endS, 0.25);

    const clock = numbers(await range("dctwin_sim_time_seconds"));
    assert.ok(clock.length >= 8, `${clock.length} scrapes of the simulated clock`);
    assert.ok(nonDecreasing(clock) && clock.at(-1)! > clock[0]! + 2, `simulated clock advances: ${clock.join(" ")}`);
    assert.ok(clock.at(-1)! <= DURATION_S);

    for (const counter of [
      "dctwin_events_total",
      "dctwin_windows_total",
      "dctwin_packets_injected_total",
      "dctwin_link_bytes_total",
      "dctwin_response_time_seconds_count",
    ]) {
      const xs = numbers(await range(counter));
      assert.ok(nonDecreasing(xs) && xs.at(-1)! > xs[0]!, `${counter} increases: ${xs.join(" ")}`);
    }
    assert.deepEqual(numbers(await range("max_over_time(dctwin_hosts_connected[5s])")).at(-1), 1);
    const speed = numbers(await range("dctwin_sim_speed_ratio")).at(-1)!;
    assert.ok(speed > 0.5 && speed < 2.5, `paced at about 2× (measured ${speed})`);

    const p50 = await prometheus.query(
      `histogram_quantile(0.5, max_over_time(dctwin_response_time_seconds_bucket[1m]))`,
    );
    const median = Number(p50[0]?.value?.[1]);
    assert.ok(median > 0.002 && median < 0.05, `median response time ${median} s (2 ms of links + service)`);

    // Power follows the load: the last intervals draw more than the first ones.
    const power = numbers(await range("dctwin_power_watts")).filter((w) => w > 0);
    assert.ok(power.length >= 4, `power scraped ${power.length} times`);
    assert.ok(
      power.every((w) => w >= 100 && w <= 300),
      `between idle and max: ${power.join(" ")}`,
    );
    assert.ok(power.at(-1)! > power[0]! + 10, `power rises with the load: ${power[0]} W -> ${power.at(-1)} W`);
    const energy = numbers(await range("dctwin_energy_joules_total"));
    assert.ok(nonDecreasing(energy) && energy.at(-1)! > 100, `energy accumulates: ${energy.at(-1)} J`);

    // Entropy production: the packet σ over pairs seen both ways is served (requests, responses and drops are
    // one-way here, so it need not be positive), and the heat ledger's P/T follows power at 300 K.
    const sigma = numbers(await range("dctwin_packet_entropy_production_boltzmann_per_second"));
    assert.ok(
      sigma.length >= 4 && sigma.every((x) => x >= 0 && Number.isFinite(x)),
      `σ served: ${sigma.join(" ")} k_B/s`,
    );
    const heat = numbers(await range("dctwin_heat_entropy_production_watts_per_kelvin")).filter((x) => x > 0);
    assert.ok(
      heat.length >= 4 && heat.every((x) => x >= 100 / 300 && x <= 300 / 300),
      `P/T between idle/T and max/T: ${heat.join(" ")}`,
    );
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await prometheus.stop();
  }
});
