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

/** Installs the fast paths (once the library is configured: its `configure` sets the reader's methods anew). */
export function fastVarint64(protobuf: typeof $protobuf): void {
  const writer = protobuf.Writer.prototype as unknown as Record<"uint64" | "int64", WriterMethod>;
  const reader = protobuf.Reader.prototype as unknown as Record<"uint64" | "int64", ReaderMethod>;
  writer.uint64 = fastWrite(writer.uint64);
  writer.int64 = fastWrite(writer.int64);
  reader.uint64 = fastRead(reader.uint64);
  reader.int64 = fastRead(reader.int64);
}
