/**
 * Text written as UTF-8 bytes into one growing buffer, for the rows the results append every interval (tens of
 * thousands on a large scenario). Joining that many small strings makes a tree of string pieces that has to be
 * flattened again when it is written (about as long as building it); bytes are written once. Numbers print as
 * JavaScript prints them (`${v}`), integers in 32-bit range without making a string.
 */
const SHORT = 64; // strings up to this length are copied char by char; longer ones by the UTF-8 encoder

export class TextBuffer {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private length = 0;

  /** Appends `s` as UTF-8. */
  text(s: string): this {
    const n = s.length;
    this.reserve(3 * n);
    if (n > SHORT) {
      this.length += this.bytes.write(s, this.length, "utf8");
      return this;
    }
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.length += bytes.write(s, this.length, "utf8"); // not ASCII: from the start again, by the encoder
        return this;
      }
      bytes[at++] = c;
    }
    this.length = at;
    return this;
  }

  /** Appends bytes `from` to `to` of `piece` (text encoded once by `encoded`, written for many rows). */
  piece(piece: Uint8Array, from = 0, to = piece.length): this {
    const n = to - from;
    this.reserve(n);
    // A whole piece of more than a dozen bytes (a row's keys, a name's cells) by one block copy: a byte loop over
    // tens of thousands of rows an interval was the bulk of writing intervals.jsonl. Shorter ones, and parts of a
    // piece (no view made for them), byte by byte, cheaper than the call.
    if (n > 12 && from === 0 && to === piece.length) {
      this.bytes.set(piece, this.length);
      this.length += n;
      return this;
    }
    const bytes = this.bytes;
    const at = this.length - from;
    for (let i = from; i < to; i++) bytes[at + i] = piece[i]!;
    this.length += n;
    return this;
  }

  /** Appends `v` as `${v}` prints it (-0 as 0, NaN, Infinity). */
  number(v: number): this {
    if (v !== (v | 0)) return this.text(`${v}`);
    this.reserve(11);
    let n = v | 0;
    if (n < 0) {
      if (n === -2147483648) return this.text(`${v}`);
      this.bytes[this.length++] = 0x2d; // -
      n = -n;
    }
    let at = this.length + digitCount(n);
    this.length = at;
    do {
      const q = (n / 10) | 0;
      this.bytes[--at] = 0x30 + n - q * 10;
      n = q;
    } while (n > 0);
    return this;
  }

  /** Appends `v` as JSON prints it: as `number`, but null when not finite. */
  jsonNumber(v: number): this {
    return Number.isFinite(v) ? this.number(v) : this.text("null");
  }

  /** The bytes written since the last `take`, which start again (valid until the next write). */
  take(): Buffer {
    const out = this.bytes.subarray(0, this.length);
    this.length = 0;
    return out;
  }

  /** Text as the UTF-8 bytes `piece` appends. */
  static encoded(s: string): Uint8Array {
    return Buffer.from(s, "utf8");
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + n));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

/** Decimal digits of a non-negative int32, by comparisons (a division per digit cost as much as writing them). */
function digitCount(n: number): number {
  if (n < 100_000) return n < 100 ? (n < 10 ? 1 : 2) : n < 1_000 ? 3 : n < 10_000 ? 4 : 5;
  return n < 10_000_000 ? (n < 1_000_000 ? 6 : 7) : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
}
