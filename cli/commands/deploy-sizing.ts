/**
 * Memory requests and limits of a run's pods, from the benchmark's memory per actor (docs/performance.md,
 * "Sizing pods"): a process costs the Node.js baseline plus a per-actor figure times the actors it holds. The
 * request uses the retained heap per actor (what stays live), the limit twice the peak RSS per actor (garbage not
 * yet collected, allocator slack, a heap larger than the benchmarks'). The coordinator is sized as if it held the
 * whole scenario, an upper bound: with --join it holds the scenario and the metrics, not the actors.
 */
const KIB = 1024;
const MIB = 1024 * KIB;

/** The figures of docs/performance.md ("Sizing pods"); a test keeps the two in step. */
export const SIZING = {
  /** Peak RSS of an in-process run of examples/tiny.yaml (2 actors): Node.js, the loaded modules, a run. */
  baselineBytes: 167 * MIB,
  /** Retained heap per actor, the larger of the benchmark's two scenarios (bench-300). */
  retainedPerActorBytes: 34 * KIB,
  /** Peak RSS per actor, the larger of the benchmark's two scenarios (fat-tree-k8). */
  peakRssPerActorBytes: 205 * KIB,
  /** The limit's factor over baseline + peak RSS. */
  limitFactor: 2,
};

export interface PodMemory {
  /** Kubernetes quantities in Mi. */
  request: string;
  limit: string;
}

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / MIB)}Mi`;
}

/** Memory request and limit of a process that holds `actors` actors. */
export function podMemory(actors: number): PodMemory {
  return {
    request: mebibytes(SIZING.baselineBytes + SIZING.retainedPerActorBytes * actors),
    limit: mebibytes(SIZING.limitFactor * (SIZING.baselineBytes + SIZING.peakRssPerActorBytes * actors)),
  };
}

/** The largest shard of a placement (host index of each actor). */
export function largestShard(hostOf: readonly number[], hosts: number): number {
  const counts = new Array<number>(hosts).fill(0);
  for (const host of hostOf) counts[host]!++;
  return Math.max(...counts);
}
