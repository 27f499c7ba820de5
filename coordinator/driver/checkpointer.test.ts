/**
 * The checkpointer keeps a set only if every host's snapshot is a host part of this checkpoint format: a snapshot
 * without the header (a host of another dctwin) disables checkpoints with the reason instead of saving it, and so
 * do frames of another checkpoint wire version (naming both versions); malformed frames are counted and dropped.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sealPart } from "../../nodes/runtime/checkpoint-part.ts";
import { checkpointFrames, decodeCheckpointRequest } from "../../nodes/runtime/checkpoint-wire.ts";
import { Checkpointer, type CheckpointSet } from "./checkpointer.ts";

function collect(snapshot: Uint8Array, frames = (atNs: number) => checkpointFrames(atNs, snapshot)) {
  const saved: CheckpointSet[] = [];
  const logs: string[] = [];
  let requested: number | undefined;
  const checkpointer = new Checkpointer({
    everyIntervals: 1,
    minWallMs: 0,
    hostCount: 1,
    intervalNs: 1e9,
    durationNs: 5e9,
    request: (bytes) => {
      const request = decodeCheckpointRequest(bytes);
      requested = request?.kind === "request" ? request.atNs : undefined;
    },
    save: (set) => saved.push(set),
    log: (m) => logs.push(m),
  });
  const atNs = checkpointer.capNs(0.5e9)!;
  assert.equal(requested, atNs);
  for (const frame of frames(atNs)) checkpointer.add(frame, 0);
  checkpointer.complete(atNs, () => sealPart("coordinator", new Uint8Array([1])));
  return { checkpointer, saved, logs };
}

test("checkpointer - a host's sealed snapshot is saved as it came", () => {
  const snapshot = sealPart("host", new Uint8Array(700_000).fill(7)); // two frames
  const { checkpointer, saved } = collect(snapshot);
  assert.equal(checkpointer.disabledReason, undefined);
  assert.deepEqual(Buffer.from(saved[0]!.hosts[0]!), Buffer.from(snapshot));
});

test("checkpointer - a host snapshot without the checkpoint header disables checkpoints, naming the host and why", () => {
  const { checkpointer, saved, logs } = collect(new Uint8Array(100).fill(3));
  assert.equal(saved.length, 0);
  assert.match(
    checkpointer.disabledReason ?? "",
    /^host 0's snapshot is not one this dctwin can resume: it has no dctwin checkpoint header/,
  );
  assert.match(logs.join("\n"), /warning: checkpoints disabled/);
});

test("checkpointer - frames of another checkpoint wire version disable checkpoints, naming both versions", () => {
  const snapshot = sealPart("host", new Uint8Array(10).fill(7));
  const { checkpointer, saved, logs } = collect(snapshot, (atNs) => checkpointFrames(atNs, snapshot, 2));
  assert.equal(saved.length, 0);
  assert.equal(
    checkpointer.disabledReason,
    "host 0 speaks checkpoint wire version 2, this coordinator version 1: run the same dctwin version on the coordinator and every host",
  );
  assert.match(logs.join("\n"), /warning: checkpoints disabled.*wire version 2.*version 1/);
  assert.equal(checkpointer.capNs(2e9), undefined, "no checkpoint is asked for again");
  assert.equal(checkpointer.malformed, 0);
});

test("checkpointer - malformed frames are counted and dropped; the checkpoint completes with the good ones", () => {
  const snapshot = sealPart("host", new Uint8Array(10).fill(7));
  const { checkpointer, saved } = collect(snapshot, (atNs) => {
    const good = checkpointFrames(atNs, snapshot);
    const noMagic = good[0]!.slice();
    noMagic[0] = 0x44;
    return [
      noMagic,
      good[0]!.subarray(0, 12), // the prefix and half a header
      checkpointFrames(atNs + 1e9, snapshot)[0]!, // another boundary than the one asked for
      ...good,
    ];
  });
  assert.equal(checkpointer.malformed, 3);
  assert.equal(checkpointer.disabledReason, undefined);
  assert.equal(saved.length, 1);
});
