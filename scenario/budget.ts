/**
 * Size checks on a resolved scenario, before anything runs: actor and link counts, metrics intervals per run, and
 * a coarse memory estimate compared with what this Node.js process may allocate. The estimate is an upper bound
 * per item (actors, links, model slots such as cores and users, interval records), not a measurement; it exists
 * so that a scenario that cannot fit fails at once with the reason, instead of as an out-of-memory crash later.
 */
import { getHeapStatistics } from "node:v8";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import type { ValidationIssue } from "./issues.ts";
import { formatCount, MAX_ACTORS, MAX_INTERVALS, MAX_LINKS } from "../spec/limits.ts";

const MIB = 1024 * 1024;
/**
 * Bytes per item. Built shards measured 7–9 KiB of heap per actor (fat-tree-k8, bench-300, links included); the
 * actor cost is set at 32 KiB to leave room for run-time state (queues, pending events). The slot and interval
 * costs are generous guesses, not measurements.
 */
export const MEMORY_COST = {
  base: 64 * MIB,
  actor: 32 * 1024,
  link: 4 * 1024,
  /** A core, user, service slot, GPU or batch slot: each holds its own state. */
  slot: 1024,
  /** An interval record: a fixed part plus a share per actor and link (energy, transitions, link counts). */
  interval: 4 * 1024,
  intervalPerEntity: 64,
};
const SLOT_FIELDS = new Set(["cores", "users", "concurrency", "count", "max_size", "units"]);

export interface MemoryEstimate {
  bytes: number;
  /** The largest contributor, for the message. */
  largest: { what: string; bytes: number };
}

export function estimateMemory(scenario: ResolvedScenario): MemoryEstimate {
  const run = scenario.run;
  const intervals = Math.ceil(run.durationNs / run.metricsIntervalNs);
  const slots = scenario.actors.reduce((s, a) => s + countSlots(a.params), 0);
  const parts: [string, number][] = [
    ["actors", scenario.actors.length * MEMORY_COST.actor],
    ["links", scenario.links.length * MEMORY_COST.link],
    ["cores, users and other model slots", slots * MEMORY_COST.slot],
    [
      "metrics intervals",
      intervals *
        (MEMORY_COST.interval + MEMORY_COST.intervalPerEntity * (scenario.actors.length + 2 * scenario.links.length)),
    ],
  ];
  const [what, bytes] = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { bytes: MEMORY_COST.base + parts.reduce((s, [, b]) => s + b, 0), largest: { what, bytes } };
}

/** Sums whole-number slot fields (cores, users, ...) anywhere in an actor's parameters. */
function countSlots(value: unknown, depth = 0): number {
  if (typeof value !== "object" || value === null || depth > 8) return 0;
  let n = 0;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "number" && SLOT_FIELDS.has(key) && Number.isFinite(v)) n += v;
    else if (typeof v === "object") n += countSlots(v, depth + 1);
  }
  return n;
}

export function checkScenarioSize(
  scenario: ResolvedScenario,
  issues: ValidationIssue[],
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): void {
  const before = issues.length;
  if (scenario.actors.length > MAX_ACTORS)
    issues.push({
      path: "actors",
      message: `${formatCount(scenario.actors.length)} actors; a scenario may have at most ${formatCount(MAX_ACTORS)}`,
    });
  if (scenario.links.length > MAX_LINKS)
    issues.push({
      path: "links",
      message: `${formatCount(scenario.links.length)} links; a scenario may have at most ${formatCount(MAX_LINKS)}`,
    });
  const intervals = Math.ceil(scenario.run.durationNs / scenario.run.metricsIntervalNs);
  if (intervals > MAX_INTERVALS) {
    issues.push({
      path: "run.metrics_interval",
      message: `run.duration / run.metrics_interval gives ${formatCount(intervals)} metrics intervals; a run may have at most ${formatCount(MAX_INTERVALS)} (use a longer interval)`,
    });
  }
  if (issues.length > before) return;
  const estimate = estimateMemory(scenario);
  if (estimate.bytes > heapLimitBytes) {
    issues.push({
      path: "",
      message: `the scenario needs an estimated ${gib(estimate.bytes)} of memory (most for ${estimate.largest.what}: ${gib(estimate.largest.bytes)}), more than the ${gib(heapLimitBytes)} this process may use; make it smaller or raise the limit (NODE_OPTIONS=--max-old-space-size=MiB)`,
    });
  }
}

function gib(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / (1024 * MIB)).toFixed(1)} GiB` : `${Math.ceil(bytes / MIB)} MiB`;
}
