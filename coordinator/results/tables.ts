/**
 * The analyst tables of a run: tidy (one observation per row), every row labelled with `run_id` and `scenario`
 * (so a sweep of runs concatenates), every interval present (explicit zero rows for what did not happen in it),
 * one meaning per column, base units (seconds, joules, watts, degrees Celsius). Built from intervals.jsonl's
 * records, so `dctwin export --parquet` makes them for older runs too.
 *
 * - metrics: t_start_s, t_end_s, metric, unit, group, count, sum, mean, p50, p99 (model metrics, by declaration)
 * - drops:   t_start_s, t_end_s, reason, packets
 * - links:   t_start_s, t_end_s, link, from, to, packets, bytes, lost_packets (every link direction)
 * - actors:  t_start_s, t_end_s, actor, kind, group, rack, zone, component, energy_j, power_w, inlet_temperature_c
 *            (every powered actor; the inlet is the hottest reading of the zone's CRACs in the interval, if any)
 * - ledger:  t_start_s, t_end_s, events, it_energy_j, cooling_energy_j, distribution_loss_j, it_power_w,
 *            cooling_power_w, pue, heat_entropy_w_per_k, packet_sigma_kb_per_s, bits_erased
 * - servers, server_states: per-server series (utilisation, queue length, state, power, inlet): server-tables.ts
 */
import { kindTraits } from "../../nodes/models/registry.ts";
import { metricDeclaration, sumToBaseUnit, toBaseUnit } from "../../nodes/models/metric-declarations.ts";
import { ledgerSnapshot } from "../ledgers/snapshot.ts";
import { intervalBoundsNs, type RunView } from "../observability/run-view.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import type { MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import { ServerRows } from "./server-tables.ts";
import type { Cell, ColumnSpec, RowKey, Table, TableColumns } from "./table-columns.ts";

export type { Cell, Column, Table } from "./table-columns.ts";

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const METRIC_COLUMNS: ColumnSpec = [
  ["metric", "string"],
  ["unit", "string"],
  ["group", "string"],
  ["count", "int"],
  ["sum", "double"],
  ["mean", "double"],
  ["p50", "double"],
  ["p99", "double"],
];
const DROP_COLUMNS: ColumnSpec = [
  ["reason", "string"],
  ["packets", "int"],
];
const LINK_COLUMNS: ColumnSpec = [
  ["link", "string"],
  ["from", "string"],
  ["to", "string"],
  ["packets", "int"],
  ["bytes", "int"],
  ["lost_packets", "int"],
];
const ACTOR_COLUMNS: ColumnSpec = [
  ["actor", "string"],
  ["kind", "string"],
  ["group", "string"],
  ["rack", "string"],
  ["zone", "string"],
  ["component", "string"],
  ["energy_j", "double"],
  ["power_w", "double"],
  ["inlet_temperature_c", "double"],
];
const LEDGER_COLUMNS: ColumnSpec = [
  ["events", "int"],
  ["it_energy_j", "double"],
  ["cooling_energy_j", "double"],
  ["distribution_loss_j", "double"],
  ["it_power_w", "double"],
  ["cooling_power_w", "double"],
  ["pue", "double"],
  ["heat_entropy_w_per_k", "double"],
  ["packet_sigma_kb_per_s", "double"],
  ["bits_erased", "int"],
];

/** The analyst tables' names, in the order they are written. */
export const TABLE_NAMES = ["metrics", "drops", "links", "actors", "ledger", "servers", "server_states"] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/**
 * Builds every analyst table from a run's interval records, visited twice (`forEachRecord`): once for what has
 * rows in every interval (metrics, drop reasons, powered components, server states seen anywhere in the run), once
 * for the rows. `open` gives each table's columns (with a sink that takes them a block at a time: parquet.ts).
 */
export function buildAnalystTables(
  view: RunView,
  forEachRecord: (visit: (record: IntervalRecord) => void) => void,
  open: (name: TableName, columns: ColumnSpec) => TableColumns,
): void {
  const rowKey = (r: IntervalRecord): RowKey => {
    const [start, end] = intervalBoundsNs(view, r.index);
    return [view.runId, view.scenario, start / 1e9, end / 1e9];
  };

  // Every (metric, group) and drop reason seen anywhere in the run gets a row in every interval.
  const metricKeys = new Map<string, { name: string; group: string }>();
  const reasons = new Set<string>();
  const powered = new Map<string, { actor: number; component: string }>();
  const servers = new ServerRows(view);
  forEachRecord((r) => {
    for (const m of r.metrics.values())
      if (m.count > 0) metricKeys.set(`${m.name}\u0000${m.group}`, { name: m.name, group: m.group });
    for (const reason of r.drops.keys()) reasons.add(reason);
    for (const [actor, components] of r.energy)
      for (const c of components.keys())
        powered.set(`${String(actor).padStart(9, "0")}\u0000${c}`, { actor, component: c });
    servers.scan(r);
  });
  const metrics = [...metricKeys].sort(([a], [b]) => byText(a, b)).map(([, m]) => m);
  const reasonOrder = [...reasons].sort(byText);
  const poweredOrder = [...powered].sort(([a], [b]) => byText(a, b)).map(([, p]) => p);

  const metricRows = open("metrics", METRIC_COLUMNS);
  const dropRows = open("drops", DROP_COLUMNS);
  const linkRows = open("links", LINK_COLUMNS);
  const actorRows = open("actors", ACTOR_COLUMNS);
  const ledgerRows = open("ledger", LEDGER_COLUMNS);
  servers.open(open);
  forEachRecord((r) => {
    const key = rowKey(r);
    const seconds = Math.max(key[3] - key[2], 1e-9);
    // The first accumulator of each (metric, group), as a search of the record's accumulators finds it.
    const accumulators = new Map<string, MetricAccumulator>();
    for (const m of r.metrics.values()) {
      const k = `${m.name}\u0000${m.group}`;
      if (!accumulators.has(k)) accumulators.set(k, m);
    }
    for (const { name, group } of metrics) {
      const d = metricDeclaration(name);
      const acc = accumulators.get(`${name}\u0000${group}`);
      const n = acc?.count ?? 0;
      const base = (v: number) => toBaseUnit(d, v);
      metricRows.add(key, [
        `${d.name}`,
        d.unit,
        group,
        n,
        // A gauge's sum is meaningless (a sum of temperatures): its mean is what it shows.
        d.type === "gauge" ? null : n > 0 ? sumToBaseUnit(d, acc!.sum) : 0,
        n > 0 ? base(acc!.sum / n) : null,
        n > 0 ? base(acc!.histogram.quantile(0.5, acc!.min, acc!.max)) : null,
        n > 0 ? base(acc!.histogram.quantile(0.99, acc!.min, acc!.max)) : null,
      ]);
    }
    for (const reason of reasonOrder) dropRows.add(key, [reason, r.drops.get(reason) ?? 0]);
    view.links.forEach((link, i) => {
      for (const reverse of [0, 1]) {
        const t = r.links.get(i * 2 + reverse);
        const [from, to] = reverse === 0 ? [link.a, link.b] : [link.b, link.a];
        linkRows.add(key, [
          link.id,
          view.actors[from]!.id,
          view.actors[to]!.id,
          t?.packets ?? 0,
          t?.bytes ?? 0,
          t?.lost ?? 0,
        ]);
      }
    });
    const inlet = zoneInletC(view, r);
    servers.add(r, key, inlet);
    for (const { actor, component } of poweredOrder) {
      const a = view.actors[actor]!;
      const joules = r.energy.get(actor)?.get(component) ?? 0;
      const zone = a.labels.zone ?? null;
      actorRows.add(key, [
        a.id,
        a.kind,
        a.group,
        a.labels.rack ?? null,
        zone,
        component,
        joules,
        joules / seconds,
        zone === null ? null : (inlet.get(zone) ?? null),
      ]);
    }
    const ledger = ledgerSnapshot(view, r, intervalBoundsNs(view, r.index)[1]);
    const perS = (joules: number) => (ledger.durationS > 0 ? joules / ledger.durationS : 0);
    ledgerRows.add(key, [
      r.events,
      ledger.itEnergyJ,
      ledger.coolingEnergyJ,
      ledger.distributionLossJ,
      perS(ledger.itEnergyJ),
      perS(ledger.coolingEnergyJ),
      ledger.pue,
      ledger.heatEntropyWPerK,
      ledger.sigmaKbPerS,
      ledger.bitsErased,
    ]);
  });
  for (const table of [metricRows, dropRows, linkRows, actorRows, ledgerRows]) table.end();
  servers.end();
}

/** RFC 4180 CSV rows of a table's block, each ending in a newline (numbers as JavaScript prints them; empty for null). */
export function csvRows(t: Table): string {
  const quote = (v: Cell) =>
    v === null ? "" : typeof v === "number" ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  const rows: string[] = [];
  const n = t[0]?.data.length ?? 0;
  for (let i = 0; i < n; i++) rows.push(`${t.map((c) => quote(c.data[i]!)).join(",")}\n`);
  return rows.join("");
}

/** The hottest inlet reading per zone in one interval, in °C, from the CRACs' `inlet_mk` / `inlet_samples` counters. */
function zoneInletC(view: RunView, r: IntervalRecord): Map<string, number> {
  const out = new Map<string, number>();
  for (const [actor, counters] of r.counters) {
    const kind = view.actors[actor]?.kind;
    const zone =
      kind !== undefined && kindTraits(kind).coolsZone !== undefined ? view.actors[actor]!.labels.zone : undefined;
    const sum = counters.get("inlet_mk");
    const n = counters.get("inlet_samples") ?? 0;
    if (zone === undefined || sum === undefined || n === 0) continue;
    const celsius = (sum / n - 273_150) / 1000;
    out.set(zone, Math.max(out.get(zone) ?? -Infinity, celsius));
  }
  return out;
}
