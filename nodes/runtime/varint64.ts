/**
 * Faster 64-bit varints for protobufjs, same bytes. Its uint64/int64 writer and reader go through a LongBits object
 * per value, which made the packed 64-bit columns of a window report that closes an interval (link, counter and
 * transition counts: tens of thousands per host) the largest cost of encoding it, and of decoding it in the
 * coordinator. Almost every such value is a small non-negative integer; for those the varint is the one uint32
 * writes and reads, so they take that path, and every other value (negative, 2^32 and above, not a number) the
 * library's own.
 */
import type $protobuf from "protobufjs/minimal.js";

type WriterMethod = (this: $protobuf.Writer, value: number) => $protobuf.Writer;
type ReaderMethod = (this: $protobuf.Reader) => number;
type PackedWriterMethod = (this: $protobuf.Writer, values: ArrayLike<number>) => $protobuf.Writer;

const TWO_POW_32 = 4_294_967_296;

function fastWrite(slow: WriterMethod): WriterMethod {
  return function (this: $protobuf.Writer, value: number) {
    return typeof value === "number" && value >= 0 && value < TWO_POW_32 ? this.uint32(value) : slow.call(this, value);
  };
}

function fastRead(slow: ReaderMethod): ReaderMethod {
  return function (this: $protobuf.Reader) {
    // A varint that ends within 4 bytes is a value below 2^28: the same number as uint32 reads.
    const buf = this.buf;
    let value = 0;
    for (let p = this.pos, shift = 0; shift < 28 && p < this.len; shift += 7) {
      const byte = buf[p++]!;
      value |= (byte & 127) << shift;
      if (byte < 128) {
        this.pos = p;
        return value;
      }
    }
    return slow.call(this);
  };
}

/**
 * The packed form (`uint64s`, `int64s`: the library writes each value through a LongBits there, not through
 * `uint64`): a column whose values are all below 2^32 and not negative is the same bytes as `uint32s` writes.
 */
function fastPackedWrite(slow: PackedWriterMethod): PackedWriterMethod {
  return function (this: $protobuf.Writer, values: ArrayLike<number>) {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (!(typeof value === "number" && value >= 0 && value < TWO_POW_32)) return slow.call(this, values);
    }
    return (this as unknown as Record<"uint32s", PackedWriterMethod>).uint32s.call(this, values);
  };
}

/** Installs the fast paths (once the library is configured: its `configure` sets the reader's methods anew). */
export function fastVarint64(protobuf: typeof $protobuf): void {
  const writer = protobuf.Writer.prototype as unknown as Record<"uint64" | "int64", WriterMethod> &
    Record<"uint64s" | "int64s", PackedWriterMethod>;
  const reader = protobuf.Reader.prototype as unknown as Record<"uint64" | "int64", ReaderMethod>;
  writer.uint64 = fastWrite(writer.uint64);
  writer.int64 = fastWrite(writer.int64);
  writer.uint64s = fastPackedWrite(writer.uint64s);
  writer.int64s = fastPackedWrite(writer.int64s);
  reader.uint64 = fastRead(reader.uint64);
  reader.int64 = fastRead(reader.int64);
}
