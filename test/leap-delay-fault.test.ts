/**
 * A `delay` fault (latency and jitter added to a link) in leap mode: the ports take the link as the fault left it,
 * so the flows' virtual clock carries the added latency and a uniform jitter per count, and a hop whose wire time
 * exceeds the step takes as many steps of pipeline as it needs. Checked against the closed form (M/M/1 sojourn
 * plus every hop's latency, mean jitter and serialization) before and during the fault, and against exact mode.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { runControlled } from "../coordinator/session.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const RATE = 300;
const SERVICE_S = 1e-3;
const LATENCY_S = 20e-6;
const ADDED_S = 30e-3; // more than the 10 ms step: a hop of several steps
const JITTER_S = 10e-3;
const FAULT_AT_S = 3;
const DURATION_S = 6;

function scenario(mode: "exact" | "leap", seed: number) {
  return {
    name: "delay-fault",
    run: { duration: `${DURATION_S}s`, seed, metrics_interval: "500ms", mode, leap: { step: "10ms" } },
    actors: [
      { id: "users", kind: "client", target: "web", arrivals: { process: "poisson", rate_per_s: RATE } },
      { id: "tor", kind: "switch" },
      { id: "web", kind: "server", cores: 1, service: { distribution: "exponential", mean: "1ms" } },
    ],
    links: [
      { a: "users", b: "tor", latency: "20us", bandwidth: "1Gbps" },
      { a: "tor", b: "web", latency: "20us", bandwidth: "1Gbps" },
    ],
    experiment: {
      faults: [
        {
          name: "slow",
          action: "delay",
          latency: `${ADDED_S * 1e3}ms`,
          jitter: `${JITTER_S * 1e3}ms`,
          selector: { links: ["users--tor"] },
          at: `${FAULT_AT_S}s`,
        },
      ],
    },
  };
}

// M/M/1 sojourn, four hops of latency and serialization (200 B requests, 1,000 B responses at 1 Gbps).
const SERIALIZATION_S = (2 * (200 + 1000) * 8) / 1e9;
const BEFORE_S = 1 / (1 / SERVICE_S - RATE) + 4 * LATENCY_S + SERIALIZATION_S;
// The faulty link adds its latency and its mean jitter in both directions.
const DURING_S = BEFORE_S + 2 * (ADDED_S + JITTER_S / 2);

/** Mean response time over the intervals in [from, to) s, weighted by their counts. */
function meanOver(outDir: string, from: number, to: number): number {
  let n = 0;
  let sum = 0;
  for (const line of readFileSync(join(outDir, "timeseries.csv"), "utf8").trim().split("\n")) {
    const c = line.split(",");
    if (c[2] !== "response_time_s" || Number(c[0]) < from || Number(c[1]) > to) continue;
    n += Number(c[5]);
    sum += Number(c[6]);
  }
  return sum / n;
}

test("leap delay faults - added latency and jitter in the virtual clock, against the closed form and exact mode", async (t) => {
  const means = { exact: [] as number[][], leap: [] as number[][] };
  for (const seed of [1, 2, 3])
    for (const mode of ["exact", "leap"] as const) {
      const { scenario: resolved, experiment } = loadScenarioText(stringify(scenario(mode, seed)), "delay.yaml");
      const outDir = join(dir.path, `${mode}-${seed}`);
      await runControlled({ scenario: resolved, hosts: 1, transport: "inproc", outDir, plan: experiment!.plan });
      // The interval after the fault is a transition (requests sent before it answered after it): left out.
      means[mode].push([meanOver(outDir, 0, FAULT_AT_S), meanOver(outDir, FAULT_AT_S + 0.5, DURATION_S)]);
    }
  for (const mode of ["exact", "leap"] as const)
    for (const [i, expected] of [BEFORE_S, DURING_S].entries()) {
      const seen = means[mode].reduce((s, m) => s + m[i]!, 0) / means[mode].length;
      t.diagnostic(
        `${mode} ${i === 0 ? "before" : "during"}: ${(seen * 1e3).toFixed(3)} ms, closed form ${(expected * 1e3).toFixed(3)} ms`,
      );
      // Before: 2,700 sojourns a seed (σ ≈ 1.4 ms each): 1% standard error on the 3 seeds' mean; during: the
      // jitter's spread (2 × 2.9 ms) over 2,250 responses a seed is 0.1% of the mean.
      const tolerance = i === 0 ? 0.05 : 0.01;
      assert.ok(Math.abs(seen / expected - 1) < tolerance, `${mode}: ${seen} s vs ${expected} s`);
    }
});
