/**
 * Dense Gaussian elimination with partial pivoting. O(n³) time and O(n²) memory: fit for models of up to a few
 * hundred states (≈ 0.05 s at 300 states, ≈ 1 s at 1 000); larger or sparse models need a sparse solver.
 */

export class SingularMatrixError extends Error {
  override name = "SingularMatrixError";
}

/** Solves A·x = b for a row-major n×n matrix A. Inputs are left untouched. */
export function solveDense(matrix: Float64Array, rhs: Float64Array, n: number): Float64Array {
  if (matrix.length !== n * n || rhs.length !== n) throw new RangeError(`solveDense: expected ${n}×${n} and ${n}`);
  const a = Float64Array.from(matrix);
  const x = Float64Array.from(rhs);
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  const tiny = scale * n * Number.EPSILON;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    const pv = a[pivot * n + col]!;
    if (!(Math.abs(pv) > tiny)) throw new SingularMatrixError(`matrix is singular at column ${col}`);
    if (pivot !== col) {
      for (let c = col; c < n; c++) {
        const t = a[col * n + c]!;
        a[col * n + c] = a[pivot * n + c]!;
        a[pivot * n + c] = t;
      }
      const t = x[col]!;
      x[col] = x[pivot]!;
      x[pivot] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / pv;
      if (f === 0) continue;
      for (let c = col + 1; c < n; c++) a[r * n + c]! -= f * a[col * n + c]!;
      x[r]! -= f * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r * n + c]! * x[c]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}
