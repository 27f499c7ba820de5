/**
 * Careful logs of flux (or count) ratios. The entropy production of one pair of opposite fluxes a, b > 0 is
 * (a − b)·ln(a/b); computing ln a − ln b directly loses all digits when a ≈ b, so we work with
 * x = (a − b)/(a + b) and ln(a/b) = 2·atanh(x), whose series is used near x = 0.
 */

/** Below this |x| the series (a − b)²/((a + b)/2)·(1 + x²/3 + x⁴/5 + x⁶/7) is exact to double precision. */
const SERIES_X = 1e-4;
/** Above this |x| the ratio is at least 3 and ln a − ln b has no cancellation. */
const DIRECT_X = 0.5;

/** ln(a/b) for a, b > 0, accurate when a ≈ b and free of overflow for huge a, b. */
export function logRatio(a: number, b: number): number {
  if (a === b) return 0;
  const x = (a - b) / 2 / (a / 2 + b / 2);
  if (Math.abs(x) < DIRECT_X) return 2 * Math.atanh(x);
  return Math.log(a) - Math.log(b);
}

/**
 * (a − b)·ln(a/b) for a, b > 0: never negative, never NaN. Callers must route a pair with a zero side to their
 * irreversible list (the product would be infinite); for two zeros it is 0.
 */
export function fluxForceProduct(a: number, b: number): number {
  if (a === b) return 0;
  if (a === 0 || b === 0) return Infinity;
  const d = a - b;
  const m = a / 2 + b / 2; // (a + b)/2 without overflow
  const x = d / 2 / m;
  if (Math.abs(x) < SERIES_X) {
    const x2 = x * x;
    return d * (d / m) * (1 + x2 * (1 / 3 + x2 * (1 / 5 + x2 / 7)));
  }
  if (Math.abs(x) < DIRECT_X) return d * 2 * Math.atanh(x);
  return d * (Math.log(a) - Math.log(b));
}
