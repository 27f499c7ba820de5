/**
 * Leap mode is deterministic and distributed like exact mode: a leap run (clients, a balancer, switches, servers
 * with power, a finite queue that overflows, an MMPP client, a server failure at a step boundary, a lossy link,
 * downstream calls to a server on another leaf, processor sharing) gives
 * byte-identical results in-process on one host and over a real nats-server with three host processes, and
 * conserves packets every window (a violation fails the run).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { assertSameFiles, runToFiles } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const server = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "server",
  cores: 2,
  service: { distribution: "exponential", mean: "2ms" },
  power: { model: "linear", idle_w: 100, max_w: 250 },
  ...extra,
});
const scenario = {
  name: "leap-cross-host",
  run: { duration: "60s", seed: 7, metrics_interval: "5s", mode: "leap", leap: { step: "100ms" } },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "lb",
      arrivals: { process: "diurnal", mean_rate_per_s: 1500, amplitude: 0.5, period: "60s" },
      request_bytes: 400,
      response_bytes: 4000,
    },
    {
      id: "bursty",
      kind: "client",
      target: "s3",
      arrivals: {
        process: "mmpp",
        phases: [
          { rate_per_s: 200, mean_sojourn: "2s" },
          { rate_per_s: 1400, mean_sojourn: "1s" },
        ],
      },
    },
    { id: "lb", kind: "load_balancer", replicas: ["s1", "s2"], policy: "random" },
    { id: "leaf-1", kind: "switch", power: { chassis_w: 50, energy_per_bit_j: 1e-9 } },
    { id: "leaf-2", kind: "switch" },
    server("s1", { calls: [{ target: "db", count: 2 }] }),
    server("s2", { discipline: "ps" }),
    server("s3", { cores: 1, queue_limit: 3 }),
    server("db", { cores: 4, service: { distribution: "exponential", mean: "0.5ms" } }),
  ],
  links: [
    { a: "users", b: "leaf-1", latency: "20us", bandwidth: "10Gbps", loss: 0.01 },
    { a: "bursty", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
    { a: "lb", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "leaf-1", b: "leaf-2", latency: "40us", bandwidth: "40Gbps" },
    { a: "s1", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
    { a: "s2", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
    { a: "s3", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
    { a: "db", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
  ],
  experiment: { faults: [{ action: "actor-crash", selector: { actors: ["s2"] }, at: "30s", duration: "10s" }] },
};
const file = writeScenario(dir.path, "leap-cross-host", scenario);

const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

test("leap determinism - byte-identical results for inproc/1 and nats/3 hosts; another seed differs", async () => {
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats3 = await run("nats-3", "--transport", "nats", "--hosts", "3");
  const otherSeed = await run("inproc-seed", "--transport", "inproc", "--seed", "8");
  const parsed = JSON.parse(inproc.summary);
  assert.equal(parsed.status, "completed");
  assert.equal(parsed.settings.quantum_s, 0.1, "the step is the window");
  assert.ok(parsed.packets.link_hops > 60 * 1500 * 4, "link hops count real packets (multiplicity), not count packets");
  assert.ok(parsed.packets.dropped_by_reason.queue_full > 0, "the finite queue overflows, so drops are compared too");
  assert.ok(parsed.packets.dropped_by_reason.link_loss > 0, "the lossy link thins counts");
  assert.ok(
    parsed.packets.dropped_by_reason.server_failed > 0 || parsed.packets.dropped_by_reason.actor_down > 0,
    "the crash drops requests",
  );
  assert.ok(parsed.thermodynamics.heat.energy_j > 0);
  assertSameFiles(nats3, inproc, "nats/3");
  assert.notEqual(otherSeed.summary, inproc.summary, "a different seed must give different results");
});
