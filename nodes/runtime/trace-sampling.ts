/**
 * Which flows are traced, decided by a hash of (run seed, source actor, packet id) rather than by a random draw,
 * so sampling never shifts an actor's random stream: a traced run gives the same results as an untraced one.
 * Trace and span ids derive from the same hash, so the same run yields the same trace ids.
 */
import { mix32 } from "./rng.ts";

function words(seed: number, src: number, id: number, n: number): number[] {
  let x = mix32(
    (seed >>> 0) ^ mix32(Math.floor(seed / 2 ** 32) ^ mix32(src ^ mix32((id >>> 0) ^ mix32(Math.floor(id / 2 ** 32))))),
  );
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = mix32((x + 0x9e3779b9) >>> 0);
    out.push(x);
  }
  return out;
}

const hex = (w: number) => w.toString(16).padStart(8, "0");

/** The W3C traceparent of a new flow, or "" when the flow is not sampled. */
export function sampleTraceparent(ratio: number, seed: number, src: number, id: number): string {
  if (ratio <= 0) return "";
  const w = words(seed, src, id, 7);
  if (ratio < 1 && w[0]! / 2 ** 32 >= ratio) return "";
  return `00-${hex(w[1]!)}${hex(w[2]!)}${hex(w[3]!)}${hex(w[4]! | 1)}-${hex(w[5]!)}${hex(w[6]! | 1)}-01`;
}
