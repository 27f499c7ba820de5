/**
 * Cooling (nodes/models/crac.ts, coordinator/driver/cooling.ts) at constant IT load, and the cooling scenario errors:
 * - at constant IT load the CRAC draws heat/COP(T_supply) + fans exactly, and the zone's inlet temperature
 *   follows T∞ + (T0 − T∞)·exp(−t/τ) from the moment the heat reaches it (two metrics intervals late);
 * - PUE is (IT + cooling + distribution losses) / IT from integrated energies, per interval and for the run, and
 *   it is not the mean of the interval ratios;
 * - scenario and experiment errors name their field paths.
 * The cooling-failure and power-cap faults: test/models-cooling-faults.test.ts.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { thermoCsv } from "../coordinator/ledgers/series.ts";
import { copAt, HP_LABS_COP } from "../nodes/models/crac.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { idleZone, intervalJoules, loadCooling, reading } from "./support/cooling.ts";
import { parseCsv } from "./support/csv.ts";
import { tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";

const dir = tempDir("dctwin-cooling-");
after(() => dir.remove());

test("cooling - constant IT load: cooling power = heat/COP(T_supply) + fans, inlet follows the first-order lag to its predicted steady value", async () => {
  const result = await runScenario(idleZone({ durationS: 120 }), dir.path);
  const crac = result.resolved.actors.findIndex((a) => a.id === "crac-1");
  const heatW = 250 + 150;
  const cop = copAt(HP_LABS_COP, 20);
  assert.ok(Math.abs(cop - (0.0068 * 400 + 0.0008 * 20 + 0.458)) < 1e-12);
  const intervals = result.outcome.aggregator.intervals;

  // Heat produced in interval k reaches the CRAC at the start of interval k + 2: before that it removes nothing.
  for (const k of [0, 1])
    assert.ok(Math.abs(intervalJoules(intervals.get(k), crac, "cooling")) < 1e-9, `no heat removed in interval ${k}`);
  for (let k = 2; k < 120; k++) {
    const cooling = intervalJoules(intervals.get(k), crac, "cooling");
    assert.ok(
      Math.abs(cooling - heatW / cop) < 1e-9 * heatW,
      `interval ${k}: cooling ${cooling} J, expected ${heatW / cop} J`,
    );
    assert.ok(Math.abs(intervalJoules(intervals.get(k), crac, "fans") - 40) < 1e-9, `interval ${k}: fans draw 40 W`);
  }
  assert.ok(
    Math.abs(result.joules("crac-1") - (40 * 120 + (heatW / cop) * 118)) < 1e-6,
    `run cooling energy ${result.joules("crac-1")}`,
  );

  // Inlet: T0 = supply = 20 °C until t = 2 s, then T∞ = 20 + 2 K/kW · 0.4 kW = 20.8 °C with τ = 20 s.
  const steady = 20 + 2 * (heatW / 1000);
  const predicted = (tS: number) => (tS <= 2 ? 20 : steady + (20 - steady) * Math.exp(-(tS - 2) / 20));
  for (const j of [0, 2, 12, 22, 42, 119]) {
    const observed = reading(intervals.get(j), crac);
    assert.ok(observed !== undefined, `a reading in interval ${j}`);
    assert.ok(
      Math.abs(observed - predicted(j)) <= 0.0006,
      `inlet at ${j} s: ${observed} °C, predicted ${predicted(j)} °C`,
    );
  }
  // One time constant after the heat arrived, the gap to the steady value has shrunk to 1/e.
  const atTau = reading(intervals.get(22), crac)!;
  assert.ok(
    Math.abs((steady - atTau) / (steady - 20) - Math.exp(-1)) < 0.002,
    `gap ratio at τ: ${(steady - atTau) / (steady - 20)}`,
  );
  assert.ok(
    Math.abs(reading(intervals.get(119), crac)! - steady) < 0.003 * (steady - 20) + 0.0006,
    "steady after ~6 τ (e^-5.85 of the gap left)",
  );
});

test("cooling - PUE is (IT + cooling + distribution losses) / IT from integrated energies, per interval and for the run", async () => {
  // Half the IT load goes away at 40 s (srv-a off) and the supply temperature rises to 24 °C at 70 s, so the
  // interval ratios differ and their mean is not the run's PUE.
  const scenario = idleZone({ durationS: 100, distributionLoss: 0.05 });
  const resolvedIndex = (id: string) => scenario.actors.findIndex((a) => a.id === id);
  const result = await runScenario(scenario, dir.path, {
    schedule: [
      actorCommand(resolvedIndex("srv-a"), 40e9, "power_off"),
      actorCommand(resolvedIndex("crac-1"), 70e9, "set_supply_temp", { celsius: 24 }),
    ],
  });
  const heat = result.summary.thermodynamics.heat;
  const it = result.joules("srv-a") + result.joules("srv-b");
  const cooling = result.joules("crac-1");
  assert.ok(Math.abs(heat.it_energy_j - it) < 1e-6 && Math.abs(heat.cooling_energy_j - cooling) < 1e-6);
  assert.ok(Math.abs(it - (250 * 40 + 150 * 100)) < 1e-6, `IT energy ${it}`);
  // The supply change shows in the cooling power: COP(24 °C) from interval 70 on, heat 150 W by then.
  const crac = resolvedIndex("crac-1");
  const late = intervalJoules(result.outcome.aggregator.intervals.get(80), crac, "cooling");
  assert.ok(Math.abs(late - 150 / copAt(HP_LABS_COP, 24)) < 1e-9, `cooling at 24 °C supply: ${late} J`);

  const loss = 0.05 * (it + cooling);
  assert.ok(Math.abs(heat.distribution_loss_j - loss) < 1e-6);
  assert.ok(Math.abs(heat.facility_energy_j - (it + cooling + loss)) < 1e-6);
  assert.ok(heat.pue !== null && Math.abs(heat.pue - (it + cooling + loss) / it) < 1e-12, `run PUE ${heat.pue}`);

  const rows = parseCsv(thermoCsv(result.ledgers.series(result.outcome.aggregator, result.outcome.simTimeNs)));
  assert.equal(rows.length, 100);
  let itSum = 0;
  let facilitySum = 0;
  let ratioSum = 0;
  for (const r of rows) {
    const [i, c, l, pue] = [
      Number(r.it_energy_j),
      Number(r.cooling_energy_j),
      Number(r.distribution_loss_j),
      Number(r.pue),
    ];
    assert.ok(
      Math.abs(l - 0.05 * (i + c)) < 1e-9 && Math.abs(pue - (i + c + l) / i) < 1e-12,
      `row at ${r.t_start_s} s`,
    );
    itSum += i;
    facilitySum += i + c + l;
    ratioSum += pue;
  }
  assert.ok(
    Math.abs(facilitySum / itSum - heat.pue) < 1e-9,
    "the run's PUE is the ratio of the summed interval energies",
  );
  const meanOfRatios = ratioSum / rows.length;
  assert.ok(
    Math.abs(meanOfRatios - heat.pue) > 0.01,
    `the mean of interval PUEs (${meanOfRatios}) is not the run's PUE (${heat.pue})`,
  );
});

/** The field paths of the issues loading `doc` reports (none when it loads). */
function issuePaths(doc: unknown): string[] {
  try {
    loadCooling(doc);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    return error.issues.map((i) => i.path);
  }
  return [];
}

test("cooling - errors name their field paths; cooling-failure and power-cap are accepted faults", () => {
  const idle = idleZone({ durationS: 10 });
  const expectIssue = (doc: unknown, path: string) => {
    const paths = issuePaths(doc);
    assert.ok(paths.includes(path), `${path} in ${JSON.stringify(paths)}`);
  };
  const badCop = { model: "quadratic", a: 0, b: 0, c: -1 };
  const bad = idleZone({ durationS: 10, crac: { unit_capacity_w: -5, cop: badCop, supply_temp_c: "cold" } });
  expectIssue(bad, "actors[2].unit_capacity_w");
  expectIssue(bad, "actors[2].supply_temp_c");
  expectIssue(idleZone({ durationS: 10, crac: { cop: badCop } }), "actors[2].cop");
  expectIssue({ ...idle, run: { duration: "10s", distribution_loss: 2 } }, "run.distribution_loss");
  expectIssue(
    { ...idle, actors: [{ ...idle.actors[0], inlet_limit_c: "hot" }, ...idle.actors.slice(1)] },
    "actors[0].inlet_limit_c",
  );
  // power-cap needs its watts; cooling-failure only finds CRACs.
  const withFault = (fault: Record<string, unknown>) => ({ ...idle, experiment: { faults: [fault] } });
  expectIssue(
    withFault({ action: "power-cap", selector: { kinds: ["server"] }, at: "1s" }),
    "experiment.faults[0].args.watts",
  );
  expectIssue(
    withFault({ action: "cooling-failure", selector: { kinds: ["server"] }, at: "1s" }),
    "experiment.faults[0].command",
  );
  const ok = loadCooling({
    ...idle,
    experiment: {
      faults: [
        { action: "cooling-failure", selector: { labels: {} }, at: "1s", duration: "2s" },
        { action: "power-cap", selector: { kinds: ["server"] }, args: { watts: 300 }, at: "1s" },
      ],
    },
  });
  assert.ok(ok.experiment !== undefined);
  // The example scenario loads, with both faults planned.
  const example = loadScenarioFile(new URL("../examples/cooling-zone.yaml", import.meta.url).pathname);
  assert.deepEqual([...(example.experiment?.plan.effects.keys() ?? [])].length, 2);
  assert.ok(example.scenario.actors.some((a) => a.kind === "crac") && example.scenario.run.distributionLoss === 0.06);
});
