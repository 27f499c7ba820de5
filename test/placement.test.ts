/**
 * Placement (coordinator/placement/place.ts) and the lookahead of a placement (nodes/runtime/lookahead.ts): racks, rows
 * and zones kept whole on a generated leaf-spine with client populations, components on their server's host,
 * the cut only at the long fabric links, the lookahead computed by hand (latency + one byte's serialization),
 * the traffic estimate against hand-computed rates (ECMP splits, load balancer splits, calls), balance, and
 * determinism (same placement from a fresh load; placement never changes the scenario).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { placeActors, planPlacement } from "../coordinator/placement/place.ts";
import { estimateTraffic } from "../coordinator/placement/traffic.ts";
import { lookaheadNs } from "../nodes/runtime/lookahead.ts";
import { networkNodes, type ResolvedScenario } from "../nodes/runtime/topology.ts";
import { loadScenarioFile, validateScenario } from "../coordinator/scenario-loader.ts";
import { leafSpineDoc } from "./support/scenarios.ts";

/** 8 racks (leaf, 4 servers, 4 clients; every 2nd client in the rack 4 away), 2 spines; 2 racks per row, 2 rows per zone. */
function leafSpine(): ResolvedScenario {
  const layout = { racks_per_row: 2, rows_per_zone: 2 };
  const service = { distribution: "exponential", mean: "1ms" } as const;
  return validateScenario(leafSpineDoc({ leaves: 8, spines: 2, serversPerLeaf: 4, layout, service }), "ls").scenario;
}

function groupsOnOneHost(scenario: ResolvedScenario, hostOf: readonly number[], label: string): boolean {
  const hostOfGroup = new Map<string, number>();
  for (const a of scenario.actors) {
    const group = a.labels[label];
    if (group === undefined) continue;
    if ((hostOfGroup.get(group) ?? hostOf[a.index]) !== hostOf[a.index]) return false;
    hostOfGroup.set(group, hostOf[a.index]!);
  }
  return true;
}

test("placement - racks stay whole, only 20 us fabric links are cut, and the lookahead is their latency + 8 ns", () => {
  const scenario = leafSpine();
  assert.equal(scenario.actors.length, 8 * (1 + 4 + 4) + 2);
  for (const hosts of [2, 3, 4]) {
    const hostOf = placeActors(scenario, hosts);
    assert.equal(new Set(hostOf).size, hosts, `${hosts} hosts all get actors`);
    assert.ok(groupsOnOneHost(scenario, hostOf, "rack"), `racks whole on ${hosts} hosts`);
    const cut = scenario.links.filter((l) => hostOf[l.a] !== hostOf[l.b]);
    assert.ok(cut.length > 0);
    for (const l of cut) assert.equal(l.latencyNs, 20_000, `${l.id} is cut on ${hosts} hosts`);
    // 20 us plus one byte at 1 Gbps: ceil(8e9 / 1e9) = 8 ns.
    assert.equal(lookaheadNs(scenario, hostOf), 20_008);
  }
  // Coarser labels when they balance: 2 zones on 2 hosts, 4 rows on 4.
  assert.ok(groupsOnOneHost(scenario, placeActors(scenario, 2), "zone"));
  assert.ok(groupsOnOneHost(scenario, placeActors(scenario, 4), "row"));
  assert.equal(lookaheadNs(scenario, placeActors(scenario, 1)), Number.POSITIVE_INFINITY, "one host cuts nothing");
});

test("placement - lookahead by hand: cut links only, network nodes for components, bandwidth adds one byte", () => {
  const scenario = validateScenario(
    {
      name: "chain",
      run: { duration: "1s" },
      actors: [
        { id: "c", kind: "client", target: "svc", arrivals: { process: "poisson", rate_per_s: 10 } },
        { id: "sw", kind: "switch" },
        { id: "srv", kind: "server", cores: 4, service: { distribution: "exponential", mean: "1ms" } },
        { id: "svc", kind: "service", placed_on: "srv", service: { distribution: "exponential", mean: "1ms" } },
      ],
      links: [
        { a: "c", b: "sw", latency: "30us" },
        { a: "sw", b: "srv", latency: "5us", bandwidth: "10Gbps" },
      ],
    },
    "chain",
  ).scenario;
  assert.equal(lookaheadNs(scenario, [0, 0, 0, 0]), Number.POSITIVE_INFINITY);
  assert.equal(lookaheadNs(scenario, [0, 1, 1, 1]), 30_000, "unlimited bandwidth: latency only");
  assert.equal(lookaheadNs(scenario, [0, 0, 1, 1]), 5_001, "10 Gbps: ceil(0.8 ns) = 1 ns for one byte");
  assert.equal(
    lookaheadNs(scenario, [0, 0, 0, 1]),
    Number.POSITIVE_INFINITY,
    "a component counts as its server's node",
  );
  for (const hosts of [2, 3]) {
    const hostOf = placeActors(scenario, hosts);
    assert.equal(hostOf[3], hostOf[2], `the component runs on its server's host (${hosts} hosts)`);
  }
});

test("placement - components run on their server's host; hosts share the expected work", () => {
  const { scenario } = loadScenarioFile(new URL("../examples/fat-tree-k8.yaml", import.meta.url).pathname);
  for (const hosts of [2, 3, 5]) {
    const plan = planPlacement(scenario, hosts);
    for (const a of scenario.actors)
      if (a.placedOn !== undefined)
        assert.equal(plan.hostOf[a.index], plan.hostOf[a.placedOn], `${a.id} on ${hosts} hosts`);
    assert.equal(new Set(plan.hostOf).size, hosts);
  }
  const large = leafSpine();
  const counts = [0, 0, 0, 0];
  for (const h of placeActors(large, 4)) counts[h]!++;
  assert.deepEqual(
    counts.map((c) => c - 18).filter((d) => Math.abs(d) > 2),
    [],
    `4 hosts of about 74/4 actors: ${counts}`,
  );
});

test("placement - deterministic: the same placement from a fresh load, and the scenario is left as it was", () => {
  const file = new URL("../examples/fat-tree-k8.yaml", import.meta.url).pathname;
  const a = loadScenarioFile(file).scenario;
  const before = JSON.stringify(a);
  for (const hosts of [2, 3, 4])
    assert.deepEqual(placeActors(a, hosts), placeActors(loadScenarioFile(file).scenario, hosts), `${hosts} hosts`);
  assert.equal(JSON.stringify(a), before);
  const ls = leafSpine();
  assert.deepEqual(placeActors(ls, 3), placeActors(leafSpine(), 3));
});

test("placement - traffic estimate: client rates along routes, split over ECMP paths, load balancers and calls", () => {
  const ls = leafSpine();
  const traffic = estimateTraffic(ls);
  assert.equal(traffic.method, "routes");
  const rate = (id: string) => traffic.linkPacketsPerS[ls.links.find((l) => l.id === id)!.index];
  // Every server gets 1000 requests/s from its client: 2000 packets/s (requests + responses) on its server link.
  assert.equal(rate("leaf-0--srv-0-0"), 2000);
  // Rack 0's remote clients (positions 1 and 3) sit in rack 4: 2 × 1000/s each way through the fabric, ECMP over 2 spines,
  // and rack 4's remote clients come to rack 0 the same way: leaf-0's spine links carry 2 × (2 × 2000) / 2 = 4000 packets/s.
  assert.equal(rate("spine-0--leaf-0"), 4000);
  assert.equal(rate("spine-1--leaf-0"), 4000);

  const calls = validateScenario(
    {
      name: "calls",
      run: { duration: "1s" },
      actors: [
        {
          id: "c",
          kind: "client",
          target: "lb",
          arrivals: {
            process: "mmpp",
            phases: [
              { rate_per_s: 300, mean_sojourn: "1s" },
              { rate_per_s: 100, mean_sojourn: "3s" },
            ],
          },
        },
        { id: "lb", kind: "load_balancer", replicas: ["s1", "s2"] },
        {
          id: "s1",
          kind: "server",
          cores: 1,
          service: { distribution: "exponential", mean: "1ms" },
          calls: [{ target: "db", count: 2 }],
        },
        { id: "s2", kind: "server", cores: 1, service: { distribution: "exponential", mean: "1ms" } },
        { id: "db", kind: "server", cores: 1, service: { distribution: "exponential", mean: "1ms" } },
      ],
      links: [
        { a: "c", b: "lb", latency: "10us" },
        { a: "lb", b: "s1", latency: "10us" },
        { a: "lb", b: "s2", latency: "10us" },
        { a: "s1", b: "db", latency: "10us" },
      ],
    },
    "calls",
  ).scenario;
  // MMPP mean rate: (300·1 + 100·3) / 4 = 150/s; the balancer splits it 75/75; s1 calls db twice per request.
  assert.deepEqual(Array.from(estimateTraffic(calls).linkPacketsPerS), [300, 150, 150, 300]);
});

test("placement - the determinism test's scenario crosses hosts on 3 hosts", () => {
  const scenario = validateScenario(
    {
      name: "cross-host",
      run: { duration: "2s" },
      actors: [
        { id: "clients-a", kind: "client", target: "server-b", arrivals: { process: "poisson", rate_per_s: 900 } },
        { id: "clients-b", kind: "client", target: "server-a", arrivals: { process: "poisson", rate_per_s: 700 } },
        { id: "server-a", kind: "server", cores: 1, service: { distribution: "exponential", mean: "1ms" } },
        { id: "server-b", kind: "server", cores: 2, service: { distribution: "deterministic", value: "1.5ms" } },
      ],
      links: [
        { a: "clients-a", b: "server-b", latency: "80us", bandwidth: "1Gbps" },
        { a: "clients-b", b: "server-a", latency: "60us", bandwidth: "1Gbps" },
      ],
    },
    "cross-host",
  ).scenario;
  const hostOf = placeActors(scenario, 3);
  const node = networkNodes(scenario.actors);
  assert.ok(scenario.links.some((l) => hostOf[node[l.a]!] !== hostOf[node[l.b]!]));
});
