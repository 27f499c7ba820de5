/** Disjoint sets with path halving: spanning forests and connected components. */
export class UnionFind {
  readonly #parent: Int32Array;
  constructor(n: number) {
    this.#parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.#parent[x] !== x) x = this.#parent[x] = this.#parent[this.#parent[x]!]!;
    return x;
  }
  /** False when a and b were already connected. */
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    this.#parent[ra] = rb;
    return true;
  }
}
