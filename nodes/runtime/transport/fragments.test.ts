import assert from "node:assert/strict";
import { test } from "node:test";
import { Fragmenter, Reassembler } from "./fragments.ts";

const payload = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) % 251);

test("fragments - a payload that fits is sent as it is", () => {
  assert.equal(new Fragmenter().split(payload, payload.length), null);
});

test("fragments - pieces under max_payload, put back together whole, once, on the last piece", () => {
  const pieces = new Fragmenter().split(payload, 3_000)!;
  assert.equal(pieces.length, Math.ceil(payload.length / (3_000 - 1024)));
  assert.ok(pieces.every((p) => p.data.length <= 3_000 - 1024));
  const r = new Reassembler();
  const out = pieces.map((p) => r.add(p.header, p.data));
  assert.deepEqual(out.slice(0, -1), new Array(pieces.length - 1).fill(null));
  assert.deepEqual(out.at(-1), payload);
  assert.equal(r.malformed, 0);
});

test("fragments - interleaved messages of two senders on one subject are told apart", () => {
  const a = new Fragmenter().split(payload, 3_000)!;
  const other = payload.map((b) => 255 - b);
  const b = new Fragmenter().split(other, 4_000)!;
  const r = new Reassembler();
  const whole: Uint8Array[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    for (const p of [a[i], b[i]]) {
      const m = p === undefined ? null : r.add(p.header, p.data);
      if (m !== null) whole.push(m);
    }
  }
  assert.equal(whole.length, 2);
  assert.deepEqual(
    whole.find((m) => m[0] === payload[0]),
    payload,
  );
  assert.deepEqual(
    whole.find((m) => m[0] === other[0]),
    other,
  );
});

test("fragments - pieces out of order, of a wrong count or with a bad header are counted and dropped", () => {
  const pieces = new Fragmenter().split(payload, 3_000)!;
  const r = new Reassembler();
  assert.equal(r.add(pieces[1]!.header, pieces[1]!.data), null, "a message that starts with its second piece");
  assert.equal(r.add("not a fragment header", payload), null);
  assert.equal(r.add(pieces[0]!.header.replace(/\/\d+$/, "/1"), payload), null, "a count below 2");
  assert.equal(r.malformed, 3);
  // A complete message afterwards still goes through.
  const again = new Fragmenter().split(payload, 3_000)!;
  assert.deepEqual(again.map((p) => r.add(p.header, p.data)).at(-1), payload);
});

test("fragments - pieces are copied (a connection may reuse its receive buffer)", () => {
  const pieces = new Fragmenter().split(payload, 3_000)!;
  const r = new Reassembler();
  let whole: Uint8Array | null = null;
  for (const p of pieces) {
    const buffer = Uint8Array.from(p.data);
    whole = r.add(p.header, buffer);
    buffer.fill(0);
  }
  assert.deepEqual(whole, payload);
});
