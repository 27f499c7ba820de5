import assert from "node:assert/strict";
import { test } from "node:test";
import { IntervalLedger } from "./interval-ledger.ts";
import { checkGrant, commandFromWire, toWireInterval, wire } from "./wire.ts";

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

test("wire - an interval drained as typed columns (transitions, counters, links) encodes to the same bytes as the same numbers in arrays", () => {
  const ledger = new IntervalLedger();
  for (let actor = 0; actor < 40; actor++) {
    ledger.transition(actor, actor % 3 === 0 ? "service" : "arrival", actor % 5, (actor % 5) + 1, 1 + (actor % 2));
    ledger.transition(actor, "arrival", 2 ** 40, 0.5); // a pair outside the dense counts
    ledger.count(actor, "requests", 3 * actor);
    ledger.countInOrder(actor, "level:busy", 2 ** 33 + actor);
    ledger.energyInOrder(actor, "cpu", actor / 7);
    ledger.countLink(actor * 3, 1_500, actor % 4 === 0, actor % 3, 1 + (actor % 2));
  }
  const report = toWireInterval(ledger.drain(5));
  assert.ok(ArrayBuffer.isView(report.transitionFrom) && ArrayBuffer.isView(report.linkBytes));
  const plain = Object.fromEntries(
    Object.entries(report).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v]),
  );
  assert.equal((plain.transitionActor as number[]).length, 80);
  const bytes = (r: object) => Buffer.from(wire.IntervalReport.encode(wire.IntervalReport.create(r)).finish());
  assert.deepEqual(bytes(report), bytes(plain));
  const decoded = wire.IntervalReport.decode(bytes(report));
  assert.deepEqual(decoded.counterValue.map(Number), plain.counterValue);
  assert.deepEqual(decoded.transitionFrom, plain.transitionFrom);
  assert.deepEqual(decoded.linkDirection, plain.linkDirection);
  assert.equal(decoded.linkDirection.length, 40);
});
