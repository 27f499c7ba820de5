/**
 * The switch model against queueing theory and conservation. A switch output port with exponential packet sizes
 * followed by an exponential server is a Jackson tandem of two M/M/1 stations (Burke: the port's departures are
 * Poisson; the server draws its own service times), so the mean response time is 1/(μ1−λ) + 1/(μ2−λ) plus the
 * fixed link delays, checked against a 99% batch-means interval. A port offered 1.5× its bandwidth carries
 * exactly its bandwidth, drops the excess at its buffer (`buffer_full`), and its energy is chassis + ports +
 * energy per bit sent, exactly. ECMP avoids an equal-cost port whose link is down.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { halfWidth } from "./support/ci.ts";
import { tempDir } from "./support/scenarios.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { runResolved, runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

test("switch - output port and server in tandem (Jackson network) match the closed form end to end", async () => {
  const lambda = 500;
  const meanBytes = 10_000;
  const bandwidthBps = 80e6; // 10 kB takes 1 ms: μ1 = 1000/s
  const mu1 = bandwidthBps / (8 * meanBytes);
  const mu2 = 1000;
  const latencyS = 20e-6;
  const { summary } = await runScenario(
    {
      name: "tandem",
      run: { duration: "200s", seed: 21, metrics_interval: "1s", warmup: "5s" },
      actors: [
        {
          id: "clients",
          kind: "client",
          target: "server",
          arrivals: { process: "poisson", rate_per_s: lambda },
          request_bytes: { distribution: "exponential", mean: meanBytes },
          response_bytes: 1,
        },
        { id: "sw", kind: "switch", buffer: "100MB" },
        { id: "server", kind: "server", cores: 1, service: { distribution: "exponential", mean: `${1e3 / mu2}ms` } },
      ],
      links: [
        { a: "clients", b: "sw", latency: "20us" },
        { a: "sw", b: "server", latency: "20us", bandwidth: bandwidthBps },
      ],
    },
    dir.path,
  );
  // Four link latencies, and the 1-byte response's serialization on the server's port.
  const fixedS = 4 * latencyS + Math.ceil((8 * 1e9) / bandwidthBps) / 1e9;
  const expected = 1 / (mu1 - lambda) + 1 / (mu2 - lambda) + fixedS;
  const bm = summary.metrics.response_time_s?.client?.batch_means;
  assert.ok(bm, "the run reports batch means of the response time");
  const half = halfWidth(bm);
  assert.ok(
    Math.abs(bm.mean - expected) <= half,
    `mean ${bm.mean} s vs Jackson ${expected} s: off by ${Math.abs(bm.mean - expected)} s, 99% half-width ${half} s`,
  );
  assert.ok(half / expected < 0.05, `interval too wide to test anything (half-width ${half} s)`);
  // The check can fail: without the port's queue (only its mean service) the value lies outside.
  const withoutPortQueue = 1 / mu1 + 1 / (mu2 - lambda) + fixedS;
  assert.ok(Math.abs(bm.mean - withoutPortQueue) > half, "the interval excludes a model without the port's queue");
  assert.equal(summary.packets.dropped, 0);
});

test("switch - a port offered 1.5x its bandwidth carries its bandwidth, tail-drops the rest, and its energy is exact", async () => {
  const bandwidthBps = 10e6;
  const packetBytes = 1250; // 1 ms on the wire: 1000 packets/s
  const durationS = 20;
  const buffer = 10 * packetBytes;
  const power = { chassis_w: 40, per_active_port_w: 2, energy_per_bit_j: 5e-9 };
  const { summary, joules } = await runScenario(
    {
      name: "saturate",
      run: { duration: `${durationS}s`, seed: 3, metrics_interval: "1s" },
      actors: [
        {
          id: "clients",
          kind: "client",
          target: "sink",
          arrivals: { process: "poisson", rate_per_s: 1500 },
          request_bytes: packetBytes,
          response_bytes: 1,
        },
        { id: "sw", kind: "switch", buffer, power },
        { id: "sink", kind: "server", cores: 64, service: { distribution: "deterministic", value: "1us" } },
      ],
      links: [
        { a: "clients", b: "sw", latency: "50us" },
        { a: "sw", b: "sink", latency: "50us", bandwidth: bandwidthBps },
      ],
    },
    dir.path,
  );
  const toSink = summary.link_traffic.find((l) => l.a === "sw" && l.b === "sink")!.a_to_b;
  const capacityBytesPerS = bandwidthBps / 8;
  assert.ok(
    Math.abs(toSink.bytes_per_s - capacityBytesPerS) / capacityBytesPerS < 0.002,
    `throughput ${toSink.bytes_per_s} B/s vs bandwidth ${capacityBytesPerS} B/s`,
  );

  const sent = summary.metrics.requests_sent!.client!.count;
  const delivered = summary.metrics.busy_core_s!.server!.count;
  const dropped = summary.packets.dropped_by_reason.buffer_full ?? 0;
  assert.ok(dropped > 0.25 * sent, `the excess is dropped at the buffer (${dropped} of ${sent})`);
  // Every request is delivered, dropped at the full buffer, or still held / on the wire at the end.
  const leftover = sent - delivered - dropped;
  assert.ok(leftover >= 0 && leftover <= buffer / packetBytes + 2, `requests unaccounted for: ${leftover}`);
  assert.deepEqual(Object.keys(summary.packets.dropped_by_reason), ["buffer_full"]);

  const bitsSent =
    8 *
    summary.link_traffic.reduce(
      (s, l) => s + (l.a === "sw" ? l.a_to_b.bytes : 0) + (l.b === "sw" ? l.b_to_a.bytes : 0),
      0,
    );
  const expected = (power.chassis_w + 2 * power.per_active_port_w) * durationS + power.energy_per_bit_j * bitsSent;
  // Per-bit energy is spread over each packet's serialization: a packet still on the wire when the run ends has
  // been counted in the link bytes but has drawn only part of its energy (at most one packet per busy port).
  const shortfall = expected - joules("sw");
  assert.ok(
    shortfall >= -1e-9 * expected && shortfall <= power.energy_per_bit_j * 8 * packetBytes + 1e-9 * expected,
    `switch energy ${joules("sw")} J vs ${expected} J`,
  );
  assert.ok(joules("sw", "ports_dynamic") > 0.5, "per-bit energy is visible");
});

test("switch - ECMP moves new flows off a port whose link went down", async () => {
  const { scenario: resolved } = validateScenario(
    {
      name: "failover",
      run: { duration: "3s", seed: 5, metrics_interval: "1s" },
      topology: {
        type: "leaf-spine",
        leaves: 2,
        spines: 2,
        servers_per_leaf: 1,
        server: { cores: 4, service: { distribution: "exponential", mean: "1ms" } },
        server_link: { latency: "10us", bandwidth: "10Gbps" },
        fabric_link: { latency: "10us", bandwidth: "10Gbps" },
      },
      actors: [{ id: "users", kind: "client", target: "srv-1-0", arrivals: { process: "poisson", rate_per_s: 2000 } }],
      links: [{ a: "users", b: "leaf-0", latency: "10us" }],
    },
    "failover",
  );
  const link = resolved.links.findIndex((l) => l.id === "spine-0--leaf-0");
  const { outcome } = await runResolved(resolved, dir.path, {
    schedule: [{ timeNs: 1e9, command: { link: { link, up: false } } }],
  });
  // leaf-0 owns direction b→a of spine-0--leaf-0 and of spine-1--leaf-0.
  const upward = (id: string) => {
    const index = resolved.links.findIndex((l) => l.id === id);
    return outcome.aggregator.intervalList(outcome.simTimeNs).map((i) => i.links.get(index * 2 + 1)?.packets ?? 0);
  };
  const viaSpine0 = upward("spine-0--leaf-0");
  const viaSpine1 = upward("spine-1--leaf-0");
  assert.ok(
    viaSpine0[0]! > 500 && viaSpine1[0]! > 500,
    `both spines carry traffic before the cut: ${viaSpine0}, ${viaSpine1}`,
  );
  assert.deepEqual(viaSpine0.slice(1), [0, 0], "nothing leaves on the dead link after the cut");
  assert.ok(viaSpine1[2]! > 1800, `the other spine takes every flow: ${viaSpine1}`);
});
