/**
 * Per-server time series (tables/servers and tables/server_states), from the servers' exact level integrals:
 * - utilisation against the energy meter: a linear power curve draws idle + (max − idle) · u, so an interval's
 *   energy gives its mean utilisation in closed form, E / I = idle + (max − idle) · ū;
 * - queue length minus waiting is the mean number in service: cores · utilisation;
 * - states: throttled by command from 2.5 s to 4.5 s, the seconds in each state per interval are exact, and a
 *   server's state seconds add up to the interval; the same tables on one host and on two.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { runTwin } from "../coordinator/run.ts";
import { type CsvRow, readCsv } from "./support/csv.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-server-tables-");
after(() => dir.remove());

const IDLE_W = 100;
const MAX_W = 300;
const scenario = {
  name: "server-series",
  run: { duration: "6s", seed: 5, metrics_interval: "1s" },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "web",
      arrivals: { process: "poisson", rate_per_s: 900 },
      request_bytes: 200,
      response_bytes: 1000,
    },
    {
      id: "web",
      kind: "server",
      cores: 2,
      queue_limit: 50,
      service: { distribution: "exponential", mean: "1.5ms" },
      power: { model: "linear", idle_w: IDLE_W, max_w: MAX_W },
      labels: { rack: "r1", zone: "z1" },
    },
  ],
  links: [{ a: "users", b: "web", latency: "50us", bandwidth: "10Gbps" }],
};
const THROTTLE = [
  { timeNs: 2.5e9, command: { actor: { actor: 1, command: "throttle", argsJson: "{}" } } },
  { timeNs: 4.5e9, command: { actor: { actor: 1, command: "unthrottle", argsJson: "{}" } } },
];

async function run(name: string, hosts: number): Promise<{ servers: CsvRow[]; states: CsvRow[]; serversText: string }> {
  const outDir = join(dir.path, name);
  await runTwin({
    scenario: validateScenario(scenario, "s.yaml").scenario,
    hosts,
    transport: "inproc",
    outDir,
    runId: "series",
    schedule: THROTTLE,
  });
  return {
    servers: readCsv(join(outDir, "tables", "servers.csv")),
    states: readCsv(join(outDir, "tables", "server_states.csv")),
    serversText: readFileSync(join(outDir, "tables", "servers.csv"), "utf8"),
  };
}

test("server tables - utilisation from the level integrals equals the energy meter's closed form; states exact per interval", async () => {
  const { servers, states, serversText } = await run("one", 1);
  assert.equal(servers.length, 6, "one row per server and interval");
  for (const row of servers) {
    assert.equal(row.actor, "web");
    assert.equal(row.rack, "r1");
    const u = row.utilisation as number;
    assert.ok(u > 0.2 && u <= 1, `utilisation ${u}`);
    // Throttled halves the speed and the dynamic power: P = idle + (max − idle) · u · 0.5 while throttled.
    const t0 = row.t_start_s as number;
    const throttledS = t0 === 2 ? 0.5 : t0 === 3 ? 1 : t0 === 4 ? 0.5 : 0;
    const onS = 1 - throttledS;
    if (throttledS === 0)
      assert.ok(
        Math.abs((row.power_w as number) - (IDLE_W + (MAX_W - IDLE_W) * u)) < 1e-6,
        `interval ${t0}: power ${row.power_w} W vs utilisation ${u}`,
      );
    else
      assert.ok(
        (row.power_w as number) < IDLE_W + (MAX_W - IDLE_W) * u + 1e-6,
        `interval ${t0}: throttled power below the full-speed curve`,
      );
    assert.ok(
      Math.abs((row.queue_length as number) - (row.waiting as number) - 2 * u) < 1e-9,
      `interval ${t0}: held − waiting = cores · utilisation`,
    );
    assert.equal(row.state, throttledS > onS ? "throttled" : "on");
    const mine = states.filter((s) => s.t_start_s === t0);
    assert.deepEqual(
      Object.fromEntries(mine.map((s) => [s.state, s.seconds])),
      { on: onS, throttled: throttledS },
      `interval ${t0}: seconds per state`,
    );
  }
  // Throttled at half speed the server is busier: utilisation rises while throttled.
  const u = (t: number) => servers.find((r) => r.t_start_s === t)!.utilisation as number;
  assert.ok(u(3) > u(1) && u(3) > u(5), `utilisation ${u(1)} → ${u(3)} → ${u(5)}`);

  const two = await run("two", 2);
  assert.equal(two.serversText, serversText, "the same series on two hosts");
});
