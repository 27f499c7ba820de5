/**
 * gRPC WatchMetrics carries the heat ledger per interval (IT, cooling, loss energy and power, the interval's PUE),
 * read with a client built from the .proto alone. Closed form: two idle servers draw 200 W from t = 0; the CRAC
 * removes that heat from t = 2 s (two intervals late) at COP(18 °C) with 6 % distribution losses; carbon at a
 * constant grid intensity and the servers' embodied carbon amortised per second.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { runControlled } from "../coordinator/session.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { protoOnlyClient, until, type Any } from "./support/control-client.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-obs-watch-");
after(() => dir.remove());

const TOKEN = "watch-token";
const server = (id: string) => ({
  id,
  kind: "server",
  labels: { zone: "z1" },
  cores: 2,
  service: { distribution: "exponential", mean: "1ms" },
  power: { model: "linear", idle_w: 100, max_w: 200 },
});
const scenario = {
  name: "watch-heat",
  run: {
    duration: "5s",
    seed: 1,
    metrics_interval: "1s",
    distribution_loss: 0.06,
    carbon: { intensity_g_per_kwh: 300, embodied: { server: { kg_co2e: 1000, lifetime_years: 4 } } },
  },
  actors: [
    server("s1"),
    server("s2"),
    { id: "crac-1", kind: "crac", zone: "z1", unit_capacity_w: 1000, supply_temp_c: 18 },
  ],
  links: [{ a: "s1", b: "s2", latency: "10us", bandwidth: "10Gbps" }],
};

test("observability WatchMetrics - IT, cooling, loss, the interval's PUE and carbon per interval", async () => {
  const { scenario: resolved } = loadScenarioText(stringify(scenario), "watch.yaml");
  let listening: (a: string) => void = () => {};
  const address = new Promise<string>((r) => (listening = r));
  const run = runControlled({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "out"),
    control: { port: 0, token: TOKEN },
    waitForStart: true,
    onControlListening: (a) => listening(a),
  });
  const client = protoOnlyClient(await address, TOKEN);
  try {
    const { intervals, ended } = client.watch();
    await client.call("StartRun", {});
    await run;
    await ended;
    await until("5 intervals", () => intervals.length >= 5);
    const cop = 0.0068 * 18 * 18 + 0.0008 * 18 + 0.458;
    intervals.forEach((m: Any, k: number) => {
      const coolingW = k >= 2 ? 200 / cop : 0;
      assert.ok(
        Math.abs(m.it_energy_j - 200) < 1e-9 && Math.abs(m.it_power_w - 200) < 1e-9,
        `interval ${k}: IT ${m.it_energy_j} J`,
      );
      assert.ok(
        Math.abs(m.cooling_power_w - coolingW) < 1e-9 && Math.abs(m.cooling_energy_j - coolingW) < 1e-9,
        `interval ${k}: cooling ${m.cooling_power_w} W`,
      );
      assert.ok(Math.abs(m.distribution_loss_j - 0.06 * (200 + coolingW)) < 1e-9);
      assert.ok(Math.abs(m.pue - (1.06 * (200 + coolingW)) / 200) < 1e-12, `interval ${k}: PUE ${m.pue}`);
      // Carbon: the facility energy at 300 g/kWh; two servers' 1 t each amortised over 4 years (per second).
      const operationalG = (1.06 * (200 + coolingW) * 300) / 3.6e6;
      assert.ok(
        Math.abs(m.operational_carbon_g - operationalG) <= 1e-9 * operationalG,
        `interval ${k}: operational ${m.operational_carbon_g} g`,
      );
      const embodiedG = (2 * 1e6) / (4 * 365.25 * 86400);
      assert.ok(
        Math.abs(m.embodied_carbon_g - embodiedG) <= 1e-9 * embodiedG,
        `interval ${k}: embodied ${m.embodied_carbon_g} g`,
      );
    });
  } finally {
    client.close();
  }
});
