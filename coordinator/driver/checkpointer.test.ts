/**
 * The checkpointer keeps a set only if every host's snapshot is a host part of this checkpoint format: a snapshot
 * without the header (a host of another dctwin) disables checkpoints with the reason instead of saving it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sealPart } from "../../nodes/runtime/checkpoint-part.ts";
import { checkpointFrames, decodeCheckpointRequest } from "../../nodes/runtime/checkpoint-wire.ts";
import { Checkpointer, type CheckpointSet } from "./checkpointer.ts";

function collect(snapshot: Uint8Array) {
  const saved: CheckpointSet[] = [];
  const logs: string[] = [];
  let requested: number | undefined;
  const checkpointer = new Checkpointer({
    everyIntervals: 1,
    minWallMs: 0,
    hostCount: 1,
    intervalNs: 1e9,
    durationNs: 5e9,
    request: (bytes) => (requested = decodeCheckpointRequest(bytes)),
    save: (set) => saved.push(set),
    log: (m) => logs.push(m),
  });
  const atNs = checkpointer.capNs(0.5e9)!;
  assert.equal(requested, atNs);
  for (const frame of checkpointFrames(atNs, snapshot)) checkpointer.add(frame, 0);
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
