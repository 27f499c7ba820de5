/**
 * A map's numeric keys in ascending order, as a typed array (sorted numerically, with no entry pair per key):
 * the results read an interval's link and species-hop maps this way several times as it closes.
 */
export function sortedKeys(map: ReadonlyMap<number, unknown>): Float64Array {
  const keys = new Float64Array(map.size);
  let i = 0;
  for (const key of map.keys()) keys[i++] = key;
  return keys.sort();
}
