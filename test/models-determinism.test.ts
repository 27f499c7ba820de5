/**
 * Determinism with every new model at once on a generated fat-tree (k = 4: 16 servers, 20 switches): the same
 * scenario and seed give byte-identical summary.json on one host and on three (in-process transport, which
 * batches packets between hosts per window exactly as NATS does). Pods land on different hosts, so ECMP
 * forwarding, call graphs, balancer proxies, power meters and state commands all cross host boundaries.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { tempDir } from "./support/scenarios.ts";
import { actorCommand } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const specpower = { model: "specpower", points_w: [50, 70, 82, 93, 104, 116, 129, 143, 158, 175, 194] };
const scenario = {
  name: "fat-tree-mix",
  run: { duration: "1.5s", seed: 17, metrics_interval: "250ms" },
  topology: {
    type: "fat-tree",
    k: 4,
    server: {
      cores: 4,
      service: { distribution: "exponential", mean: "2ms" },
      power: specpower,
      boot: { time: "100ms", power_w: 120 },
    },
    switch: { buffer: "64KiB", power: { chassis_w: 90, per_active_port_w: 1, energy_per_bit_j: 1e-11 } },
    server_link: { latency: "20us", bandwidth: "1Gbps" },
    fabric_link: { latency: "30us", bandwidth: "4Gbps" },
  },
  actors: [
    {
      id: "srv-0-0-0",
      kind: "load_balancer",
      replicas: ["srv-1-0-0", "srv-2-1-1", "srv-3-0-1"],
      policy: "least_outstanding",
    },
    {
      id: "srv-1-0-0",
      kind: "server",
      cores: 2,
      service: { distribution: "exponential", mean: "3ms" },
      calls: [
        {
          target: "srv-3-1-1",
          request_bytes: { distribution: "exponential", mean: "2KiB" },
          response_bytes: "8KiB",
          count: 2,
        },
      ],
      power: specpower,
    },
    {
      id: "srv-3-1-1",
      kind: "server",
      cores: 8,
      service: { distribution: "exponential", mean: "1ms" },
      power: {
        model: "pstate",
        states: [
          { freq_ghz: 2.8, idle_w: 90, max_w: 250 },
          { freq_ghz: 1.6, idle_w: 70, max_w: 150 },
        ],
      },
    },
    {
      id: "bursty",
      kind: "client",
      target: "srv-0-0-0",
      arrivals: {
        process: "mmpp",
        phases: [
          { rate_per_s: 1500, mean_sojourn: "40ms" },
          { rate_per_s: 200, mean_sojourn: "60ms" },
        ],
      },
      request_bytes: { distribution: "exponential", mean: "4KiB" },
      response_bytes: "16KiB",
      timeout: "20ms",
      slo: { response_time: "10ms" },
    },
    {
      id: "office",
      kind: "client",
      target: "srv-2-0-0",
      arrivals: { process: "closed", users: 30, think_time: { distribution: "exponential", mean: "20ms" } },
      request_bytes: 600,
      response_bytes: "64KiB",
    },
  ],
  links: [
    { a: "bursty", b: "core-0", latency: "100us", bandwidth: "10Gbps" },
    { a: "office", b: "core-3", latency: "100us", bandwidth: "10Gbps" },
  ],
};

/** Runs the scenario on 1 and on 3 hosts and returns both summary.json texts. */
let runs: Promise<string[]> | undefined;
function summariesOn1And3Hosts(): Promise<string[]> {
  runs ??= (async () => {
    const { scenario: resolved } = validateScenario(scenario, "fat-tree-mix");
    const index = (id: string) => resolved.actors.findIndex((a) => a.id === id);
    const schedule = [
      actorCommand(index("srv-2-1-1"), 0.3e9, "fail"),
      actorCommand(index("srv-2-1-1"), 0.6e9, "repair"),
      actorCommand(index("srv-3-1-1"), 0.5e9, "set_pstate", { index: 1 }),
      actorCommand(index("bursty"), 0.8e9, "scale_load", { factor: 2 }),
      actorCommand(index("srv-2-0-0"), 1e9, "throttle"),
    ];
    const out: string[] = [];
    for (const hosts of [1, 3]) {
      const outDir = join(dir.path, `hosts-${hosts}`);
      await runTwin({ scenario: resolved, hosts, transport: "inproc", outDir, schedule });
      out.push(readFileSync(join(outDir, "summary.json"), "utf8"));
    }
    return out;
  })();
  return runs;
}

test("determinism - a generated fat-tree with every model gives identical results on 1 and 3 hosts", async () => {
  const [one, three] = await summariesOn1And3Hosts();
  const parsed = JSON.parse(one!);
  assert.equal(parsed.status, "completed");
  assert.ok(parsed.packets.link_hops > 20_000, `the scenario moves traffic (${parsed.packets.link_hops} hops)`);
  assert.ok(parsed.metrics.response_time_s.client.count > 1000);
  assert.ok(parsed.packets.dropped_by_reason.server_failed > 0, "the failure shows");
  assert.ok(
    parsed.thermodynamics.heat.energy_by_component_j.ports_dynamic > 0 &&
      parsed.thermodynamics.heat.energy_by_component_j.boot > 0,
  );
  assert.ok(three === one, "summary.json on 3 hosts differs from 1 host");
});
