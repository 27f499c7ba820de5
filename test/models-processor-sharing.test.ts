/**
 * Processor sharing against its closed form: an M/G/1-PS queue's mean response time is E[S]/(1 − ρ) whatever the
 * service distribution's shape (and E[T | S = x] = x/(1 − ρ)). Deterministic service tells PS from FIFO: the
 * M/D/1 FIFO queue's mean, E[S] + ρE[S]/(2(1 − ρ)), is 25 % lower at ρ = 0.5. Calibrated over 20 seeds.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { queueScenario, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

/** Request and response each cross the 10 Gb/s link: 50 µs latency plus 80 ns for 100 bytes. */
const LINK_DELAY_S = 2 * (50e-6 + 80e-9);

function psScenario(seed: number, discipline: "ps" | "fifo") {
  const scenario = queueScenario({
    rate: 0.5,
    meanServiceMs: 1000,
    cores: 1,
    durationS: 4000,
    warmupS: 100,
    seed,
    distribution: "deterministic",
  });
  const server = scenario.actors[1] as Record<string, unknown>;
  server.discipline = discipline;
  server.power = { model: "linear", idle_w: 100, max_w: 200 };
  return scenario;
}

test("processor sharing - M/D/1-PS at ρ = 0.5: mean response E[S]/(1 − ρ) over 20 seeds, CIs cover it, FIFO differs", async (t) => {
  const truth = 1 / (1 - 0.5) + LINK_DELAY_S;
  const fifoTruth = 1 + (0.5 * 1) / (2 * (1 - 0.5)) + LINK_DELAY_S;
  const means: number[] = [];
  let covered = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { summary, joules } = await runScenario(psScenario(seed, "ps"), dir.path);
    const stats = summary.metrics.response_time_s!.client!;
    means.push(stats.mean!);
    const bm = stats.batch_means!;
    if (bm.ci95_low !== null && bm.ci95_high !== null && bm.ci95_low <= truth && truth <= bm.ci95_high) covered++;
    // The core is busy whenever a request is held (a PS server is work-conserving), ρ = 0.5 of the time:
    // the CPU energy is 100 W · T + 100 W · (busy time), busy time within a few % of T/2.
    const busyS = (joules("server", "cpu") - 100 * 4000) / 100;
    assert.ok(Math.abs(busyS / 4000 - 0.5) < 0.05, `seed ${seed}: busy ${busyS} s of 4000 s`);
  }
  const grand = means.reduce((s, m) => s + m, 0) / means.length;
  const sd = Math.sqrt(means.reduce((s, m) => s + (m - grand) ** 2, 0) / (means.length - 1));
  const se = sd / Math.sqrt(means.length);
  t.diagnostic(
    `grand mean ${grand.toFixed(5)} s (closed form ${truth.toFixed(5)} s, standard error ${se.toFixed(5)} s), CIs covered ${covered}/20`,
  );
  assert.ok(Math.abs(grand - truth) <= 4 * se, `grand mean ${grand} s, closed form ${truth} s, standard error ${se} s`);
  assert.ok(Math.abs(grand - fifoTruth) > 8 * se, `PS ${grand} s must differ from FIFO's ${fifoTruth} s`);
  assert.ok(covered >= 17, `the 95% CIs covered the closed form in ${covered} of 20 seeds`);
  // The same seed under FIFO: the M/D/1 closed form, so the discipline is what changed the mean.
  const { summary } = await runScenario(psScenario(1, "fifo"), dir.path);
  assert.ok(
    Math.abs(summary.metrics.response_time_s!.client!.mean! - fifoTruth) < 0.1,
    `FIFO mean ${summary.metrics.response_time_s!.client!.mean} s vs ${fifoTruth} s`,
  );
});

test("processor sharing - two requests share one core: each finishes at twice its own work, exactly", async () => {
  const scenario = {
    name: "ps-pair",
    run: { duration: "10s", metrics_interval: "1s" },
    actors: [
      {
        id: "c",
        kind: "client",
        target: "s",
        arrivals: { process: "trace", rows: [{ at: "0s" }, { at: "1s" }] },
        request_bytes: 100,
        response_bytes: 100,
      },
      { id: "s", kind: "server", discipline: "ps", service: { distribution: "deterministic", value: "2s" } },
    ],
    links: [{ a: "c", b: "s", latency: "1ms" }],
  };
  const { summary } = await runScenario(scenario, dir.path);
  // A arrives at 1 ms with 2 s of work, alone until B arrives at 1.001 s (1 s left); then both at half speed:
  // A ends at 3.001 s, B has 1 s left and ends at 4.001 s. Responses: A 3.002 s, B 4.002 − 1 = 3.002 s.
  const rt = summary.metrics.response_time_s!.client!;
  assert.equal(rt.whole_run?.count ?? rt.count, 2);
  assert.equal(rt.min, 3.002);
  assert.equal(rt.max, 3.002);
});

test("processor sharing - refused for requests served on GPUs, with the field path", async () => {
  const { validateScenario } = await import("../coordinator/scenario-loader.ts");
  const scenario = {
    name: "ps-gpu",
    run: { duration: "1s" },
    actors: [
      {
        id: "s",
        kind: "server",
        discipline: "ps",
        service: { distribution: "deterministic", value: "1s" },
        gpus: { count: 1, idle_w: 1, max_w: 2, service: { distribution: "deterministic", value: "1s" } },
      },
    ],
  };
  assert.throws(
    () => validateScenario(scenario, "ps-gpu"),
    /actors\[0\]\.discipline: processor sharing applies to cores/,
  );
});
