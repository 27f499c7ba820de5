import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CHECKPOINT_CHUNK_BYTES,
  CHECKPOINT_WIRE_VERSION,
  checkpointFrames,
  decodeCheckpointFrame,
  decodeCheckpointRequest,
  encodeCheckpointRequest,
} from "./checkpoint-wire.ts";

test("checkpoint wire - requests and frames start with the magic and version and read back", () => {
  const request = encodeCheckpointRequest(2.5e9);
  assert.equal(new TextDecoder().decode(request.subarray(0, 4)), "dcck");
  assert.equal(new DataView(request.buffer).getUint32(4, true), CHECKPOINT_WIRE_VERSION);
  assert.deepEqual(decodeCheckpointRequest(request), { kind: "request", atNs: 2.5e9 });

  const snapshot = new Uint8Array(CHECKPOINT_CHUNK_BYTES + 10).map((_, i) => i % 251);
  const frames = checkpointFrames(2.5e9, snapshot).map(decodeCheckpointFrame);
  assert.deepEqual(
    frames.map((f) => f?.kind === "frame" && [f.atNs, f.index, f.count, f.chunk.byteLength]),
    [
      [2.5e9, 0, 2, CHECKPOINT_CHUNK_BYTES],
      [2.5e9, 1, 2, 10],
    ],
  );
  const chunks = frames.map((f) => (f?.kind === "frame" ? f.chunk : new Uint8Array()));
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(snapshot));
  const refusal = decodeCheckpointFrame(checkpointFrames(1e9, new Error("not plain data"))[0]!);
  assert.ok(refusal?.kind === "frame" && refusal.count === 0);
  assert.equal(new TextDecoder().decode(refusal.chunk), "not plain data");
});

test("checkpoint wire - another version is read as far as its version; anything else malformed", () => {
  assert.deepEqual(decodeCheckpointRequest(encodeCheckpointRequest(1e9, 7)), { kind: "other-version", version: 7 });
  // A later version may lay out the rest otherwise: only the prefix is read.
  const longer = new Uint8Array(40);
  longer.set(encodeCheckpointRequest(1e9, 2).subarray(0, 8));
  assert.deepEqual(decodeCheckpointRequest(longer), { kind: "other-version", version: 2 });
  assert.deepEqual(decodeCheckpointFrame(checkpointFrames(1e9, new Uint8Array(3), 3)[0]!), {
    kind: "other-version",
    version: 3,
  });

  const request = encodeCheckpointRequest(1e9);
  const unversioned = new Uint8Array(8);
  new DataView(unversioned.buffer).setFloat64(0, 1e9, true); // the request before versions
  const badMagic = request.slice();
  badMagic[3] = 0;
  const notTime = encodeCheckpointRequest(1.5);
  for (const [what, bytes] of Object.entries({ unversioned, badMagic, notTime, short: request.subarray(0, 12) }))
    assert.equal(decodeCheckpointRequest(bytes), undefined, what);

  const frame = checkpointFrames(1e9, new Uint8Array(5))[0]!;
  const indexPastCount = frame.slice();
  new DataView(indexPastCount.buffer).setUint32(16, 1, true);
  for (const [what, bytes] of Object.entries({
    empty: new Uint8Array(0),
    header: frame.subarray(0, 20),
    indexPastCount,
    prefixOnly: frame.subarray(0, 8),
  }))
    assert.equal(decodeCheckpointFrame(bytes), undefined, what);
});
