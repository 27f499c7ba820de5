/**
 * Software components (service, store) on servers: CPU demand in the server's power to floating-point rounding,
 * co-location with the server's host for every host count, an M/M/c station through a component against Erlang
 * C, the placement rules' exact assignments and problems, routing through the server's NIC and local delivery,
 * and byte-identical results on 1 host and on 3 NATS host processes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { placeActors } from "../coordinator/placement/place.ts";
import { halfWidth, type ReportedBatchMeans } from "./support/ci.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { loadScenarioFile, validateScenario } from "../coordinator/scenario-loader.ts";
import { runToFiles } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

function problems(scenario: unknown): string[] {
  try {
    validateScenario(scenario, "t");
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

test("components - CPU demand shows in the server's utilisation and power exactly", async () => {
  // Linear 100 W idle .. 300 W at 8 busy cores. `api` holds 2 cores per request for 500 ms, `db` 0.5 core for
  // 250 ms; both on `host`, whose own queue stays empty. Trace rows put known overlaps in service:
  // t=0.5 s: two api requests at once (4 cores), t=2 s: one api request, whose db call then runs alone.
  const { joules, summary } = await runScenario(
    {
      name: "cpu",
      run: { duration: "4s", metrics_interval: "1s" },
      actors: [
        {
          id: "c",
          kind: "client",
          target: "api",
          arrivals: { process: "trace", rows: [{ at: 0.5 }, { at: 0.5 }, { at: 2 }] },
          request_bytes: 100,
          response_bytes: 100,
        },
        {
          id: "c2",
          kind: "client",
          target: "db",
          arrivals: { process: "trace", rows: [{ at: 3 }] },
          request_bytes: 100,
          response_bytes: 100,
        },
        {
          id: "host",
          kind: "server",
          cores: 8,
          service: { distribution: "deterministic", value: "1s" },
          power: { model: "linear", idle_w: 100, max_w: 300 },
        },
        {
          id: "api",
          kind: "service",
          placed_on: "host",
          concurrency: 2,
          cpu: 2,
          service: { distribution: "deterministic", value: "500ms" },
        },
        {
          id: "db",
          kind: "store",
          placed_on: "host",
          concurrency: 1,
          cpu: 0.5,
          read: { service: { distribution: "deterministic", value: "250ms" } },
          write: { service: { distribution: "deterministic", value: "250ms" } },
        },
      ],
      links: [
        { a: "c", b: "host", latency: "100us" },
        { a: "c2", b: "host", latency: "100us" },
      ],
    },
    dir.path,
  );
  assert.equal(summary.packets.dropped, 0);
  // Busy core-seconds: 2 requests x 2 cores x 0.5 s + 1 x 2 x 0.5 + the db request 0.5 core x 0.25 s.
  const coreSeconds = 2 * 2 * 0.5 + 2 * 0.5 + 0.5 * 0.25;
  const expected = 100 * 4 + ((300 - 100) / 8) * coreSeconds;
  const actual = joules("host", "cpu");
  assert.ok(Math.abs(actual - expected) <= 1e-9 * expected, `host cpu ${actual} J, expected ${expected} J`);
  assert.equal(joules("api"), 0, "a component draws nothing itself: its server does");
  assert.equal(joules("db"), 0);
});

const PLACEMENT = {
  name: "placement",
  run: { duration: "1s" },
  topology: {
    type: "fat-tree",
    k: 4, // 8 racks (rack-<pod*2+edge>) of 2 servers, 4 pods
    server: { cores: 4, service: { distribution: "exponential", mean: "1ms" } },
    server_link: { latency: "5us" },
    fabric_link: { latency: "10us" },
  },
  actors: [] as Record<string, unknown>[],
};

function placed(actors: Record<string, unknown>[]) {
  const { scenario } = validateScenario({ ...PLACEMENT, actors }, "t");
  const byId = new Map(scenario.actors.map((a) => [a.index, a.id]));
  return Object.fromEntries(
    scenario.actors.filter((a) => a.placedOn !== undefined).map((a) => [a.id, byId.get(a.placedOn!)]),
  );
}

const svc = (extra: Record<string, unknown>) => ({
  kind: "service",
  service: { distribution: "exponential", mean: "1ms" },
  ...extra,
});

test("components - spread puts replicas in different racks, then fills second servers; pack fills first-fit by cores", () => {
  // Spread over racks: one per rack first (8 racks), then the second server of racks 0 and 1.
  assert.deepEqual(placed([svc({ id: "web", replicas: 10, placement: { rule: "spread" } })]), {
    "web-0": "srv-0-0-0",
    "web-1": "srv-0-1-0",
    "web-2": "srv-1-0-0",
    "web-3": "srv-1-1-0",
    "web-4": "srv-2-0-0",
    "web-5": "srv-2-1-0",
    "web-6": "srv-3-0-0",
    "web-7": "srv-3-1-0",
    "web-8": "srv-0-0-1",
    "web-9": "srv-0-1-1",
  });
  // Spread across pods, selected by label: pods 1 and 2 only.
  assert.deepEqual(
    placed([svc({ id: "api", replicas: 3, placement: { rule: "spread", across: "pod", select: { row: "row-1" } } })]),
    {
      "api-0": "srv-1-0-0",
      "api-1": "srv-1-0-1",
      "api-2": "srv-1-1-0",
    },
  );
  // Pack: 2 cores each (cpu 1 x concurrency 2) on 4-core servers: two per server, in actor order.
  assert.deepEqual(placed([svc({ id: "cart", replicas: 5, concurrency: 2, placement: { rule: "pack" } })]), {
    "cart-0": "srv-0-0-0",
    "cart-1": "srv-0-0-0",
    "cart-2": "srv-0-0-1",
    "cart-3": "srv-0-0-1",
    "cart-4": "srv-0-1-0",
  });
  // placed_on reserves first; a later rule sees it (srv-0-0-0 has 1 core left, too few for a 2-core replica).
  assert.deepEqual(
    placed([
      svc({ id: "cart", replicas: 2, concurrency: 2, placement: { rule: "pack" } }),
      svc({ id: "db", cpu: 3, placed_on: "srv-0-0-0" }),
    ]),
    {
      "cart-0": "srv-0-0-1",
      "cart-1": "srv-0-0-1",
      db: "srv-0-0-0",
    },
  );
  // A placed replica carries its server's location labels.
  const { scenario } = validateScenario(
    { ...PLACEMENT, actors: [svc({ id: "one", placed_on: "srv-2-1-0", labels: { app: "x" } })] },
    "t",
  );
  assert.deepEqual(scenario.actors.find((a) => a.id === "one")!.labels, {
    rack: "rack-5",
    row: "row-2",
    zone: "zone-0",
    pod: "pod-2",
    server: "srv-2-1-0",
    app: "x",
  });
});

test("components - placement problems name the field", () => {
  const base = { ...PLACEMENT };
  const run = (actors: Record<string, unknown>[]) => problems({ ...base, actors });
  assert.deepEqual(
    run([svc({ id: "a", replicas: 9, concurrency: 4, placement: { rule: "pack", select: { pod: "pod-0" } } })]),
    ['actors[0].placement: cannot place replica 5 of 9 ("a-4"): no selected server has 4 free cores'],
  );
  assert.deepEqual(
    run([svc({ id: "a", cpu: 3, placed_on: "srv-0-0-0" }), svc({ id: "b", cpu: 2, placed_on: "srv-0-0-0" })]),
    [
      'actors[1].placed_on: "srv-0-0-0" has 4 cores, and the components placed on it reserve 5 (concurrency × cpu each)',
    ],
  );
  assert.deepEqual(run([svc({ id: "a", placed_on: "edge-0-0" })]), [
    'actors[0].placed_on: "edge-0-0" is a switch; components run on servers',
  ]);
  assert.deepEqual(run([svc({ id: "a" })]), [
    "actors[0].placed_on: a component needs placed_on (a server id) or placement (a rule)",
  ]);
  assert.deepEqual(run([svc({ id: "a", placement: { rule: "spread", select: { pod: "pod-9" } } })]), [
    'actors[0].placement.select: no server has the labels {"pod":"pod-9"}',
  ]);
  assert.deepEqual(run([svc({ id: "a", placed_on: "srv-0-0-0", cpu: 0.0001 })]), [
    "actors[0].cpu: expected a positive number of cores (whole millicores, e.g. 0.25)",
  ]);
  assert.deepEqual(
    run([{ id: "x", kind: "server", placed_on: "srv-0-0-0", service: { distribution: "exponential", mean: "1ms" } }])
      .length,
    1,
    "servers have no placed_on",
  );
});

test("components - every component runs on its server's host, for any host count", () => {
  const { scenario } = loadScenarioFile(new URL("../examples/fat-tree-k8.yaml", import.meta.url).pathname);
  const components = scenario.actors.filter((a) => a.placedOn !== undefined);
  assert.ok(components.length >= 30);
  for (const hosts of [1, 2, 3, 5, 8, 64, 300]) {
    const hostOf = placeActors(scenario.actors, hosts);
    for (const c of components) assert.equal(hostOf[c.index], hostOf[c.placedOn!], `${c.id} on ${hosts} hosts`);
    if (hosts <= 8) assert.equal(new Set(hostOf).size, hosts, `all ${hosts} hosts get actors`);
  }
});

test("components - M/M/3 through a service component: Erlang-C mean response and queue wait", async () => {
  const mu = 1000;
  const c = 3;
  const lambda = 0.8 * c * mu;
  const a = lambda / mu;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) sum += term *= a / k;
  const last = ((term * a) / c) * (c / (c - a));
  const wait = last / (sum + last) / (c * mu - lambda);
  const linkDelay = 2 * (50e-6 + Math.ceil((100 * 8 * 1e9) / 10e9) / 1e9);
  const { summary } = await runScenario(
    {
      name: "mmc",
      run: { duration: "100s", seed: 12, metrics_interval: "500ms", warmup: "5s" },
      actors: [
        {
          id: "clients",
          kind: "client",
          target: "svc",
          arrivals: { process: "poisson", rate_per_s: lambda },
          request_bytes: 100,
          response_bytes: 100,
        },
        {
          id: "host",
          kind: "server",
          cores: 4,
          service: { distribution: "exponential", mean: "1ms" },
          power: { model: "linear", idle_w: 50, max_w: 150 },
        },
        {
          id: "svc",
          kind: "service",
          placed_on: "host",
          concurrency: c,
          cpu: 1,
          service: { distribution: "exponential", mean: "1ms" },
        },
      ],
      links: [{ a: "clients", b: "host", latency: "50us", bandwidth: "10Gbps" }],
    },
    dir.path,
  );
  const check = (bm: ReportedBatchMeans | null | undefined, expected: number, maxRel: number, what: string) => {
    assert.ok(bm, what);
    const half = halfWidth(bm);
    assert.ok(
      Math.abs(bm.mean - expected) <= half,
      `${what}: ${bm.mean} s vs closed form ${expected} s (99% half-width ${half} s)`,
    );
    assert.ok(half / expected < maxRel, `${what}: interval too wide (${half} s)`);
  };
  check(summary.metrics.response_time_s?.client?.batch_means, wait + 1 / mu + linkDelay, 0.05, "mean response");
  check(summary.metrics.queue_wait_s?.service?.batch_means, wait, 0.1, "mean queue wait (L_q / λ)");
});

test("components - packets reach a component through its server's link; components on one server talk locally", async () => {
  const { summary } = await runScenario(
    {
      name: "routing",
      run: { duration: "1s", metrics_interval: "500ms" },
      actors: [
        {
          id: "c",
          kind: "client",
          target: "front",
          arrivals: { process: "poisson", rate_per_s: 200 },
          request_bytes: 100,
          response_bytes: 100,
        },
        { id: "sw", kind: "switch" },
        { id: "h1", kind: "server", service: { distribution: "exponential", mean: "1ms" }, cores: 4 },
        { id: "h2", kind: "server", service: { distribution: "exponential", mean: "1ms" }, cores: 4 },
        svc({ id: "front", placed_on: "h1", calls: [{ target: "side" }, { target: "far" }] }),
        svc({ id: "side", placed_on: "h1" }),
        svc({ id: "far", placed_on: "h2" }),
      ],
      links: [
        { a: "c", b: "sw", latency: "10us" },
        { a: "sw", b: "h1", latency: "10us" },
        { a: "sw", b: "h2", latency: "10us" },
      ],
    },
    dir.path,
  );
  const links = Object.fromEntries(
    summary.link_traffic.map((l) => [l.id, { packets_forward: l.a_to_b.packets, packets_reverse: l.b_to_a.packets }]),
  );
  const requests = summary.metrics.response_time_s!.client!.count;
  assert.ok(requests > 150);
  // c -> front crosses c--sw and sw--h1; front -> far crosses sw--h1 twice and sw--h2; front -> side no link.
  const total = (id: string) => links[id]!.packets_forward + links[id]!.packets_reverse;
  assert.ok(Math.abs(total("c--sw") - 2 * requests) <= 4, `c--sw ${total("c--sw")}`);
  assert.ok(Math.abs(total("sw--h2") - 2 * requests) <= 4, `sw--h2 ${total("sw--h2")}`);
  assert.ok(
    Math.abs(total("sw--h1") - 4 * requests) <= 8,
    `sw--h1 ${total("sw--h1")}: the side call stays off the wire`,
  );
  assert.equal(summary.packets.dropped, 0);
});

test("components - byte-identical results on 1 host (in-process) and 3 NATS host processes", async () => {
  const scenario = {
    ...PLACEMENT,
    name: "components-determinism",
    run: { duration: "200ms", seed: 9, metrics_interval: "50ms" },
    // 20 us links: a 20 us quantum keeps the 3-host run's window count (and its NATS round trips) small.
    topology: {
      ...PLACEMENT.topology,
      server_link: { latency: "20us" },
      fabric_link: { latency: "20us" },
      server: {
        cores: 8,
        service: { distribution: "exponential", mean: "1ms" },
        power: { model: "linear", idle_w: 80, max_w: 200 },
      },
    },
    actors: [
      {
        id: "srv-3-1-1",
        kind: "client",
        target: "srv-3-1-0",
        arrivals: { process: "poisson", rate_per_s: 3000 },
        request_bytes: 400,
        response_bytes: 1000,
      },
      {
        id: "srv-3-1-0",
        kind: "load_balancer",
        replicas: ["web-0", "web-1", "web-2", "web-3", "web-4", "web-5"],
        policy: "least_outstanding",
      },
      svc({
        id: "web",
        replicas: 6,
        concurrency: 2,
        placement: { rule: "spread", across: "pod" },
        service: { distribution: "lognormal", median: "800us", p99: "5ms" },
        calls: [{ target: "db" }],
        queue_limit: 4,
      }),
      {
        id: "db",
        kind: "store",
        placement: { rule: "pack", select: { pod: "pod-2" } },
        concurrency: 4,
        write_fraction: 0.3,
        capacity_records: 100,
        read: { service: { distribution: "empirical", values: ["100us", "300us"] } },
        write: { service: { distribution: "exponential", mean: "400us" } },
      },
    ],
  };
  const file = writeScenario(dir.path, "components-determinism", scenario);
  const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

  const one = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const three = await run("nats-3", "--transport", "nats", "--hosts", "3");
  const parsed = JSON.parse(one.summary);
  assert.ok(parsed.packets.link_hops > 5_000, "traffic crosses the fabric");
  assert.ok(parsed.metrics.store_writes, "the store wrote");
  assert.equal(three.summary, one.summary, "summary.json differs between 1 and 3 hosts");
  assert.equal(three.series, one.series, "timeseries.csv differs between 1 and 3 hosts");
});
