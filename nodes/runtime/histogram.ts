/**
 * Sparse log-linear histogram of non-negative integers (nanoseconds, bytes, ...), mergeable by adding counts.
 *
 * Values below 2^SUB_BITS get a bucket each; above, every power of two is split into 2^SUB_BITS equal buckets,
 * so a bucket's width is at most 1/16 of its lower bound (percentiles within ~3%). Bucket indices are the same on
 * every host, so merging shard histograms is exact and order-independent.
 */
const SUB_BITS = 4;
const SUB_COUNT = 1 << SUB_BITS;

export function bucketIndex(value: number): number {
  const v = value <= 0 ? 0 : Math.floor(value);
  if (v < SUB_COUNT) return v;
  if (v < 0x1_0000_0000) {
    // The same index by 32-bit integer arithmetic (log2 is exact below 2^32): every recorded value comes here.
    const top = 31 - Math.clz32(v);
    return (top - SUB_BITS + 1) * SUB_COUNT + ((v >>> (top - SUB_BITS)) - SUB_COUNT);
  }
  const exponent = Math.floor(Math.log2(v));
  const shift = exponent - SUB_BITS;
  const sub = Math.floor(v / 2 ** shift) - SUB_COUNT; // top SUB_BITS bits after the leading one
  return (exponent - SUB_BITS + 1) * SUB_COUNT + sub;
}

/** [lower, upper) bounds of a bucket. */
export function bucketBounds(index: number): [number, number] {
  if (index < SUB_COUNT) return [index, index + 1];
  const octave = Math.floor(index / SUB_COUNT) - 1;
  const sub = index % SUB_COUNT;
  const width = 2 ** octave;
  const lower = (SUB_COUNT + sub) * width;
  return [lower, lower + width];
}

export class Histogram {
  readonly counts = new Map<number, number>();

  add(value: number, n = 1): void {
    const i = bucketIndex(value);
    this.counts.set(i, (this.counts.get(i) ?? 0) + n);
  }

  addBucket(index: number, n: number): void {
    this.counts.set(index, (this.counts.get(index) ?? 0) + n);
  }

  merge(other: Histogram): void {
    for (const [i, n] of other.counts) this.addBucket(i, n);
  }

  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }

  /**
   * The q-quantile (0..1) by nearest rank, placed inside its bucket by linear interpolation over the bucket's
   * integers. `min` and `max` (the exact extremes, when known) narrow the first and last buckets, so a quantile
   * never leaves [min, max] and a run of one repeated value gives that value exactly. NaN when empty.
   */
  quantile(q: number, min = 0, max = Number.POSITIVE_INFINITY): number {
    const total = this.total;
    if (total === 0) return Number.NaN;
    const rank = Math.min(total, Math.max(1, Math.ceil(q * total)));
    let seen = 0;
    for (const i of [...this.counts.keys()].sort((a, b) => a - b)) {
      const n = this.counts.get(i)!;
      if (seen + n >= rank) {
        const [lo, hi] = bucketBounds(i);
        const first = Math.max(lo, min);
        const last = Math.max(first, Math.min(hi - 1, max)); // values are integers: the bucket holds lo … hi − 1
        // The rank-th of n values spread evenly over [first, last]: the first value at `first`, the last at `last`.
        // A lone value is exact in the first bucket (it is the minimum) and the last (the maximum).
        if (n > 1) return first + ((rank - seen - 1) / (n - 1)) * (last - first);
        return seen === 0 ? first : seen + n === total ? last : (first + last) / 2;
      }
      seen += n;
    }
    return Math.min(bucketBounds(Math.max(...this.counts.keys()))[1] - 1, max);
  }

  /** Sorted parallel arrays, as they go on the wire. */
  toArrays(): { index: number[]; count: number[] } {
    const index = [...this.counts.keys()].sort((a, b) => a - b);
    return { index, count: index.map((i) => this.counts.get(i)!) };
  }
}
