import assert from "node:assert/strict";
import { test } from "node:test";
import { cutLookaheadNs, lookaheadNs } from "./lookahead.ts";
import type { ActorSpec, LinkSpec, ResolvedScenario } from "./topology.ts";

const actor = (index: number, placedOn?: number): ActorSpec => ({
  index,
  id: `a${index}`,
  kind: "x",
  group: "x",
  labels: {},
  params: {},
  placedOn,
});
const link = (index: number, a: number, b: number, latencyNs: number, bandwidthBps = 0): LinkSpec => ({
  index,
  id: `l${index}`,
  a,
  b,
  latencyNs,
  bandwidthBps,
  loss: 0,
});

// A chain 0 -(10 us, 1 Gbps)- 1 -(50 us, unlimited)- 2 -(5 us, 10 Gbps)- 3, and a component (4) on actor 3.
const scenario = {
  run: {} as ResolvedScenario["run"],
  actors: [actor(0), actor(1), actor(2), actor(3), actor(4, 3)],
  links: [link(0, 0, 1, 10_000, 1e9), link(1, 1, 2, 50_000), link(2, 2, 3, 5_000, 1e10)],
} satisfies ResolvedScenario;

test("lookahead - the smallest latency plus one byte's serialization over cut links only", () => {
  assert.equal(lookaheadNs(scenario, [0, 0, 0, 0, 0]), Number.POSITIVE_INFINITY, "one host: no cut link");
  assert.equal(lookaheadNs(scenario, [0, 0, 1, 1, 1]), 50_000, "only the unlimited 50 us link is cut");
  assert.equal(lookaheadNs(scenario, [0, 1, 1, 1, 1]), 10_000 + 8, "1 Gbps: one byte takes 8 ns");
  assert.equal(lookaheadNs(scenario, [0, 0, 1, 0, 0]), 5_000 + 1, "10 Gbps: 0.8 ns rounds up to 1");
  assert.equal(
    lookaheadNs(scenario, [0, 0, 0, 0, 1]),
    Number.POSITIVE_INFINITY,
    "a component goes with its server's node, so no link is cut by its host",
  );
});

test("lookahead - follows the links as they are now", () => {
  const links = scenario.links.map((l) => ({ ...l }));
  const nodeOf = Int32Array.from([0, 1, 2, 3, 3]);
  links[1]!.latencyNs = 2_000;
  assert.equal(cutLookaheadNs(links, nodeOf, [0, 0, 1, 1, 1]), 2_000);
  links[1]!.bandwidthBps = 1e6;
  assert.equal(cutLookaheadNs(links, nodeOf, [0, 0, 1, 1, 1]), 2_000 + 8_000);
});
