/**
 * `warmup: auto`: MSER-5 finds the warm-up from the data, and every headline figure describes the window after it.
 * The truncation rule against exact cases, the twin against an M/M/1 queue at ρ = 0.95 started empty, whose
 * transient lasts hundreds of mean response times.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { metricKey } from "../coordinator/counts/aggregate.ts";
import { mser5Truncation } from "../coordinator/results/warmup.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

test("warm-up - MSER-5 truncates a level shift at its batch; nothing from a stationary or too short series", () => {
  // 100 intervals at 0 then 900 at 1: from batch 20 on, the batch means are constant (MSER = 0, first minimum).
  const step = Array.from({ length: 1000 }, (_, i) => ({ sum: i < 100 ? 0 : 1, count: 1 }));
  assert.equal(mser5Truncation(step), 100);
  // A shift inside a batch (at 102): that batch's mean is off too, so MSER truncates through it.
  const inside = Array.from({ length: 1000 }, (_, i) => ({ sum: i < 102 ? 0 : 1, count: 1 }));
  assert.equal(mser5Truncation(inside), 105);
  // Alternating values: every batch mean is equal, nothing to truncate.
  assert.equal(mser5Truncation(Array.from({ length: 500 }, (_, i) => ({ sum: i % 2, count: 1 }))), 0);
  // Empty intervals are skipped, a series of fewer than four batches is left alone.
  assert.equal(mser5Truncation(Array.from({ length: 15 }, (_, i) => ({ sum: i < 5 ? 0 : 1, count: 1 }))), 0);
  const gaps = Array.from({ length: 200 }, (_, i) =>
    i < 50 ? { sum: 0, count: 0 } : i < 60 ? { sum: 5, count: 1 } : { sum: 1, count: 1 },
  );
  assert.equal(mser5Truncation(gaps), 60);
});

async function runAuto(name: string, scenario: ReturnType<typeof queueScenario>) {
  (scenario.run as Record<string, unknown>).warmup = "auto";
  return runScenario(scenario, dir.path, { name });
}

/** The headline response-time figures pool exactly the intervals from the detected warm-up on (computed here independently). */
function assertHeadlineAfterWarmup(result: Awaited<ReturnType<typeof runAuto>>) {
  const { summary, outcome } = result;
  const warmupS = summary.settings.warmup_s;
  assert.equal(summary.settings.warmup_detected_by, "MSER-5");
  const key = metricKey("response_time_ns", "client");
  const after = outcome.aggregator.intervalList(outcome.simTimeNs).filter((r) => r.index >= warmupS);
  const count = after.reduce((n, r) => n + (r.metrics.get(key)?.count ?? 0), 0);
  const sumNs = after.reduce((s, r) => s + (r.metrics.get(key)?.sum ?? 0), 0);
  const stats = summary.metrics.response_time_s!.client!;
  assert.equal(stats.count, count);
  assert.ok(
    Math.abs(stats.mean! - sumNs / count / 1e9) <= 1e-12 * stats.mean!,
    `headline ${stats.mean} vs ${sumNs / count / 1e9}`,
  );
  assert.equal(stats.batch_means!.mean, stats.mean);
  return warmupS;
}

test("warm-up - auto after a backlog of 300 s of work at ρ = 0.5: about the 600 s it takes to drain", async (t) => {
  // 300 one-second requests at t = 0 on top of Poisson arrivals at 0.5/s: the backlog drains at 1 − 0.5 = 0.5 s of
  // work per second, so response times are inflated for the first ~600 s and stationary after.
  const scenario = queueScenario({ rate: 0.5, meanServiceMs: 1000, cores: 1, durationS: 6000, seed: 3 });
  scenario.actors.push({
    id: "burst",
    kind: "client",
    group: "client",
    target: "server",
    arrivals: { process: "trace", rows: Array.from({ length: 300 }, () => ({ at: "0s" })) },
    request_bytes: 100,
    response_bytes: 100,
  } as never);
  scenario.links.push({ a: "burst", b: "server", latency: "50us", bandwidth: "10Gbps" });
  const warmupS = assertHeadlineAfterWarmup(await runAuto("backlog", scenario));
  t.diagnostic(`warm-up found: ${warmupS} s`);
  assert.ok(warmupS >= 500 && warmupS <= 1000, `warm-up ${warmupS} s`);
});

test("warm-up - auto on an M/M/1 at ρ = 0.95 started empty: within half the run, headline = the mean after it", async (t) => {
  // The relaxation time is ~1/(√μ − √λ)² ≈ 1560 s, so the empty start is often no further from the mean than the
  // later excursions: MSER-5 truncates only when it is (here seed 6), never more than half the run.
  const found: number[] = [];
  for (const seed of [5, 6, 7, 8]) {
    const warmupS = assertHeadlineAfterWarmup(
      await runAuto(`mm1-${seed}`, queueScenario({ rate: 0.95, meanServiceMs: 1000, cores: 1, durationS: 5000, seed })),
    );
    assert.ok(warmupS >= 0 && warmupS <= 2500 && Number.isInteger(warmupS / 5), `seed ${seed}: warm-up ${warmupS} s`);
    found.push(warmupS);
  }
  t.diagnostic(`warm-ups found: ${found.join(", ")} s`);
  assert.ok(
    found.some((w) => w > 0),
    "no seed found a warm-up",
  );
});

test("warm-up - bad input names the field", () => {
  const scenario = queueScenario({ rate: 1, meanServiceMs: 1, cores: 1, durationS: 10 });
  (scenario.run as Record<string, unknown>).warmup = "soon";
  assert.throws(() => validateScenario(scenario, "bad"), /run\.warmup: expected a non-negative duration/);
});
