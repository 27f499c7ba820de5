/**
 * The cycle time of a ring all-reduce with random compute times: the long-run mean step, estimated once per job
 * by replaying the ring's own recursion (exact mode's, on an idle network) over many steps with a fixed random
 * stream, so every worker on every host gets the same number. Worker i starts its step when its last one ended,
 * computes a draw of `compute_time`, then sends one chunk per round once it has its predecessor's chunk of the
 * round before; a chunk crosses its segment's hops store-and-forward, each hop a FIFO port (a worker that finds
 * several chunks waiting sends them back to back, and they queue). There is no closed form: the workers drift
 * apart, and the slowest worker's chunks need not cross all 2(N−1) segments before a step ends, so the step is
 * shorter than E[max compute] + 2(N−1) rounds when communication is not negligible.
 */
import type { LinkSpec } from "../runtime/topology.ts";
import { Xoshiro128 } from "../runtime/rng.ts";
import { type Distribution, sampleNs } from "../models/distributions.ts";
import { hopNs, pathLinks } from "./ml-training-paths.ts";

/** Operations (chunk hops) the estimate may take: about 0.1 s of CPU, once per job and process. */
const BUDGET = 20_000_000;
const MAX_STEPS = 20_000;
/** Steps dropped at the start (the workers start together, not in the long-run drift). */
const WARMUP_FRACTION = 0.1;

const cache = new Map<string, number>();

/** Per segment (worker i to i + 1) its hops: wire time and latency. */
type Segments = { serializationNs: number; latencyNs: number }[][];

/** Long-run mean step (ns) of the ring (actor indices) with chunks of `chunkBytes`. */
export function ringCycleNs(
  compute: Distribution,
  ring: readonly number[],
  links: readonly LinkSpec[],
  chunkBytes: number,
): number {
  const segments: Segments = ring.map((from, i) =>
    pathLinks(links, from, ring[(i + 1) % ring.length]!).map((link) => ({
      serializationNs: hopNs(link, chunkBytes) - link.latencyNs,
      latencyNs: link.latencyNs,
    })),
  );
  const key = JSON.stringify([compute, ring, segments]);
  let cycle = cache.get(key);
  if (cycle === undefined) {
    cycle = simulate(compute, ring, segments);
    cache.set(key, cycle);
  }
  return cycle;
}

function simulate(compute: Distribution, ring: readonly number[], paths: Segments): number {
  const n = ring.length;
  const rounds = 2 * (n - 1);
  // Segment i carries worker i's chunks to worker i + 1; each hop is free again at `freeNs`.
  const segments = paths.map((hops) => hops.map((hop) => ({ ...hop, freeNs: 0 })));
  const hops = segments.reduce((s, seg) => s + seg.length, 0);
  const steps = Math.max(100, Math.min(MAX_STEPS, Math.floor(BUDGET / (rounds * hops))));
  const rng = Xoshiro128.seeded(0, `ml-ring-cycle:${ring.join(",")}`);
  const startNs = new Array<number>(n).fill(0);
  const sendNs = new Array<number>(n).fill(0);
  const arriveNs = new Array<number>(n).fill(0);
  const warmup = Math.floor(steps * WARMUP_FRACTION);
  let warmNs = 0;
  for (let k = 0; k < steps; k++) {
    if (k === warmup) warmNs = startNs.reduce((s, t) => s + t, 0) / n;
    for (let i = 0; i < n; i++) sendNs[i] = startNs[i]! + sampleNs(compute, rng);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        let t = sendNs[i]!;
        for (const hop of segments[i]!) {
          t = Math.max(t, hop.freeNs) + hop.serializationNs;
          hop.freeNs = t;
          t += hop.latencyNs;
        }
        arriveNs[(i + 1) % n] = t;
      }
      // The next round's chunk leaves once the predecessor's has arrived; after the last round the step ends.
      for (let i = 0; i < n; i++) sendNs[i] = Math.max(sendNs[i]!, arriveNs[i]!);
    }
    for (let i = 0; i < n; i++) startNs[i] = sendNs[i]!;
  }
  return (startNs.reduce((s, t) => s + t, 0) / n - warmNs) / (steps - warmup);
}
