/**
 * The "distribution" energy role: a UPS (nodes/models/ups.ts) whose loss is a + b·P + c·P² of the IT power P it
 * feeds, told P by the distribution relay (a boundary plug-in) from interval j−2. Its energy is checked against
 * the integral computed by hand from the IT energies of the intervals, and it is counted as distribution energy:
 * not IT, part of the distribution loss in summary.json, thermo.csv and Prometheus, where IT + cooling +
 * distribution loss is the facility energy and PUE = facility / IT.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { runTwin } from "../coordinator/run.ts";
import { createRunRegistry } from "../coordinator/observability/prometheus/exporter.ts";
import { RunState } from "../coordinator/observability/run-state.ts";
import { runViewFromScenario } from "../coordinator/observability/run-view.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-distribution-");
after(() => dir.remove());

const LOSS = { fixed_w: 20, proportional: 0.04, quadratic_per_w: 1e-4 };
const SHARE = 0.01; // run.distribution_loss: the losses not modelled by an actor

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test("distribution - a UPS's loss integrates a + bP + cP² of the IT power it feeds and counts as distribution energy", async () => {
  const scenario = {
    name: "ups",
    run: { duration: "5s", seed: 4, metrics_interval: "1s", warmup: "0s", distribution_loss: SHARE },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "web",
        arrivals: { process: "poisson", rate_per_s: 300 },
        request_bytes: 300,
        response_bytes: 1000,
      },
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
  const { scenario: resolved } = loadScenarioText(stringify(scenario), "ups.yaml");
  const state = new RunState(runViewFromScenario(resolved, "r-ups"), "actor");
  const registry = createRunRegistry(state, false);
  const out = join(dir.path, "out");
  const { summary } = await runTwin({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    runId: "r-ups",
    outDir: out,
    onIntervalClosed: (r) => state.onIntervalClosed(r),
  });
  const heat = (summary as unknown as { thermodynamics: { heat: Record<string, number & Record<string, number>> } })
    .thermodynamics.heat;
  // The web server's power per interval, from thermo.csv's IT energy (the UPS is not IT).
  const rows = readFileSync(join(out, "thermo.csv"), "utf8").trim().split("\n");
  const header = rows[0]!.split(",");
  const col = (row: string, name: string) => Number(row.split(",")[header.indexOf(name)]);
  const itW = rows.slice(1).map((r) => col(r, "it_energy_j") / 1);
  assert.equal(itW.length, 5);
  assert.ok(
    itW.every((w) => w > 100),
    `the server draws at least its idle power: ${itW}`,
  );
  // By hand: in interval k the UPS sees P = the IT power of interval k−2 (0 before the first two boundaries).
  const lossW = (p: number) => LOSS.fixed_w + LOSS.proportional * p + LOSS.quadratic_per_w * p * p;
  const upsPerInterval = itW.map((_, k) => lossW(k >= 2 ? itW[k - 2]! : 0) * 1);
  const upsJ = upsPerInterval.reduce((s, j) => s + j, 0);
  close(heat.energy_by_actor_j!["ups-1"]!, upsJ, "UPS energy");
  const itJ = itW.reduce((s, w) => s + w, 0);
  close(heat.it_energy_j!, itJ, "IT energy");
  close(heat.energy_j!, itJ + upsJ, "all actors' energy");
  close(heat.cooling_energy_j!, 0, "cooling energy");
  close(heat.distribution_loss_j!, upsJ + SHARE * itJ, "distribution loss");
  close(heat.facility_energy_j!, itJ + upsJ + SHARE * itJ, "facility energy");
  close(heat.pue!, (itJ + upsJ + SHARE * itJ) / itJ, "PUE");
  rows.slice(1).forEach((r, k) => {
    close(col(r, "distribution_loss_j"), upsPerInterval[k]! + SHARE * itW[k]!, `interval ${k} distribution loss`);
    close(col(r, "pue"), (itW[k]! * (1 + SHARE) + upsPerInterval[k]!) / itW[k]!, `interval ${k} PUE`);
  });
  // Prometheus: the energy counters partition the facility energy.
  const text = await registry.metrics();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1]);
  const facility =
    value("dctwin_it_energy_joules_total") +
    value("dctwin_cooling_energy_joules_total") +
    value("dctwin_distribution_loss_joules_total");
  close(value("dctwin_distribution_loss_joules_total"), upsJ + SHARE * itJ, "exported distribution loss");
  close(facility, heat.facility_energy_j!, "IT + cooling + distribution = facility");
  close(value("dctwin_pue_ratio"), heat.pue!, "exported PUE");
});

test("distribution - bad loss coefficients are refused with their field path", () => {
  const bad = {
    name: "x",
    run: { duration: "1s" },
    actors: [{ id: "u", kind: "ups", loss: { fixed_w: 1, quadratic_per_w: -1 } }],
    links: [],
  };
  assert.throws(
    () => loadScenarioText(stringify(bad), "x.yaml"),
    (e: Error & { issues?: { path: string }[] }) =>
      e.issues?.some((i) => i.path === "actors[0].loss.quadratic_per_w") === true,
  );
});
