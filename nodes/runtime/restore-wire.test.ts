import assert from "node:assert/strict";
import { test } from "node:test";
import { HostAgent } from "./host-agent.ts";
import { RESTORE_CHUNK_BYTES, RestoreAssembler, restoreFrames } from "./restore-wire.ts";
import { InProcTransport } from "./transport/inproc.ts";
import { subjects } from "./transport/transport.ts";
import { tryDecode, wire } from "./wire.ts";

/** A snapshot of 2.5 chunks of deterministic, non-repeating bytes. */
function snapshot(bytes = Math.floor(2.5 * RESTORE_CHUNK_BYTES)): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = 7;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

test("restore wire - a snapshot in chunks, in any order, comes out byte for byte once every chunk is in", () => {
  const bytes = snapshot();
  const frames = restoreFrames(5e8, bytes);
  assert.equal(frames.length, 3);
  assert.ok(
    frames.every((f) => f.byteLength <= RESTORE_CHUNK_BYTES + 64),
    "each frame fits a 1 MiB NATS payload",
  );
  const assembler = new RestoreAssembler();
  assert.equal(assembler.add(frames[2]!).kind, "pending");
  assert.equal(assembler.add(frames[0]!).kind, "pending");
  const last = assembler.add(frames[1]!);
  assert.equal(last.kind, "complete");
  assert.equal(last.kind === "complete" && last.atNs, 5e8);
  assert.deepEqual(last.kind === "complete" && new Uint8Array(last.snapshot), bytes);
  assert.equal(assembler.refused, 0);
  // An empty snapshot is one frame.
  const empty = new RestoreAssembler().add(restoreFrames(1, new Uint8Array(0))[0]!);
  assert.equal(empty.kind, "complete");
});

test("restore wire - a corrupted chunk fails the SHA-256 check; truncated, duplicated and garbage frames are refused and counted", () => {
  const bytes = snapshot();
  const frames = restoreFrames(5e8, bytes);

  const corrupted = frames.map((f) => f.slice());
  corrupted[1]![100] = corrupted[1]![100]! ^ 0xff; // one bit pattern flipped in the chunk, headers intact
  const a = new RestoreAssembler();
  a.add(corrupted[0]!);
  a.add(corrupted[1]!);
  const result = a.add(corrupted[2]!);
  assert.deepEqual(result, {
    kind: "refused",
    reason: "its SHA-256 does not match (a chunk was corrupted on the way)",
    whole: true,
  });
  assert.equal(a.refused, 1);

  const b = new RestoreAssembler();
  const truncated = b.add(frames[0]!.subarray(0, frames[0]!.byteLength - 10));
  assert.equal(truncated.kind, "refused");
  assert.match(truncated.kind === "refused" ? truncated.reason : "", /chunk 0 has \d+ bytes where 524288 belong/);
  assert.equal(b.add(frames[0]!).kind, "pending");
  const twice = b.add(frames[0]!);
  assert.deepEqual(twice, { kind: "refused", reason: "chunk 0 came twice", whole: false });
  for (const garbage of [new Uint8Array(3), new Uint8Array(200).fill(0xff), new Uint8Array(52)])
    assert.equal(b.add(garbage).kind, "refused");
  assert.equal(b.refused, 5);
  // The set in progress survives the garbage and completes.
  b.add(frames[1]!);
  assert.equal(b.add(frames[2]!).kind, "complete");

  // A set left incomplete is dropped (and counted) when another set starts.
  const c = new RestoreAssembler();
  c.add(frames[0]!);
  const other = restoreFrames(1e9, snapshot(10));
  assert.equal(c.add(other[0]!).kind, "complete");
  assert.equal(c.refused, 1);
});

test("restore wire - a host refuses a corrupted snapshot: counted, reported to the coordinator with the reason, no crash", async () => {
  const transport = new InProcTransport();
  const runId = "restore-refused";
  const s = subjects(runId);
  const errors: string[] = [];
  transport.subscribe(s.error(0), (bytes) => errors.push(tryDecode(wire.HostError, bytes)?.message ?? "?"));
  const agent = new HostAgent({
    transport,
    runId,
    host: 0,
    models: () => () => {
      throw new Error("no model is needed: the snapshot never decodes");
    },
    helloIntervalMs: 60_000,
  });
  agent.start();
  const frames = restoreFrames(5e8, snapshot()).map((f) => f.slice());
  const last = frames[2]!;
  last[last.byteLength - 1] = last[last.byteLength - 1]! ^ 1;
  transport.publish(s.restore(0), new Uint8Array(5)); // undecodable: counted only
  for (const frame of frames) transport.publish(s.restore(0), frame);
  transport.publish(s.restore(1), frames[0]!); // another host's subject: not this host's business
  await transport.flush();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(errors, ["its snapshot was refused: its SHA-256 does not match (a chunk was corrupted on the way)"]);
  assert.equal(agent.malformedMessages, 2);
  transport.publish(s.stop, wire.RunStop.encode({ reason: "test over" }).finish());
  assert.equal(await agent.finished, "test over");
  assert.equal(agent.rejoin, false);
  await transport.close();
});
