/**
 * Conservation is checked after every window of every run (the driver throws otherwise, so every passing run in
 * this suite obeyed it). Here: a model that loses packets is caught in the first window where it does, and the
 * error names every term of the law.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConservationError } from "../coordinator/counts/conservation.ts";
import { placeActors } from "../coordinator/placement/place.ts";
import { RunDriver } from "../coordinator/driver/run-driver.ts";
import type { ActorModel } from "../nodes/runtime/actor.ts";
import { lookupModel } from "../nodes/models/registry.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { queueScenario } from "./support/scenarios.ts";

/** A server that forgets every 50th request: it neither answers, keeps, consumes nor drops it. */
function leakyServer(): ActorModel<unknown, { seen: number }> {
  return {
    kind: "server",
    initial: () => ({ seen: 0 }),
    onPacket(state, packet, ctx) {
      state.seen++;
      if (state.seen % 50 === 0) return; // the packet vanishes
      ctx.consume(packet);
      const reply = ctx.createPacket({
        dst: packet.src,
        species: 2,
        sizeBytes: 100,
        flowId: packet.flowId,
        flowCreatedNs: packet.flowCreatedNs,
      });
      ctx.send(reply, ctx.route(packet.src));
    },
    onTimer: () => {},
    queued: () => 0,
  };
}

async function runWith(models: (kind: string) => ActorModel, hosts: number) {
  const { scenario } = validateScenario(
    queueScenario({ rate: 1000, meanServiceMs: 0.5, cores: 1, durationS: 1, warmupS: 0 }),
    "leaky",
  );
  const transport = new InProcTransport();
  const driver = new RunDriver({
    transport,
    runId: "leak",
    scenario,
    placement: placeActors(2, hosts),
    hostCount: hosts,
  });
  driver.listen();
  for (let host = 0; host < hosts; host++)
    new HostAgent({ transport, runId: "leak", host, models: () => models }).start();
  return driver.run();
}

test("conservation - a model that loses packets stops the run with the window and every term named", async () => {
  const models = (kind: string) => (kind === "server" ? (leakyServer() as ActorModel) : lookupModel(kind));
  await assert.rejects(runWith(models, 2), (error: unknown) => {
    assert.ok(error instanceof ConservationError);
    assert.match(
      error.message,
      /violated after window \d+ \(t = \d+ ns\): injected \d+ != consumed \d+ \+ dropped \d+ \+ queued \d+ \+ in flight \d+ .*off by -1/,
    );
    return true;
  });
});

test("conservation - the same scenario with the real models holds in every window", async () => {
  const outcome = await runWith(lookupModel, 2);
  const t = outcome.totals;
  assert.equal(t.injected, t.consumed + t.dropped + t.queued + t.inFlight);
  assert.ok(outcome.aggregator.windows > 100);
});
