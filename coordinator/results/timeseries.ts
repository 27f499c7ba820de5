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
import { TextBuffer } from "./text-buffer.ts";

/** The metric's column name: its base name with the unit's suffix where the recorded one named another unit. */
export function seriesName(recorded: string, d: MetricDeclaration): string {
  if (d.unit === "seconds") return `${d.name}_s`;
  if (d.unit === "celsius") return `${d.name}_c`;
  return recorded;
}

export const METRICS_CSV_HEADER = "t_start_s,t_end_s,metric,unit,group,count,sum,mean,p50,p99";
export const LINKS_CSV_HEADER = "t_start_s,t_end_s,link,direction,packets,bytes,lost_packets";

/** timeseries.csv's rows of one interval (each ending in a newline). */
export function metricRows(interval: IntervalRecord, startNs: number, endNs: number): string {
  const [t0, t1] = [startNs / 1e9, endNs / 1e9];
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
 * the direction first carries traffic, not again for every interval; they are kept encoded, one after another.
 */
export class LinkRows {
  private readonly scenario: ResolvedScenario;
  /** Each direction's cells (by link index * 2 + reverse) are `encoded[start[key], start[key] + size[key])`. */
  private encoded = new Uint8Array(1 << 12);
  private used = 0;
  private readonly start: Uint32Array;
  /** 0: not made yet. */
  private readonly size: Uint32Array;
  private readonly comma = TextBuffer.encoded(",");
  private readonly newline = TextBuffer.encoded("\n");

  constructor(scenario: ResolvedScenario) {
    this.scenario = scenario;
    this.start = new Uint32Array(2 * scenario.links.length);
    this.size = new Uint32Array(2 * scenario.links.length);
  }

  /**
   * Writes the rows (each ending in a newline) of an interval from `startNs` to `endNs` to `out`, by link and
   * direction (`keys`: in order).
   */
  write(out: TextBuffer, interval: IntervalRecord, keys: Float64Array, startNs: number, endNs: number): void {
    const times = TextBuffer.encoded(`${startNs / 1e9},${endNs / 1e9},`);
    const { comma, newline } = this;
    for (const key of keys) {
      const t = interval.links.get(key)!;
      if (this.size[key] === 0) this.makeCells(key);
      const from = this.start[key]!;
      out.piece(times).piece(this.encoded, from, from + this.size[key]!);
      out.number(t.packets).piece(comma).number(t.bytes).piece(comma).number(t.lost).piece(newline);
    }
  }

  private makeCells(key: number): void {
    const link = this.scenario.links[key >> 1]!;
    const [from, to] = (key & 1) === 0 ? [link.a, link.b] : [link.b, link.a];
    const cells = TextBuffer.encoded(`${link.id},${this.scenario.actors[from]!.id}->${this.scenario.actors[to]!.id},`);
    if (this.used + cells.length > this.encoded.length) {
      const grown = new Uint8Array(Math.max(2 * this.encoded.length, this.used + cells.length));
      grown.set(this.encoded.subarray(0, this.used));
      this.encoded = grown;
    }
    this.encoded.set(cells, this.used);
    this.start[key] = this.used;
    this.size[key] = cells.length;
    this.used += cells.length;
  }
}
