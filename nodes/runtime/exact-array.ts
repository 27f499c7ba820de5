/**
 * Arrays of exactly their length, for per-actor lists that are made once and then only read or overwritten:
 * `push` and `splice` on a short array leave room for 17 elements (~130 bytes per array) where a handful are
 * used, once per actor. `concat` allocates exactly, and keeps the array packed (no holes to check on reads).
 */

/** `list` with `value` at `at`, in a new array. */
export function inserted<T>(list: readonly T[], at: number, value: T): T[] {
  return list.slice(0, at).concat([value], list.slice(at));
}

/** `list` followed by `fill` up to `length` elements, in a new array (`list` itself if it is that long). */
export function extended<T>(list: T[], length: number, fill: T): T[] {
  return list.length >= length ? list : list.concat(new Array<T>(length - list.length).fill(fill));
}
