/**
 * The packet pool's ownership rule (nodes/runtime/packet.ts): a packet a model consumed or dropped stays readable
 * until its event returns and is reused after that, never while a queue or a model still holds it; sending,
 * consuming or dropping an ended packet is refused. The example scenarios give the same results with ended packets
 * poisoned (never reused, every field NaN), so no shipped model reads a packet after its end.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { runTwin } from "../coordinator/run.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import type { ActorModel } from "../nodes/runtime/actor.ts";
import { setPacketPoisoning, Species, type SimPacket } from "../nodes/runtime/packet.ts";
import { ModelContractError, Shard } from "../nodes/runtime/shard.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => {
  setPacketPoisoning(false);
  dir.remove();
});

/** Packets alive by the models' own account: created or received, and not yet consumed, dropped or sent on. */
const live = new Set<SimPacket>();
let created = 0;
const objects = new Set<SimPacket>();

function made(packet: SimPacket): SimPacket {
  assert.ok(!live.has(packet), "a packet object handed out while it is still alive");
  live.add(packet);
  objects.add(packet);
  created++;
  return packet;
}

/** Sends a request every 200 µs (twice the round trip) until 400 ms; consumes the responses. */
const pinger: ActorModel<unknown, { target: number }> = {
  kind: "client",
  initial(_params, ctx) {
    ctx.schedule(200_000, 0);
    return { target: ctx.actorIndex("server") };
  },
  onTimer(state, _tag, _arg, ctx) {
    const request = made(ctx.createPacket({ dst: state.target, species: Species.SPECIES_REQUEST, sizeBytes: 100 }));
    live.delete(request); // the network holds it now
    ctx.send(request, ctx.route(state.target));
    if (ctx.nowNs < 400_000_000) ctx.schedule(200_000, 0);
  },
  onPacket(_state, packet, ctx) {
    ctx.consume(packet);
  },
  queued: () => 0,
};

/** How the server breaks the rule, if it does. */
type Misuse = "none" | "send-after-consume" | "consume-twice" | "drop-kept-later";

function echo(misuse: Misuse): ActorModel<unknown, { kept: SimPacket | null }> {
  return {
    kind: "server",
    initial: () => ({ kept: null }),
    onPacket(state, request, ctx) {
      if (misuse === "drop-kept-later" && state.kept !== null) ctx.drop(state.kept, "stale");
      ctx.consume(request);
      // Read after consume, within the event: the rule allows it (answer() in response.ts does this).
      const response = made(
        ctx.createPacket({
          dst: request.src,
          species: Species.SPECIES_RESPONSE,
          sizeBytes: 200,
          flowId: request.flowId,
          flowCreatedNs: request.flowCreatedNs,
        }),
      );
      assert.notEqual(response, request, "a packet consumed in this event is not reused within it");
      assert.equal(response.flowId, request.flowId);
      live.delete(response);
      ctx.send(response, ctx.route(request.src));
      if (misuse === "send-after-consume") ctx.send(request, ctx.route(request.src));
      if (misuse === "consume-twice") ctx.consume(request);
      if (misuse === "drop-kept-later") state.kept = request;
    },
    onTimer: () => {},
    queued: () => 0,
  };
}

function runShard(misuse: Misuse): void {
  const { scenario } = validateScenario(
    queueScenario({ rate: 1, meanServiceMs: 1, cores: 1, durationS: 1, warmupS: 0 }),
    "pool",
  );
  const models = (kind: string): ActorModel => (kind === "client" ? pinger : echo(misuse)) as ActorModel;
  const shard = new Shard(scenario, [0, 0], 0, models);
  shard.init();
  shard.runWindow(1, 0, 500_000_000);
}

test("packet pool - an ended packet is readable until its event returns, then reused, never while alive", () => {
  live.clear();
  objects.clear();
  created = 0;
  runShard("none");
  assert.equal(created, 4000, "2,000 requests and their responses");
  assert.ok(objects.size <= 4, `${objects.size} packet objects for ${created} packets: ended ones are reused`);
});

test("packet pool - sending, consuming or dropping a packet after its end is refused", () => {
  for (const misuse of ["send-after-consume", "consume-twice"] as const)
    assert.throws(
      () => runShard(misuse),
      (e: unknown) => e instanceof ModelContractError && /after it was consumed or dropped/.test(e.message),
      misuse,
    );
  // Kept past its event, the packet is back in the pool (and may be another packet by now); poisoned, it never is.
  setPacketPoisoning(true);
  try {
    assert.throws(
      () => runShard("drop-kept-later"),
      (e: unknown) => e instanceof ModelContractError && /dropped packet after/.test(e.message),
    );
  } finally {
    setPacketPoisoning(false);
  }
});

/** An example scenario, shortened. */
function example(name: string, duration: string) {
  const doc = parse(readFileSync(join(REPO_ROOT, "examples", `${name}.yaml`), "utf8"));
  doc.run = { ...doc.run, duration, warmup: "0s" };
  return validateScenario(doc, name).scenario;
}

test("packet pool - the example scenarios give the same results with ended packets poisoned", async () => {
  const cases = [
    ["tiny-chaos", "20s"],
    ["fat-tree-k8", "300ms"],
    ["gpu-pod", "2s"],
    ["three-tier-leaf-spine", "5s"],
    ["cooling-zone", "20s"],
    ["leap-day", "2h"],
  ] as const;
  let n = 0;
  const summary = async (name: string, duration: string, poisoned: boolean) => {
    setPacketPoisoning(poisoned);
    try {
      const outDir = join(dir.path, `run-${n++}`);
      await runTwin({ scenario: example(name, duration), hosts: 1, transport: "inproc", outDir });
      return readFileSync(join(outDir, "summary.json"), "utf8");
    } finally {
      setPacketPoisoning(false);
    }
  };
  for (const [name, duration] of cases) {
    const pooled = await summary(name, duration, false);
    assert.ok(JSON.parse(pooled).packets.link_hops > 0, `${name} moves packets`);
    assert.equal(await summary(name, duration, true), pooled, `${name}: poisoned ended packets change the results`);
  }
});
