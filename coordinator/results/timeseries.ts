/**
 * Per-interval series as tidy CSV (one observation per row), ready for pandas or R:
 * - timeseries.csv: t_start_s, t_end_s, metric, unit, group, count, sum, mean, p50, p99 — the models' metrics in
 *   base units (metric-declarations.ts): durations in seconds (`response_time_s`), temperatures in °C
 *   (`crac_inlet_temperature_c`), counts as counted; `group` is always the actor group that recorded it; `sum` is
 *   empty for gauges (a sum of temperatures means nothing). Events per interval are in tables/ledger.csv, drops
 *   by reason in tables/drops.csv (with explicit zeros);
 * - links.csv: t_start_s, t_end_s, link, direction, packets, bytes, lost_packets — only non-zero rows.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import {
  metricDeclaration,
  sumToBaseUnit,
  toBaseUnit,
  type MetricDeclaration,
} from "../../nodes/models/metric-declarations.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { sortedKeys } from "../counts/sorted-keys.ts";
import type { TextBuffer } from "./text-buffer.ts";

/** The metric's column name: its base name with the unit's suffix where the recorded one named another unit. */
export function seriesName(recorded: string, d: MetricDeclaration): string {
  if (d.unit === "seconds") return `${d.name}_s`;
  if (d.unit === "celsius") return `${d.name}_c`;
  return recorded;
}

export const METRICS_CSV_HEADER = "t_start_s,t_end_s,metric,unit,group,count,sum,mean,p50,p99";
export const LINKS_CSV_HEADER = "t_start_s,t_end_s,link,direction,packets,bytes,lost_packets";

/** timeseries.csv's rows of one interval (each ending in a newline). */
export function metricRows(interval: IntervalRecord, intervalNs: number): string {
  const [t0, t1] = bounds(interval.index, intervalNs);
  const metrics = [...interval.metrics.values()]
    .filter((m) => m.count > 0)
    .sort((a, b) => (a.name === b.name ? (a.group < b.group ? -1 : 1) : a.name < b.name ? -1 : 1));
  let rows = "";
  for (const m of metrics) {
    const d = metricDeclaration(m.name);
    const base = (v: number) => toBaseUnit(d, v);
    const sum = d.type === "gauge" ? "" : sumToBaseUnit(d, m.sum);
    rows += `${t0},${t1},${seriesName(m.name, d)},${d.unit},${m.group},${m.count},${sum},${base(m.sum / m.count)},${base(m.histogram.quantile(0.5, m.min, m.max))},${base(m.histogram.quantile(0.99, m.min, m.max))}\n`;
  }
  return rows;
}

/**
 * links.csv's rows, interval by interval. Each link direction's `link,direction` cells are made once per run, when
 * the direction first carries traffic, not again for every interval.
 */
export class LinkRows {
  private readonly scenario: ResolvedScenario;
  /** By link index * 2 + reverse. */
  private readonly cells: (string | undefined)[];

  constructor(scenario: ResolvedScenario) {
    this.scenario = scenario;
    this.cells = new Array<string | undefined>(2 * scenario.links.length);
  }

  /** Writes one interval's rows (each ending in a newline) to `out`, by link and direction. */
  write(out: TextBuffer, interval: IntervalRecord, intervalNs: number): void {
    const [t0, t1] = bounds(interval.index, intervalNs);
    const times = `${t0},${t1},`;
    for (const key of sortedKeys(interval.links)) {
      const t = interval.links.get(key)!;
      out.text(times).text(this.cells[key] ?? this.directionCells(key));
      out.number(t.packets).text(",").number(t.bytes).text(",").number(t.lost).text("\n");
    }
  }

  private directionCells(key: number): string {
    const link = this.scenario.links[key >> 1]!;
    const [from, to] = (key & 1) === 0 ? [link.a, link.b] : [link.b, link.a];
    const cells = `${link.id},${this.scenario.actors[from]!.id}->${this.scenario.actors[to]!.id},`;
    this.cells[key] = cells;
    return cells;
  }
}

function bounds(index: number, intervalNs: number): [number, number] {
  return [(index * intervalNs) / 1e9, ((index + 1) * intervalNs) / 1e9];
}
