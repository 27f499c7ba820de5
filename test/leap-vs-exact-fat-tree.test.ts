/**
 * Ten simulated minutes of a k = 8 fat-tree (128 servers, 80 switches) in exact and in leap mode, compared by
 * `dctwin compare`: energy and throughput within 1%, mean response time within 5%, p99 within 15% (the issue's
 * tolerances). Two client populations reach two random balancers at the core, each over 64 single-core servers in
 * its half of the tree (random: each server sees a Poisson stream, as leap mode's queues assume), at 70% load.
 * About a million requests, so exact mode's own figures are tight against those tolerances (128 stations pooled).
 *
 * The scenario is examples/fat-tree-k8's fabric with plain servers (its software components are compared in
 * test/leap-vs-exact-components.test.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { runOk } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { compareRuns } from "../coordinator/compare.ts";

const dir = tempDir();
after(() => dir.remove());

const replicas = (pods: number[]) =>
  pods.flatMap((pod) => Array.from({ length: 16 }, (_, i) => `srv-${pod}-${Math.floor(i / 4)}-${i % 4}`));
/** 64 servers × 20 requests/s of capacity per balancer; 70% of it. */
const RATE = 0.7 * 64 * 20;
const scenario = {
  name: "fat-tree-k8-plain",
  run: { duration: "600s", seed: 8, metrics_interval: "60s" },
  topology: {
    type: "fat-tree",
    k: 8,
    server: {
      cores: 1,
      service: { distribution: "exponential", mean: "50ms" },
      power: { model: "specpower", points_w: [60, 85, 100, 113, 126, 140, 155, 172, 190, 210, 232] },
    },
    switch: { buffer: "1MiB", power: { chassis_w: 150, per_active_port_w: 1.5, energy_per_bit_j: 2.0e-11 } },
    server_link: { latency: "5us", bandwidth: "25Gbps" },
    fabric_link: { latency: "10us", bandwidth: "100Gbps" },
  },
  actors: [
    {
      id: "shoppers",
      kind: "client",
      group: "shoppers",
      target: "lb-a",
      arrivals: { process: "poisson", rate_per_s: RATE },
      request_bytes: 600,
      response_bytes: 8000,
    },
    {
      id: "buyers",
      kind: "client",
      group: "buyers",
      target: "lb-b",
      arrivals: { process: "poisson", rate_per_s: RATE },
      request_bytes: 1000,
      response_bytes: 2000,
    },
    { id: "lb-a", kind: "load_balancer", replicas: replicas([0, 1, 2, 3]), policy: "random" },
    { id: "lb-b", kind: "load_balancer", replicas: replicas([4, 5, 6, 7]), policy: "random" },
  ],
  links: [
    { a: "shoppers", b: "core-0", latency: "20us", bandwidth: "100Gbps" },
    { a: "buyers", b: "core-5", latency: "20us", bandwidth: "100Gbps" },
    { a: "lb-a", b: "core-10", latency: "20us", bandwidth: "100Gbps" },
    { a: "lb-b", b: "core-15", latency: "20us", bandwidth: "100Gbps" },
  ],
};
const file = writeScenario(dir.path, "fat-tree-k8-plain", scenario);

const run = (name: string, ...args: string[]) =>
  runOk(file, join(dir.path, name), ["--transport", "inproc", ...args], 1_200_000);

test("leap vs exact - ten minutes of a k = 8 fat-tree: energy, throughput, mean and p99 response", async () => {
  const exact = await run("exact");
  const leap = await run("leap", "--mode", "leap");
  const rows = new Map(compareRuns(exact, leap).map((r) => [r.figure, r]));
  const within = (figure: string, tolerance: number) => {
    const row = rows.get(figure);
    assert.ok(row?.relative != null, `${figure} is compared`);
    assert.ok(
      Math.abs(row.relative) <= tolerance,
      `${figure}: exact ${row.a}, leap ${row.b} (${(row.relative * 100).toFixed(2)}%, tolerance ${tolerance * 100}%)`,
    );
  };
  within("energy_j", 0.01);
  for (const group of ["", "[shoppers]", "[buyers]"]) {
    within(`throughput_per_s${group}`, 0.01);
    within(`mean_response_s${group}`, 0.05);
  }
  within("p99_response_s[shoppers]", 0.15);
  within("p99_response_s[buyers]", 0.15);
});
