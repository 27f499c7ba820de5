/**
 * A UPS in leap mode runs its exact model unchanged: its loss a + b·P + c·P² follows the IT power of interval
 * j−2, told by the distribution relay at interval boundaries, which leap steps divide. Checked against the
 * integral by hand from the leap run's own IT energies (to rounding), and against exact mode (within 1%).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runScenario } from "./support/twin.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const LOSS = { fixed_w: 20, proportional: 0.04, quadratic_per_w: 1e-4 };
const lossW = (p: number) => LOSS.fixed_w + LOSS.proportional * p + LOSS.quadratic_per_w * p * p;

function scenario(mode: "exact" | "leap", seed: number) {
  return {
    name: "ups",
    run: { duration: "20s", seed, metrics_interval: "2s", mode, leap: { step: "10ms" } },
    actors: [
      { id: "users", kind: "client", target: "web", arrivals: { process: "poisson", rate_per_s: 300 } },
      {
        id: "web",
        kind: "server",
        cores: 2,
        labels: { zone: "hall" },
        service: { distribution: "exponential", mean: "4ms" },
        power: { model: "linear", idle_w: 100, max_w: 300 },
      },
      { id: "ups-1", kind: "ups", zone: "hall", loss: LOSS },
    ],
    links: [{ a: "users", b: "web", latency: "100us", bandwidth: "1Gbps" }],
  };
}

async function upsEnergy(mode: "exact" | "leap", seed: number) {
  const { joules, outDir } = await runScenario(scenario(mode, seed), dir.path);
  const rows = readFileSync(join(outDir, "thermo.csv"), "utf8").trim().split("\n");
  const column = rows[0]!.split(",").indexOf("it_energy_j");
  const itW = rows.slice(1).map((r) => Number(r.split(",")[column]) / 2);
  const byHand = itW.reduce((s, _, k) => s + 2 * lossW(k >= 2 ? itW[k - 2]! : 0), 0);
  return { ups: joules("ups-1"), byHand, itW };
}

// The server at utilisation 0.6 (300/s × 4 ms on 2 cores) draws 100 + 200 × 0.6 W; the UPS sees 0 W for the
// first two intervals, then that.
const IT_W = 220;
const CLOSED_FORM_J = 2 * 2 * lossW(0) + 8 * 2 * lossW(IT_W);

test("leap UPS - the exact model's loss integral over the leap run's IT power, the closed form and exact mode", async (t) => {
  const exact: number[] = [];
  for (const seed of [1, 2, 3]) {
    const leap = await upsEnergy("leap", seed);
    assert.ok(Math.abs(leap.ups - leap.byHand) <= 1e-9 * leap.byHand, `seed ${seed}: ${leap.ups} vs ${leap.byHand}`);
    assert.ok(Math.abs(leap.ups / CLOSED_FORM_J - 1) < 0.005, `seed ${seed}: leap ${leap.ups} J, ${CLOSED_FORM_J} J`);
    exact.push((await upsEnergy("exact", seed)).ups);
  }
  // Exact mode's IT power is the busy time of ~600 exponential services per 2 s interval: about 3% noise per
  // interval, ~1% on a run's UPS energy; over three seeds the mean's standard error is about 0.7%.
  const exactMean = exact.reduce((a, b) => a + b, 0) / exact.length;
  t.diagnostic(`UPS energy: closed form ${CLOSED_FORM_J.toFixed(1)} J, exact mean ${exactMean.toFixed(1)} J`);
  assert.ok(Math.abs(exactMean / CLOSED_FORM_J - 1) < 0.025, `exact ${exact} J, closed form ${CLOSED_FORM_J} J`);
});
