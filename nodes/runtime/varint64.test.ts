import assert from "node:assert/strict";
import { test } from "node:test";
import $protobuf from "protobufjs/minimal.js";
import { wire } from "./wire.ts"; // installs the fast paths

/** The varint of a 64-bit value (two's complement for negatives), from its definition. */
function varint(value: number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 128n) {
    bytes.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return bytes;
}

const values = [
  0,
  1,
  127,
  128,
  16_383,
  16_384,
  2 ** 21,
  2 ** 28 - 1,
  2 ** 28,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
];

test("varint64 - uint64 and int64 write the varint of their value and read it back", () => {
  for (const value of [...values, -1, -(2 ** 31), -(2 ** 40)]) {
    for (const kind of ["uint64", "int64"] as const) {
      if (kind === "uint64" && value < 0) continue;
      const bytes = $protobuf.Writer.create()[kind](value).finish();
      assert.deepEqual([...bytes], varint(value), `${kind} ${value}`);
      const reader = $protobuf.Reader.create(bytes);
      assert.equal(reader[kind](), value, `${kind} ${value} read back`);
      assert.equal(reader.pos, bytes.length);
    }
  }
});

test("varint64 - a truncated varint is refused, not read as a value", () => {
  assert.throws(() => $protobuf.Reader.create(Uint8Array.of(0x80, 0x80)).uint64());
});

test("varint64 - an interval's packed 64-bit columns round-trip", () => {
  const linkBytes = [0, 300, 2 ** 32, 2 ** 40 + 7];
  const transitionFrom = [-1, 0, 5];
  const bytes = wire.IntervalReport.encode({ interval: 3, linkBytes, transitionFrom }).finish();
  const decoded = wire.IntervalReport.decode(bytes);
  assert.deepEqual(decoded.linkBytes, linkBytes);
  assert.deepEqual(decoded.transitionFrom, transitionFrom);
});

test("varint64 - packed 64-bit columns write the varint of every value, small or not", () => {
  const columns = [[], [0, 1, 127, 128, 2 ** 32 - 1], values, [5, -1, 7], [1, 2 ** 32, 3], [-(2 ** 40), 0]];
  for (const column of columns)
    for (const kind of ["uint64s", "int64s"] as const) {
      if (kind === "uint64s" && column.some((v) => v < 0)) continue;
      const writer = $protobuf.Writer.create() as unknown as Record<typeof kind, (v: number[]) => $protobuf.Writer>;
      const bytes = writer[kind](column).finish();
      const body = column.flatMap(varint);
      assert.deepEqual([...bytes], [...varint(body.length), ...body], `${kind} [${column}]`);
      const typed = ($protobuf.Writer.create() as unknown as Record<typeof kind, (v: Float64Array) => $protobuf.Writer>)
        [kind](Float64Array.from(column))
        .finish();
      assert.deepEqual(typed, bytes, `${kind} [${column}] from a Float64Array`);
    }
});
