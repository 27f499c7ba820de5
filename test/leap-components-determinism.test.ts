/**
 * Software components in leap mode are deterministic and distributed like the other leap kinds: a leap run with
 * services and stores (a call chain across servers, a balancer over two replicas, a store with a record capacity,
 * a `core_sharing: dynamic` server shared by its own requests and a component, a component crash and a server
 * failure at step boundaries) gives byte-identical results in-process on one host and over a real nats-server with
 * two host processes, and conserves packets every window (a violation fails the run).
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
  cores: 4,
  service: { distribution: "exponential", mean: "2ms" },
  power: { model: "specpower", points_w: [60, 85, 100, 113, 126, 140, 155, 172, 190, 210, 232] },
  ...extra,
});
const web = (id: string, placedOn: string) => ({
  id,
  kind: "service",
  placed_on: placedOn,
  concurrency: 2,
  service: { distribution: "lognormal", median: "1ms", p99: "4ms" },
  calls: [{ target: "db", request_bytes: 300, response_bytes: 2000 }],
});
const scenario = {
  name: "leap-components-cross-host",
  run: { duration: "40s", seed: 11, metrics_interval: "5s", mode: "leap", leap: { step: "100ms" } },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "web-lb",
      arrivals: { process: "diurnal", mean_rate_per_s: 1200, amplitude: 0.5, period: "40s" },
      request_bytes: 400,
      response_bytes: 4000,
    },
    { id: "own", kind: "client", target: "n3", arrivals: { process: "poisson", rate_per_s: 400 } },
    { id: "web-lb", kind: "load_balancer", replicas: ["web-0", "web-1"], policy: "random" },
    { id: "leaf-1", kind: "switch" },
    { id: "leaf-2", kind: "switch" },
    server("n1"),
    server("n2"),
    server("n3", { core_sharing: "dynamic" }),
    web("web-0", "n1"),
    web("web-1", "n2"),
    {
      id: "db",
      kind: "store",
      placed_on: "n3",
      concurrency: 4,
      cpu: 0.5,
      write_fraction: 0.3,
      capacity_records: 1000,
      initial_records: 1000,
      read: { service: { distribution: "exponential", mean: "400us" } },
      write: { service: { distribution: "deterministic", value: "800us" } },
    },
  ],
  links: [
    { a: "users", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "own", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
    { a: "web-lb", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "leaf-1", b: "leaf-2", latency: "40us", bandwidth: "40Gbps" },
    { a: "n1", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "n2", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "n3", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
  ],
  experiment: {
    faults: [
      { action: "actor-crash", selector: { actors: ["web-1"] }, at: "10s", duration: "5s" },
      { action: "server-fail", selector: { actors: ["n3"] }, at: "25s", duration: "3s" },
    ],
  },
};
const file = writeScenario(dir.path, "leap-components-cross-host", scenario);

const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

test("leap components determinism - byte-identical results for inproc/1 and nats/2 hosts", async () => {
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats2 = await run("nats-2", "--transport", "nats", "--hosts", "2");
  const parsed = JSON.parse(inproc.summary);
  assert.equal(parsed.status, "completed");
  assert.equal(parsed.settings.quantum_s, 0.1, "the step is the window");
  const drops = parsed.packets.dropped_by_reason;
  assert.ok(
    drops.component_down > 0 || drops.actor_down > 0,
    `the component crash drops requests: ${JSON.stringify(drops)}`,
  );
  assert.ok(drops.server_failed > 0, `the server failure drops the store's requests: ${JSON.stringify(drops)}`);
  const heat = parsed.thermodynamics.heat;
  assert.ok(heat.bits_erased > heat.bits_delivered, "the full store's overwrites erase bits beyond those delivered");
  assertSameFiles(nats2, inproc, "nats/2");
});
