import assert from "node:assert/strict";
import { test } from "node:test";
import { checkGrant, commandFromWire, tryDecodeWindowSync, wire } from "./wire.ts";

test("wire - another host's report decodes with every field but the intervals", () => {
  const report = wire.WindowReport.create({
    window: 41,
    host: 2,
    nextEventNs: 123_456,
    batchesSentTo: [1, 0, 0, 1],
    counters: { injected: 10, consumed: 4, dropped: 1, queued: 2, inFlightLocal: 3 },
    events: 77,
    malformedMessages: 5,
    addedDelayNs: 9,
    intervals: [{ interval: 3, events: 70, counters: [{ actor: 7, name: "packets_injected", value: 10 }] }],
    startNs: 100_000,
    endNs: 120_000,
    stopSeen: true,
  });
  const bytes = wire.WindowReport.encode(report).finish();
  const full = wire.WindowReport.decode(bytes);
  assert.equal(full.intervals.length, 1);
  const sync = tryDecodeWindowSync(bytes)!;
  const { intervals: _, ...rest } = full;
  for (const [field, value] of Object.entries(rest))
    assert.deepEqual((sync as unknown as Record<string, unknown>)[field], value, field);
  assert.equal(sync.intervals.length, 0);
});

test("wire - bytes that are not a report give undefined", () => {
  assert.equal(tryDecodeWindowSync(Uint8Array.of(0x0a, 0xff, 0xff)), undefined, "a length beyond the end");
  assert.equal(tryDecodeWindowSync(Uint8Array.of(0x07)), undefined, "an invalid wire type");
});

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
