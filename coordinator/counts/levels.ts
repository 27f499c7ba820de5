/**
 * Reading the level integrals actors report (nodes/runtime/level-meter.ts: counters `level:<name>` holding
 * level × ns per interval), shared by the results tables and the Prometheus gauges.
 */
import { LEVEL_COUNTER_PREFIX } from "../../nodes/runtime/level-meter.ts";

const STATE_PREFIX = `${LEVEL_COUNTER_PREFIX}state:`;

/** Seconds in each state in one interval, by state name. */
export function stateSeconds(counters: ReadonlyMap<string, number> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, ns] of counters ?? [])
    if (name.startsWith(STATE_PREFIX)) out.set(name.slice(STATE_PREFIX.length), ns / 1e9);
  return out;
}
