/**
 * Topology generators: fat-tree (k) and leaf-spine give the textbook numbers of servers, switches and links, and
 * every server reaches every other over the expected number of hops — by shortest paths, and by real packets
 * forwarded hop by hop through the switch model (ECMP), which also spreads inter-pod flows over all core
 * switches. Explicit actors replace generated ones by id and explicit links join generated switches; generated
 * client populations sit in their server's rack or, every n-th, in the rack half the racks away; problems in a
 * template name the topology field.
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
import { validateScenario } from "../coordinator/scenario-loader.ts";

const serverTemplate = { cores: 2, service: { distribution: "exponential", mean: "1ms" } };
const link = { latency: "2us", bandwidth: "10Gbps" };

function generate(
  topology: Record<string, unknown>,
  extra: { actors?: unknown[]; links?: unknown[] } = {},
): ResolvedScenario {
  return validateScenario(
    {
      name: "gen",
      run: { duration: "1s" },
      topology: { server: serverTemplate, server_link: link, fabric_link: link, ...topology },
      ...extra,
    },
    "gen",
  ).scenario;
}

function countKinds(s: ResolvedScenario) {
  return {
    servers: s.actors.filter((a) => a.kind === "server").length,
    switches: s.actors.filter((a) => a.kind === "switch").length,
    links: s.links.length,
  };
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
    assert.deepEqual(
      countKinds(s),
      { servers: k ** 3 / 4, switches: (5 * k ** 2) / 4, links: (3 * k ** 3) / 4 },
      `k = ${k}`,
    );
    for (const a of s.actors.filter((x) => x.kind === "server"))
      for (const label of ["rack", "row", "zone", "pod"]) assert.ok(a.labels[label], `${a.id} has a ${label} label`);
  }
});

test("topology - leaf-spine has leaves×servers_per_leaf servers and a full leaf-spine mesh", () => {
  const s = generate({ type: "leaf-spine", leaves: 3, spines: 2, servers_per_leaf: 5, layout: { racks_per_row: 2 } });
  assert.deepEqual(countKinds(s), { servers: 15, switches: 5, links: 3 * 5 + 3 * 2 });
  assert.deepEqual(
    [...new Set(s.actors.filter((a) => a.kind === "server").map((a) => a.labels.row))],
    ["row-0", "row-1"],
  );
  assert.deepEqual(
    new Set(s.actors.filter((a) => a.kind === "switch").map((a) => a.group)),
    new Set(["leaf", "spine"]),
  );
});

test("topology - shortest paths between all server pairs have the textbook hop counts", () => {
  for (const [s, hops] of [
    [generate({ type: "fat-tree", k: 6 }), fatTreeHops],
    [generate({ type: "leaf-spine", leaves: 4, spines: 3, servers_per_leaf: 4 }), leafSpineHops],
  ] as const) {
    const router = new Router(portsByActor(s));
    const servers = s.actors.filter((a) => a.kind === "server");
    for (const a of servers)
      for (const b of servers)
        if (a !== b) assert.equal(router.hopCount(a.index, b.index), hops(a, b), `${a.id} -> ${b.id}`);
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
        ctx.send(
          ctx.createPacket({ dst: other.index, species: Species.SPECIES_REQUEST, sizeBytes: 100 }),
          ctx.route(other.index),
        );
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
  const shard = new Shard(
    s,
    s.actors.map(() => 0),
    0,
    (kind) =>
      kind === "server" ? (prober as unknown as ActorModel) : kind === "switch" ? countingSwitch : lookupModel(kind),
  );
  shard.init();
  for (let w = 0, start = shard.nextEventNs(); start >= 0; w++, start = shard.nextEventNs())
    shard.runWindow(w, start, start + s.run.quantumNs);
  return { arrived, forwardedBy };
}

test("topology - packets forwarded by the switches reach every server over the expected hops; ECMP uses every core", () => {
  const s = generate({ type: "fat-tree", k: 4 });
  const { arrived, forwardedBy } = probeAllPairs(s);
  const servers = s.actors.filter((a) => a.kind === "server");
  assert.equal(arrived.length, servers.length * (servers.length - 1), "every pair delivered once");
  for (const p of arrived)
    assert.equal(
      p.hops,
      fatTreeHops(s.actors[p.src]!, s.actors[p.dst]!),
      `${s.actors[p.src]!.id} -> ${s.actors[p.dst]!.id}`,
    );
  // Inter-pod packets cross exactly one core switch: 16 servers × 12 in other pods = 192, 48 per core on average.
  const cores = s.actors.filter((a) => a.group === "core").map((a) => forwardedBy.get(a.id) ?? 0);
  assert.equal(
    cores.reduce((x, y) => x + y, 0),
    192,
  );
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
        {
          id: "srv-1-0",
          kind: "server",
          group: "db",
          cores: 8,
          service: { distribution: "deterministic", value: "1ms" },
        },
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
  assert.deepEqual(
    problems({
      type: "leaf-spine",
      leaves: 2,
      spines: 1,
      servers_per_leaf: 1,
      server: { cores: 0, service: serverTemplate.service },
    }),
    ["topology.server.cores: expected a positive whole number of cores"],
  );
  assert.match(problems({ type: "torus" })[0]!, /^topology.type: expected "type": one of fat-tree, leaf-spine/);
});

test("topology - generated clients: one per server, in its rack or every n-th in the rack half the racks away", () => {
  const clients = {
    link: { latency: "2us" },
    remote_every: 3,
    client: { group: "users", arrivals: { process: "poisson", rate_per_s: 100 } },
  };
  const s = generate({
    type: "leaf-spine",
    leaves: 4,
    spines: 2,
    servers_per_leaf: 3,
    layout: { racks_per_row: 2 },
    clients,
  });
  const byId = new Map(s.actors.map((a) => [a.id, a]));
  const generated = s.actors.filter((a) => a.kind === "client");
  assert.equal(generated.length, 12);
  assert.deepEqual(
    s.actors.slice(0, 7).map((a) => a.id),
    ["leaf-0", "srv-0-0", "srv-0-1", "srv-0-2", "clt-0-0", "clt-0-1", "clt-2-2"],
    "a rack's servers, then the clients that sit in it",
  );
  for (const c of generated) {
    const target = (c.params as { target: string }).target;
    assert.equal(c.id, target.replace("srv-", "clt-"));
    assert.equal(c.group, "users");
    const [rack, position] = target.slice(4).split("-").map(Number) as [number, number];
    const sitsIn = position === 2 ? (rack + 2) % 4 : rack;
    assert.equal(c.labels.rack, `rack-${sitsIn}`, `${c.id} sits in rack ${sitsIn}`);
    assert.equal(c.labels.row, byId.get(`leaf-${sitsIn}`)!.labels.row);
    const links = s.links.filter((l) => l.a === c.index || l.b === c.index);
    assert.equal(links.length, 1);
    assert.equal(s.actors[links[0]!.a]!.id, `leaf-${sitsIn}`);
    assert.equal(links[0]!.latencyNs, 2000);
  }
  assert.equal(countKinds(s).links, 4 * 3 + 4 * 2 + 12);

  const problems = (override: Record<string, unknown>) => {
    try {
      generate({ type: "leaf-spine", leaves: 2, spines: 1, servers_per_leaf: 1, clients: { ...clients, ...override } });
    } catch (error) {
      assert.ok(error instanceof ScenarioError);
      return error.issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(problems({ client: { target: "srv-0-0", arrivals: { process: "poisson", rate_per_s: 1 } } }), [
    "topology.clients.client.target: set by the generator: each population targets its own server",
  ]);
  assert.deepEqual(problems({ client: { kind: "server", arrivals: { process: "poisson", rate_per_s: 1 } } }), [
    'topology.clients.client.kind: generated clients are of kind client, got "server"',
  ]);
  assert.deepEqual(problems({ client: { arrivals: { process: "poisson", rate_per_s: -1 } } }).length, 1);
  assert.match(
    problems({ client: { arrivals: { process: "poisson", rate_per_s: -1 } } })[0]!,
    /^topology\.clients\.client\.arrivals/,
  );
  assert.deepEqual(problems({ remote_every: 0 }).length, 1);
  assert.match(problems({ link: {} })[0]!, /^topology\.clients\.link\.latency/);
});
