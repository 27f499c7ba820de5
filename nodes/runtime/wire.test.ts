import assert from "node:assert/strict";
import { test } from "node:test";
import { checkGrant, commandFromWire, wire } from "./wire.ts";

test("wire - a decoded command is a union of its oneof's cases; a grant with a command of neither is refused", () => {
  const roundTrip = (properties: Parameters<typeof wire.Grant.create>[0]) =>
    wire.Grant.decode(wire.Grant.encode(wire.Grant.create(properties)).finish());
  const grant = roundTrip({
    seq: 1,
    untilNs: 2_000,
    stamps: [
      {
        timeNs: 1_000,
        commands: [
          { seq: 0, link: { link: 2, up: false, latencyNs: 5_000 } },
          { seq: 1, actor: { actor: 3, command: "crash" } },
        ],
      },
    ],
  });
  const checked = checkGrant(grant, 0, 0, 10_000)!;
  const [link, actor] = checked.stamps[0]!.commands;
  // Unset optional link fields stay unset (they keep the link's value); the actor case has every field.
  assert.deepEqual(link, {
    seq: 0,
    link: { link: 2, up: false, latencyNs: 5_000, loss: null, bandwidthBps: null, jitterNs: null },
  });
  assert.deepEqual(actor, { seq: 1, actor: { actor: 3, command: "crash", argsJson: "" } });

  const neither = roundTrip({ seq: 1, untilNs: 2_000, stamps: [{ timeNs: 1_000, commands: [{ seq: 0 }] }] });
  assert.equal(checkGrant(neither, 0, 0, 10_000), undefined, "a command to nothing makes the grant malformed");
  assert.equal(commandFromWire({ seq: 0, link: { link: 1 }, actor: { actor: 1, command: "crash" } }), undefined);
});
