/**
 * What the summary claims about its numbers: confidence intervals that cover the truth as often as they say,
 * headline figures and intervals from one window (after the warm-up), quantiles that stay inside the data.
 * In-process runs of one client and one server; closed forms from queueing theory, never the model's output.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { batchMeans } from "../coordinator/results/batch-means.ts";
import { printSummary } from "../cli/commands/print-summary.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

/** Long enough for ~40 batches of several correlation times each (2·10⁴ s ≈ 16000 responses per seed). */
const DURATION_S = 20_000;

/** Request and response each cross the 10 Gb/s link: 50 µs latency plus 80 ns for 100 bytes. */
const LINK_DELAY_S = 2 * (50e-6 + 80e-9);

const run = async (name: string, scenario: object) => (await runScenario(scenario, dir.path, { name })).summary;

test("statistics - M/M/1 at ρ = 0.8 with 1 s metrics intervals: the 95% CI covers 1/(μ − λ) in 85–100% of 20 seeds", async () => {
  // λ = 0.8/s, μ = 1/s: the waiting times stay correlated for minutes (relaxation time 1/(√μ − √λ)² ≈ 90 s),
  // so 1 s intervals are far from independent batches; the batch length has to come from the data.
  const truth = 1 / (1 - 0.8) + LINK_DELAY_S;
  const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
  let covered = 0;
  const misses: string[] = [];
  for (const seed of seeds) {
    const summary = await run(
      `mm1-rho08-${seed}`,
      queueScenario({ rate: 0.8, meanServiceMs: 1000, cores: 1, durationS: DURATION_S, warmupS: 200, seed }),
    );
    const stats = summary.metrics.response_time_s!.client!;
    const bm = stats.batch_means!;
    assert.equal(bm.mean, stats.mean, "the interval is about the headline mean");
    assert.ok(bm.intervals_per_batch > 1, "batches are longer than one metrics interval");
    if (bm.ci95_low !== null && bm.ci95_high !== null && bm.ci95_low <= truth && truth <= bm.ci95_high) covered++;
    else
      misses.push(
        `seed ${seed}: ${bm.ci95_low}–${bm.ci95_high} (${bm.batches} batches of ${bm.intervals_per_batch} s) ${bm.warning ?? ""}`,
      );
  }
  const share = covered / seeds.length;
  assert.ok(share >= 0.85 && share <= 1, `coverage ${covered}/${seeds.length}; misses: ${misses.join("; ")}`);
});

test("statistics - too few batches: a warning in summary.json and the CLI, no interval, never a negative bound", async () => {
  // 10 intervals after the warm-up can make at most 5 batches once merged for safety: fewer than 10.
  const summary = await run(
    "mm1-short",
    queueScenario({ rate: 0.8, meanServiceMs: 1000, cores: 1, durationS: 12, warmupS: 2, seed: 3 }),
  );
  const bm = summary.metrics.response_time_s!.client!.batch_means!;
  assert.ok(bm.batches < 10, `${bm.batches} batches`);
  assert.equal(bm.ci95_low, null);
  assert.equal(bm.ci95_high, null);
  assert.equal(bm.stderr, null);
  assert.match(bm.warning ?? "", /run longer/);
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => printed.push(line);
  try {
    printSummary(summary, 1, "out");
  } finally {
    console.log = log;
  }
  assert.match(
    printed.join("\n"),
    /response_time_s \[client\]: mean [^\n]*\n(.*\n)*\s+warning: no confidence interval for (all 3 metrics above|[^\n]*response_time_s \[client\][^\n]*): only \d+ (effectively independent batches|metrics interval\(s\) after the warm-up)/,
  );
  assert.doesNotMatch(printed.join("\n"), /response_time_s \[client\][^\n]*95% CI/);
});

test("statistics - a series correlated over most of a short run is merged until too few batches are left", () => {
  const rng = mulberry32(11);
  let x = 0;
  const series = Array.from({ length: 200 }, () => ({
    sum: 5 + (x = 0.995 * x + Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())),
    count: 1,
  }));
  const bm = batchMeans(series)!;
  assert.ok(bm.batches < 10 && bm.stderr === null && bm.warning !== null, JSON.stringify(bm));
});

test("statistics - ρ = 0.95 started empty: mean, count, percentiles and CI all describe the window after the warm-up", async () => {
  const summary = await run(
    "mm1-rho095",
    queueScenario({ rate: 0.95, meanServiceMs: 1000, cores: 1, durationS: 3000, warmupS: 500, seed: 5 }),
  );
  const stats = summary.metrics.response_time_s!.client!;
  const bm = stats.batch_means!;
  assert.equal(stats.mean, bm.mean, "headline mean = the mean the interval is about");
  assert.ok(stats.count < stats.whole_run.count, "the warm-up's responses are not in the headline count");
  assert.notEqual(stats.whole_run.mean, stats.mean, "the whole run (from empty) is reported apart");
  assert.ok(
    stats.min! <= stats.p50! && stats.p50! <= stats.p90! && stats.p90! <= stats.p99! && stats.p99! <= stats.max!,
  );
  if (bm.ci95_low !== null) assert.ok(bm.ci95_low <= stats.mean! && stats.mean! <= bm.ci95_high!);
  assert.equal(summary.settings.warmup_s, 500);
  assert.equal(summary.sim_time_s, 3000);
});

test("statistics - constant response time: p50 = p90 = p99 = min = max = the constant; seconds without binary noise", async () => {
  // 100 ms deterministic service on 64 cores at 2 requests/s (nobody waits), a link without bandwidth limit:
  // every response takes exactly 100 ms plus twice 30 ms of latency.
  const summary = await run("constant", {
    name: "constant",
    run: { duration: "30s", seed: 2, metrics_interval: "1s", warmup: "0.3s" },
    actors: [
      {
        id: "clients",
        kind: "client",
        target: "server",
        arrivals: { process: "poisson", rate_per_s: 2 },
        request_bytes: 100,
        response_bytes: 100,
      },
      { id: "server", kind: "server", cores: 64, service: { distribution: "deterministic", value: "100ms" } },
    ],
    links: [{ a: "clients", b: "server", latency: "30ms" }],
  });
  const stats = summary.metrics.response_time_s!.client!;
  for (const key of ["mean", "min", "max", "p50", "p90", "p99"] as const) assert.equal(stats[key], 0.16, key);
  for (const key of ["min", "max", "p50", "p90", "p99"] as const)
    assert.equal(stats.whole_run[key], 0.16, `whole_run.${key}`);
  assert.equal(summary.sim_time_s, 30);
  assert.equal(summary.settings.warmup_s, 0.3);
});

test("statistics - batch means: independent intervals stay fine batches, correlated ones are merged, bounds stay ≥ 0", () => {
  const rng = mulberry32(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const independent = Array.from({ length: 1024 }, () => ({ sum: 10 + normal(), count: 1 }));
  const iid = batchMeans(independent)!;
  assert.ok(iid.intervalsPerBatch <= 4, `independent data merged into batches of ${iid.intervalsPerBatch}`);
  // AR(1) with φ = 0.99: correlation time ~100 intervals.
  let x = 0;
  const correlated = Array.from({ length: 1 << 14 }, () => ({ sum: 10 + (x = 0.99 * x + normal()), count: 1 }));
  const ar = batchMeans(correlated)!;
  assert.ok(ar.intervalsPerBatch >= 128, `correlated data in batches of only ${ar.intervalsPerBatch}`);
  // A positive quantity near zero with a wide interval: the lower bound is clamped at 0, never negative.
  // One rare large value: the standard error is about the mean itself, so mean − t·se < 0 unclamped.
  const rare = Array.from({ length: 64 }, (_, i) => ({ sum: i === 40 ? 1e6 : 0, count: 1 }));
  assert.ok(batchMeans(rare)!.ci95Low! < 0);
  assert.equal(batchMeans(rare, { nonNegative: true })!.ci95Low, 0);
});

/** A small seeded generator for test data (not the twin's own streams). */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
