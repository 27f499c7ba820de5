/**
 * The header of a checkpoint part: a sealed snapshot opens to the same bytes; a part of another format, of another
 * kind, without the header (as format 1 wrote them), truncated, padded or corrupted is refused with a reason.
 * And the state-pair table is written with its counts cut to their used length, restoring to the same counts.
 */
import assert from "node:assert/strict";
import { serialize } from "node:v8";
import { test } from "node:test";
import { CHECKPOINT_FORMAT, CheckpointPartError, openPart, sealPart } from "./checkpoint-part.ts";
import { TransitionWriter } from "./interval-columns.ts";
import { decodeSnapshot, encodeSnapshot, registerSnapshotClasses } from "./snapshot-codec.ts";
import { StatePairTable } from "./state-pairs.ts";

const body = serialize({ some: "state", values: new Float64Array([1, 2, 3]) });

const refused = (bytes: Uint8Array, reason: RegExp, kind: "host" | "coordinator" = "host") =>
  assert.throws(
    () => openPart(kind, bytes),
    (error: unknown) => error instanceof CheckpointPartError && reason.test(error.message),
  );

test("checkpoint part - sealed and opened, the snapshot is the same bytes", () => {
  const part = sealPart("host", body);
  assert.equal(part.byteLength, body.byteLength + 24);
  assert.deepEqual(Buffer.from(openPart("host", part)), Buffer.from(body));
  assert.equal(openPart("control", sealPart("control", new Uint8Array(0))).byteLength, 0);
});

test("checkpoint part - another format, kind, no header, truncated, padded or corrupted is refused", () => {
  const part = sealPart("host", body);
  const otherFormat = part.slice();
  new DataView(otherFormat.buffer).setUint32(8, CHECKPOINT_FORMAT + 1, true);
  refused(
    otherFormat,
    new RegExp(`checkpoint format ${CHECKPOINT_FORMAT + 1}, this dctwin reads format ${CHECKPOINT_FORMAT}`),
  );
  assert.throws(
    () => openPart("host", otherFormat),
    (error: unknown) => (error as CheckpointPartError).format === CHECKPOINT_FORMAT + 1,
  );
  refused(part, /it is a host part, not a coordinator part/, "coordinator");
  refused(body, /no dctwin checkpoint header: written by a dctwin of checkpoint format 1/);
  refused(new Uint8Array(0), /it is empty/);
  refused(
    part.subarray(0, part.byteLength - 5),
    new RegExp(`truncated: ${body.byteLength - 5} of its ${body.byteLength}`),
  );
  refused(Buffer.concat([part, new Uint8Array(3)]), /3 bytes too many/);
  const corrupted = part.slice();
  corrupted[30]! ^= 0x10;
  refused(corrupted, /corrupted: its CRC-32 does not match/);
});

registerSnapshotClasses({ StatePairTable });

function drain(table: StatePairTable) {
  const out = new TransitionWriter(4);
  table.drainTo(out, [0, 1], ["busy", "queue"]);
  const d = out.finish();
  return {
    ...d,
    actor: [...d.actor],
    mechanism: [...d.mechanism],
    fromState: [...d.fromState],
    toState: [...d.toState],
    count: [...d.count],
  };
}

test("state pairs - a checkpoint keeps the counts' used length, and the restored table counts on the same", () => {
  const table = new StatePairTable();
  const counts = () => (table as unknown as { counts: Float64Array }).counts;
  for (let actor = 0; actor < 3; actor++) table.add(actor, 1, 2, 3, actor + 1);
  table.add(1, 0, 5000, 4999, 2); // a pair kept apart from the dense runs
  const used = (table as unknown as { countsEnd: number }).countsEnd;
  assert.ok(used > 0 && used < counts().length, `${used} of ${counts().length} doubles in use`);
  const restored = decodeSnapshot<StatePairTable>(encodeSnapshot(table, new Map()), new Map());
  assert.equal((restored as unknown as { counts: Float64Array }).counts.length, used);
  assert.equal(counts().length, 4096, "the live table keeps its capacity");
  for (const t of [table, restored]) {
    t.add(2, 1, 3, 2, 4);
    for (let s = 0; s < 200; s++) t.add(7, 0, s, s + 1, 1); // grows the restored table's counts past their cut
  }
  assert.deepEqual(drain(restored), drain(table));
});
