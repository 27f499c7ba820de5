import assert from "node:assert/strict";
import { test } from "node:test";
import type { ActorModel } from "./actor.ts";
import { newLocalActor } from "./actor-lifecycle.ts";
import { ActorMeters, PORT_POWER } from "./actor-meters.ts";
import { ModelContractError } from "./shard-contract.ts";
import type { LinkSpec } from "./topology.ts";

const link = (index: number, idleW?: number): LinkSpec => ({
  index,
  id: `l${index}`,
  a: 0,
  b: 1,
  latencyNs: 1,
  bandwidthBps: 0,
  loss: 0,
  ...(idleW === undefined ? {} : { idleW }),
});
const actor = (index: number, placedOn?: number) =>
  newLocalActor(
    {
      index,
      id: `a${index}`,
      kind: "k",
      group: "k",
      labels: {},
      params: {},
      ...(placedOn === undefined ? {} : { placedOn }),
    },
    {} as ActorModel,
    1,
    [
      { link: 0, neighbor: 9, reverse: false },
      { link: 1, neighbor: 9, reverse: false },
      { link: 2, neighbor: 9, reverse: false },
    ],
  );

test("actor meters - created on first use and listed in that order; bad readings are refused", () => {
  const meters = new ActorMeters();
  const [a, b] = [actor(0), actor(1)];
  meters.setLevel(b, "busy", 2, 0);
  meters.setPower(b, "cpu", 10, 0);
  meters.addEnergy(a, "cpu", 3);
  meters.setPower(b, "cpu", 20, 5);
  assert.deepEqual(meters.powered, [b, a]);
  assert.deepEqual(meters.levelled, [b]);
  assert.throws(() => meters.setPower(a, "cpu", -1, 0), ModelContractError);
  assert.throws(() => meters.addEnergy(a, "cpu", Number.NaN), ModelContractError);
  assert.throws(() => meters.setLevel(a, "busy", 1.5, 0), ModelContractError);
  b.power!.accrue(1e9);
  assert.deepEqual(b.power!.drain(), [["cpu", 10 * 5e-9 + 20 * (1 - 5e-9)]]);
});

test("actor meters - ports draw their links' idle power; a component's ports are its server's", () => {
  const meters = new ActorMeters();
  const links = [link(0, 1.5), link(1), link(2, 2.5)];
  const server = actor(0);
  const component = actor(1, 0);
  meters.powerPorts(server, links);
  meters.powerPorts(component, links);
  assert.deepEqual(meters.powered, [server]);
  server.power!.accrue(2e9);
  assert.deepEqual(server.power!.drain(), [[PORT_POWER, 8]], "4 W for 2 s");
  const unpowered = new ActorMeters();
  unpowered.powerPorts(actor(2), [link(0), link(1), link(2)]);
  assert.deepEqual(unpowered.powered, [], "no powered link: no meter");
});
