/**
 * Per-interval series as tidy CSV (one observation per row), ready for pandas or R:
 * - timeseries.csv: t_start_s, t_end_s, metric, group, count, sum, mean, p50, p99 — model metrics, plus the
 *   runtime's own `events` and `dropped_packets` (group = "run" or the drop reason);
 * - links.csv: t_start_s, t_end_s, link, direction, packets, bytes, lost_packets — only non-zero rows.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { RunAggregator } from "../counts/aggregate.ts";

export function metricsCsv(aggregator: RunAggregator, endNs: number): string {
  const rows = ["t_start_s,t_end_s,metric,group,count,sum,mean,p50,p99"];
  for (const interval of aggregator.intervalList(endNs)) {
    const [t0, t1] = bounds(interval.index, aggregator.intervalNs);
    rows.push(`${t0},${t1},events,run,${interval.events},${interval.events},,,`);
    for (const [reason, n] of [...interval.drops].sort(([a], [b]) => (a < b ? -1 : 1))) rows.push(`${t0},${t1},dropped_packets,${reason},${n},${n},,,`);
    const metrics = [...interval.metrics.values()].sort((a, b) => (a.name === b.name ? (a.group < b.group ? -1 : 1) : a.name < b.name ? -1 : 1));
    for (const m of metrics) {
      // Divided, not multiplied by 1e-9: 30e9 ns / 1e9 is exactly 30 s.
      const divisor = m.name.endsWith("_ns") ? 1e9 : 1;
      const name = m.name.endsWith("_ns") ? `${m.name.slice(0, -3)}_s` : m.name;
      const mean = m.count > 0 ? m.sum / m.count / divisor : "";
      const p50 = m.count > 0 ? m.histogram.quantile(0.5, m.min, m.max) / divisor : "";
      const p99 = m.count > 0 ? m.histogram.quantile(0.99, m.min, m.max) / divisor : "";
      rows.push(`${t0},${t1},${name},${m.group},${m.count},${m.sum / divisor},${mean},${p50},${p99}`);
    }
  }
  return rows.join("\n") + "\n";
}

export function linksCsv(aggregator: RunAggregator, scenario: ResolvedScenario, endNs: number): string {
  const rows = ["t_start_s,t_end_s,link,direction,packets,bytes,lost_packets"];
  for (const interval of aggregator.intervalList(endNs)) {
    const [t0, t1] = bounds(interval.index, aggregator.intervalNs);
    for (const [key, t] of [...interval.links].sort(([a], [b]) => a - b)) {
      const link = scenario.links[key >> 1]!;
      const [from, to] = (key & 1) === 0 ? [link.a, link.b] : [link.b, link.a];
      rows.push(`${t0},${t1},${link.id},${scenario.actors[from]!.id}->${scenario.actors[to]!.id},${t.packets},${t.bytes},${t.lost}`);
    }
  }
  return rows.join("\n") + "\n";
}

function bounds(index: number, intervalNs: number): [number, number] {
  return [(index * intervalNs) / 1e9, ((index + 1) * intervalNs) / 1e9];
}
