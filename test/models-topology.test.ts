/**
 * Topology generators: fat-tree (k) and leaf-spine give the textbook numbers of servers, switches and links, and
 * every server reaches every other over the expected number of hops — by shortest paths, and by real packets
 * forwarded hop by hop through the switch model (ECMP), which also spreads inter-pod flows over all core
 * switches. Explicit actors replace generated ones by id and explicit links join generated switches; problems in
 * a template name the topology field.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { lookupModel } from "../nodes/models/registry.ts";
import { switchModel } from "../nodes/models/switch.ts";
import type { ActorModel } from "../nodes/runtime/actor.ts";
import { Species } from "../nodes/runtime/packet.ts";
import { Router } from "../nodes/runtime/routing.ts";
import { Shard } from "../nodes/runtime/shard.ts";
import { portsByActor, type ResolvedScenario } from "../nodes/runtime/topology.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { validateScenario } from "../scenario/load.ts";

const serverTemplate = { cores: 2, service: { distribution: "exponential", mean: "1ms" } };
const link = { latency: "2us", bandwidth: "10Gbps" };

function generate(topology: Record<string, unknown>, extra: { actors?: unknown[]; links?: unknown[] } = {}): ResolvedScenario {
  return validateScenario({ name: "gen", run: { duration: "1s" }, topology: { server: serverTemplate, server_link: link, fabric_link: link, ...topology }, ...extra }, "gen").scenario;
}

function countKinds(s: ResolvedScenario) {
  return { servers: s.actors.filter((a) => a.kind === "server").length, switches: s.actors.filter((a) => a.kind === "switch").length, links: s.links.length };
}

/** Expected hops between two servers of a fat-tree from their pod and edge labels. */
function fatTreeHops(a: ResolvedScenario["actors"][number], b: ResolvedScenario["actors"][number]): number {
  if (a.labels.rack === b.labels.rack) return 2;
  return a.labels.pod === b.labels.pod ? 4 : 6;
}

function leafSpineHops(a: ResolvedScenario["actors"][number], b: ResolvedScenario["actors"][number]): number {
  return a.labels.rack === b.labels.rack ? 2 : 4;
}

test("topology - fat-tree(k) has k³/4 servers, 5k²/4 switches, 3k³/4 links and labels every server", () => {
  for (const k of [2, 4, 6, 8]) {
    const s = generate({ type: "fat-tree", k });
    assert.deepEqual(countKinds(s), { servers: k ** 3 / 4, switches: (5 * k ** 2) / 4, links: (3 * k ** 3) / 4 }, `k = ${k}`);
    for (const a of s.actors.filter((x) => x.kind === "server")) for (const label of ["rack", "row", "zone", "pod"]) assert.ok(a.labels[label], `${a.id} has a ${label} label`);
  }
});

test("topology - leaf-spine has leaves×servers_per_leaf servers and a full leaf-spine mesh", () => {
  const s = generate({ type: "leaf-spine", leaves: 3, spines: 2, servers_per_leaf: 5, layout: { racks_per_row: 2 } });
  assert.deepEqual(countKinds(s), { servers: 15, switches: 5, links: 3 * 5 + 3 * 2 });
  assert.deepEqual([...new Set(s.actors.filter((a) => a.kind === "server").map((a) => a.labels.row))], ["row-0", "row-1"]);
  assert.deepEqual(new Set(s.actors.filter((a) => a.kind === "switch").map((a) => a.group)), new Set(["leaf", "spine"]));
});

test("topology - shortest paths between all server pairs have the textbook hop counts", () => {
  for (const [s, hops] of [
    [generate({ type: "fat-tree", k: 6 }), fatTreeHops],
    [generate({ type: "leaf-spine", leaves: 4, spines: 3, servers_per_leaf: 4 }), leafSpineHops],
  ] as const) {
    const router = new Router(portsByActor(s));
    const servers = s.actors.filter((a) => a.kind === "server");
    for (const a of servers) for (const b of servers) if (a !== b) assert.equal(router.hopCount(a.index, b.index), hops(a, b), `${a.id} -> ${b.id}`);
  }
});

/** Runs a scenario on one in-memory shard with every server replaced by a prober: one packet to every other server. */
function probeAllPairs(s: ResolvedScenario) {
  const arrived: { src: number; dst: number; hops: number }[] = [];
  const forwardedBy = new Map<string, number>();
  const prober: ActorModel<null, null> = {
    kind: "prober",
    initial: (_p, ctx) => (ctx.schedule(0, 1), null),
    onTimer(_s, _tag, _arg, ctx) {
      for (const other of s.actors) {
        if (other.kind !== "server" || other.index === ctx.self.index) continue;
        ctx.send(ctx.createPacket({ dst: other.index, species: Species.SPECIES_REQUEST, sizeBytes: 100 }), ctx.route(other.index));
      }
    },
    onPacket(_s, packet, ctx) {
      arrived.push({ src: packet.src, dst: ctx.self.index, hops: packet.hops });
      ctx.consume(packet);
    },
    queued: () => 0,
  };
  const countingSwitch: ActorModel = {
    ...(switchModel as unknown as ActorModel),
    onPacket(state, packet, ctx) {
      forwardedBy.set(ctx.self.id, (forwardedBy.get(ctx.self.id) ?? 0) + 1);
      (switchModel as unknown as ActorModel).onPacket(state, packet, ctx);
    },
  };
  const shard = new Shard(s, s.actors.map(() => 0), 0, (kind) => (kind === "server" ? (prober as unknown as ActorModel) : kind === "switch" ? countingSwitch : lookupModel(kind)));
  shard.init();
  for (let w = 0, start = shard.nextEventNs(); start >= 0; w++, start = shard.nextEventNs()) shard.runWindow(w, start, start + s.run.quantumNs);
  return { arrived, forwardedBy };
}

test("topology - packets forwarded by the switches reach every server over the expected hops; ECMP uses every core", () => {
  const s = generate({ type: "fat-tree", k: 4 });
  const { arrived, forwardedBy } = probeAllPairs(s);
  const servers = s.actors.filter((a) => a.kind === "server");
  assert.equal(arrived.length, servers.length * (servers.length - 1), "every pair delivered once");
  for (const p of arrived) assert.equal(p.hops, fatTreeHops(s.actors[p.src]!, s.actors[p.dst]!), `${s.actors[p.src]!.id} -> ${s.actors[p.dst]!.id}`);
  // Inter-pod packets cross exactly one core switch: 16 servers × 12 in other pods = 192, 48 per core on average.
  const cores = s.actors.filter((a) => a.group === "core").map((a) => forwardedBy.get(a.id) ?? 0);
  assert.equal(cores.reduce((x, y) => x + y, 0), 192);
  for (const n of cores) assert.ok(n >= 24 && n <= 72, `core loads ${cores.join(", ")} are unbalanced`);

  const ls = generate({ type: "leaf-spine", leaves: 3, spines: 2, servers_per_leaf: 3 });
  const lsRun = probeAllPairs(ls);
  assert.equal(lsRun.arrived.length, 9 * 8);
  for (const p of lsRun.arrived) assert.equal(p.hops, leafSpineHops(ls.actors[p.src]!, ls.actors[p.dst]!));
});

test("topology - explicit actors replace generated ones in place and link to generated switches", () => {
  const s = generate(
    { type: "leaf-spine", leaves: 2, spines: 1, servers_per_leaf: 2 },
    {
      actors: [
        { id: "srv-1-0", kind: "server", group: "db", cores: 8, service: { distribution: "deterministic", value: "1ms" } },
        { id: "users", kind: "client", target: "srv-1-0", arrivals: { process: "poisson", rate_per_s: 10 } },
      ],
      links: [{ a: "users", b: "spine-0", latency: "100us" }],
    },
  );
  const db = s.actors.find((a) => a.id === "srv-1-0")!;
  assert.equal(db.group, "db");
  assert.equal((db.params as { cores: number }).cores, 8);
  assert.equal(db.labels.rack, "rack-1", "generated labels are kept");
  assert.equal(s.actors.at(-1)!.id, "users", "explicit actors come after the generated ones");
  assert.equal(s.actors.filter((a) => a.id === "srv-1-0").length, 1);
  assert.ok(s.links.some((l) => s.actors[l.a]!.id === "users" && s.actors[l.b]!.id === "spine-0"));
});

test("topology - problems name the topology field", () => {
  const problems = (topology: Record<string, unknown>) => {
    try {
      generate(topology);
    } catch (error) {
      assert.ok(error instanceof ScenarioError);
      return error.issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(problems({ type: "fat-tree", k: 3 }), ["topology.k: expected an even whole number of at least 2"]);
  assert.deepEqual(problems({ type: "leaf-spine", leaves: 2, spines: 1, servers_per_leaf: 1, server: { cores: 0, service: serverTemplate.service } }), [
    "topology.server.cores: expected a positive whole number of cores",
  ]);
  assert.match(problems({ type: "torus" })[0]!, /^topology.type: expected "type": one of fat-tree, leaf-spine/);
});
