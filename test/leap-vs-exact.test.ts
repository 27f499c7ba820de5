/**
 * The same scenario in exact and in leap mode, compared by `dctwin compare` (coordinator/compare.ts): a load
 * ramp through 90% utilisation on a small leaf-spine behind a balancer. Energy and throughput within 1%, the mean
 * response time within 5% and p99 within 15% (the tolerances).
 *
 * Exact mode is the reference, so its own noise must be small against those tolerances: near ρ = 0.9 a queue's
 * waits are correlated over seconds, and one exact run of the 150 s ramp has a mean response time that varies by
 * about 6% from seed to seed (measured over five seeds: 14.2–16.7 ms). The reference is therefore four exact
 * seeds pooled (a mean response over all their responses, a p99 averaged), about 3% standard error.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli, runOk } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { compareRuns } from "../coordinator/compare.ts";

const dir = tempDir();
after(() => dir.remove());

const DURATION_S = 150;
/** 4 servers × 2 cores at 5 ms: 1,600 requests/s of capacity; the ramp goes from 49% to 91% of it. */
const scenario = {
  name: "ramp",
  run: { duration: `${DURATION_S}s`, seed: 3, metrics_interval: "10s" },
  topology: {
    type: "leaf-spine",
    leaves: 2,
    spines: 2,
    servers_per_leaf: 2,
    server: {
      cores: 2,
      service: { distribution: "exponential", mean: "5ms" },
      power: { model: "specpower", points_w: [100, 130, 150, 165, 180, 195, 210, 230, 250, 270, 300] },
    },
    switch: { power: { chassis_w: 90, per_active_port_w: 1.5, energy_per_bit_j: 1e-9 } },
    server_link: { latency: "10us", bandwidth: "10Gbps" },
    fabric_link: { latency: "10us", bandwidth: "40Gbps" },
  },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "lb",
      arrivals: {
        process: "diurnal",
        mean_rate_per_s: 1120,
        amplitude: 0.3,
        period: `${2 * DURATION_S}s`,
        peak_at: `${DURATION_S}s`,
      },
      request_bytes: 400,
      response_bytes: 4000,
    },
    { id: "lb", kind: "load_balancer", replicas: ["srv-0-0", "srv-0-1", "srv-1-0", "srv-1-1"], policy: "random" },
  ],
  links: [
    { a: "users", b: "spine-0", latency: "20us", bandwidth: "40Gbps" },
    { a: "lb", b: "spine-1", latency: "20us", bandwidth: "40Gbps" },
  ],
};
const EXACT_SEEDS = [3, 4, 5, 6];

async function run(name: string, seed: number, ...args: string[]) {
  const file = writeScenario(dir.path, `ramp-${seed}`, { ...scenario, run: { ...scenario.run, seed } });
  return runOk(file, join(dir.path, name), ["--transport", "inproc", ...args], 900_000);
}

test("leap vs exact - a load ramp through 90% utilisation on a leaf-spine: energy, throughput, mean and p99 response", async () => {
  const exacts: string[] = [];
  for (const seed of EXACT_SEEDS) exacts.push(await run(`exact-${seed}`, seed));
  const leap = await run("leap", 3, "--mode", "leap");
  const comparisons = exacts.map((exact) => new Map(compareRuns(exact, leap).map((r) => [r.figure, r])));
  const pooled = (figure: string) =>
    comparisons.reduce((sum, rows) => sum + rows.get(figure)!.a!, 0) / comparisons.length;
  const within = (figure: string, tolerance: number, reference = pooled(figure)) => {
    const leapValue = comparisons[0]!.get(figure)?.b;
    assert.ok(leapValue != null && reference > 0, `${figure} is compared`);
    const relative = (leapValue - reference) / reference;
    assert.ok(
      Math.abs(relative) <= tolerance,
      `${figure}: exact ${reference}, leap ${leapValue} (${(relative * 100).toFixed(2)}%, tolerance ${tolerance * 100}%)`,
    );
  };
  within("energy_j", 0.01);
  within("throughput_per_s", 0.01);
  // Pooled over all exact responses: the sum of (mean × count) over the count, the same seeds' throughputs.
  const responses = comparisons.map((rows) => rows.get("throughput_per_s")!.a!);
  const meanOverAll =
    comparisons.reduce((sum, rows, i) => sum + rows.get("mean_response_s")!.a! * responses[i]!, 0) /
    responses.reduce((a, b) => a + b, 0);
  within("mean_response_s", 0.05, meanOverAll);
  within("p99_response_s[client]", 0.15);
  // The CLI prints the same comparison.
  const printed = await runCli(["compare", exacts[0]!, leap]);
  assert.equal(printed.code, 0);
  assert.match(printed.stdout, /mean_response_s\s+\S+\s+\S+\s+[+-]\d+\.\d\d%/);
});
