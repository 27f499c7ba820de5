/**
 * The report's plots, each built from the results by one small function; a plot with no data is left out.
 * x is simulated time (the end of each metrics interval, in seconds). To add a plot (e.g. entropy production of
 * the irreversibility ledger), add a builder to PLOT_BUILDERS; thermo.csv columns are already plotted one by one.
 */
import { coolingPlots, serverStatesPlot } from "./cooling.ts";
import { activeFaultsPlot } from "./experiment.ts";
import type { ReportData, Table } from "./load.ts";

export interface PlotSeries {
  label: string;
  values: (number | null)[];
}

export interface PlotSpec {
  id: string;
  title: string;
  /** Unit of the y axis, shown on it. */
  unit: string;
  x: number[];
  series: PlotSeries[];
  note?: string;
  /** Fill under each series (translucent): for shares such as servers per state, where lines would overlap. */
  fill?: boolean;
}

export type PlotBuilder = (data: ReportData) => PlotSpec[];

/** Interval end times, ascending, from a table's t_end_s column. */
function times(table: Table): number[] {
  return [...new Set(table.map((r) => Number(r.t_end_s)))].sort((a, b) => a - b);
}

/** Every interval's end: thermo.csv has a row for each (timeseries.csv only those in which a metric was recorded). */
function intervalEnds(data: ReportData): number[] {
  return times(data.thermo.length > 0 ? data.thermo : data.timeseries);
}

/** One series per distinct `key`, valued by `value` at each interval end (null where absent). */
function pivot(
  table: Table,
  x: number[],
  key: (r: Table[number]) => string,
  value: (r: Table[number]) => number | null,
  label = (k: string) => k,
): PlotSeries[] {
  const index = new Map(x.map((t, i) => [t, i]));
  const out = new Map<string, (number | null)[]>();
  for (const r of table) {
    const k = key(r);
    let values = out.get(k);
    if (values === undefined) out.set(k, (values = new Array<number | null>(x.length).fill(null)));
    const i = index.get(Number(r.t_end_s));
    if (i !== undefined) values[i] = (values[i] ?? 0) + (value(r) ?? 0);
  }
  return [...out].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, values]) => ({ label: label(k), values }));
}

const seconds = (r: Table[number]) => Number(r.t_end_s) - Number(r.t_start_s);

function throughput(data: ReportData): PlotSpec[] {
  const metric = data.timeseries.some((r) => r.metric === "response_time_s") ? "response_time_s" : "requests_sent";
  const rows = data.timeseries.filter((r) => r.metric === metric);
  if (rows.length === 0) return [];
  const x = intervalEnds(data);
  const what = metric === "response_time_s" ? "responses" : "requests sent";
  return [
    {
      id: "throughput",
      title: `Throughput (${what} per simulated second, by group)`,
      unit: "1/s",
      x,
      series: pivot(
        rows,
        x,
        (r) => String(r.group),
        (r) => Number(r.count) / seconds(r),
      ),
    },
  ];
}

function responseTimes(data: ReportData): PlotSpec[] {
  const rows = data.timeseries.filter((r) => r.metric === "response_time_s");
  if (rows.length === 0) return [];
  const x = intervalEnds(data);
  const series = ["p50", "p99"].flatMap((q) =>
    pivot(
      rows,
      x,
      (r) => String(r.group),
      (r) => (r[q] === null ? null : Number(r[q]) * 1000),
      (g) => `${g} ${q}`,
    ),
  );
  return [{ id: "response-time", title: "Response time percentiles (per interval)", unit: "ms", x, series }];
}

function drops(data: ReportData): PlotSpec[] {
  // tables/drops.csv (reason, packets); results of older versions had them in timeseries.csv (group = reason).
  const rows: Table =
    data.drops.length > 0
      ? data.drops
          .map((r) => ({ ...r, group: r.reason ?? null, count: r.packets ?? null }))
          .filter((r) => Number(r.count) > 0)
      : data.timeseries.filter((r) => r.metric === "dropped_packets");
  const x = intervalEnds(data);
  if (rows.length === 0)
    return x.length === 0
      ? []
      : [
          {
            id: "drops",
            title: "Packets dropped per simulated second, by reason",
            unit: "1/s",
            x,
            series: [],
            note: "No packet was dropped.",
          },
        ];
  // An interval without drops of a reason is a zero, not a gap.
  const series = pivot(
    rows,
    x,
    (r) => String(r.group),
    (r) => Number(r.count) / seconds(r),
  ).map((s) => ({ ...s, values: s.values.map((v) => v ?? 0) }));
  return [{ id: "drops", title: "Packets dropped per simulated second, by reason", unit: "1/s", x, series }];
}

/** Total link traffic and the busiest directions (at most 8, so big topologies stay readable: load.ts). */
function linkTraffic(data: ReportData): PlotSpec[] {
  const traffic = data.linkTraffic;
  if (traffic.totals.length === 0) return [];
  const x = intervalEnds(data);
  const total = pivot(
    traffic.totals,
    x,
    () => "all links",
    (r) => Number(r.bytes) / seconds(r),
  );
  const top = pivot(
    traffic.busiest,
    x,
    (r) => String(r.direction),
    (r) => Number(r.bytes) / seconds(r),
  );
  const shown = new Set(traffic.busiest.map((r) => String(r.direction))).size;
  const note =
    traffic.directions > shown ? `Busiest ${shown} of ${traffic.directions} link directions shown.` : undefined;
  return [
    {
      id: "link-traffic",
      title: "Link traffic (bytes per simulated second)",
      unit: "B/s",
      x,
      series: [...total, ...top],
      note,
    },
  ];
}

/**
 * Power per interval and cumulative energy: total (thermo.csv) and per rack (label `rack`) from intervals.jsonl,
 * or per actor group when the actors carry no rack labels.
 */
function power(data: ReportData): PlotSpec[] {
  const x = times(data.thermo);
  // No power model: no plot (the headline says "not modelled"), rather than an empty panel leaving a hole.
  if (x.length === 0 || !data.thermo.some((r) => Number(r.power_w) > 0)) return [];
  const powerSeries = pivot(
    data.thermo,
    x,
    () => "total",
    (r) => Number(r.power_w),
  );
  let sum = 0;
  const energySeries: PlotSeries[] = [{ label: "total", values: data.thermo.map((r) => (sum += Number(r.energy_j))) }];
  const byEntity = energyByEntity(data, x);
  let by = "";
  if (byEntity !== null && byEntity.joules.size > 1) {
    by = `, by ${byEntity.by}`;
    for (const [entity, joules] of [...byEntity.joules].sort(([a], [b]) => (a < b ? -1 : 1))) {
      powerSeries.push({
        label: `${byEntity.by} ${entity}`,
        values: joules.map((j, i) => (byEntity.seconds[i]! > 0 ? j / byEntity.seconds[i]! : null)),
      });
      let cumulative = 0;
      energySeries.push({ label: `${byEntity.by} ${entity}`, values: joules.map((j) => (cumulative += j)) });
    }
  }
  return [
    { id: "power", title: `Power (mean per interval${by})`, unit: "W", x, series: powerSeries },
    { id: "energy", title: `Energy used (cumulative${by})`, unit: "J", x, series: energySeries },
  ];
}

/** Joules per interval per rack (or group), aligned with x; null without intervals.jsonl. */
function energyByEntity(
  data: ReportData,
  x: number[],
): { by: "rack" | "group"; joules: Map<string, number[]>; seconds: number[] } | null {
  const series = data.intervals;
  if (series === null) return null;
  const { by, joules: perRecord, seconds: recordSeconds } = series.energy;
  // Each record's place in x (thermo.csv's interval ends), or -1.
  const at = series.ends.map((end) => x.findIndex((v) => Math.abs(v - end) < 1e-9));
  const joules = new Map<string, number[]>();
  const seconds = new Array<number>(x.length).fill(0);
  at.forEach((i, k) => {
    if (i >= 0) seconds[i] = recordSeconds[k]!;
  });
  for (const [entity, values] of perRecord) {
    const aligned = new Array<number>(x.length).fill(0);
    at.forEach((i, k) => {
      if (i >= 0) aligned[i] = values[k]!;
    });
    joules.set(entity, aligned);
  }
  return { by, joules, seconds };
}

/** Every other thermo.csv column, one plot each (both ledgers per interval). */
function thermoColumns(data: ReportData): PlotSpec[] {
  const first = data.thermo[0];
  if (first === undefined) return [];
  const x = times(data.thermo);
  const skip = new Set(["t_start_s", "t_end_s", "energy_j", "power_w"]);
  return Object.keys(first)
    .filter((c) => !skip.has(c) && data.thermo.some((r) => typeof r[c] === "number" && r[c] !== 0)) // all-zero columns say nothing
    .map((c) => ({
      id: `thermo-${c}`,
      title: `${THERMO_TITLES[c] ?? c} (${unitOf(c) || "ratio"})`,
      unit: unitOf(c),
      x,
      series: pivot(
        data.thermo,
        x,
        () => THERMO_TITLES[c] ?? c,
        (r) => (typeof r[c] === "number" ? (r[c] as number) : null),
      ),
    }));
}

/** Human titles of thermo.csv's columns (the column name stays in the plot's id). */
const THERMO_TITLES: Record<string, string> = {
  heat_entropy_kb_per_s: "Heat entropy generation P/(k_B T)",
  packet_sigma_kb_per_s: "Packet entropy production σ (this interval)",
  bits_erased: "Bits erased per interval",
  landauer_power_w: "Landauer bound of the bits erased (k_B T ln 2 each)",
  it_energy_j: "IT energy per interval",
  cooling_energy_j: "Cooling energy per interval",
  distribution_loss_j: "Distribution losses per interval",
  pue: "PUE of each interval",
};

function unitOf(column: string): string {
  const units: [string, string][] = [
    ["_kb_per_s", "k_B/s"],
    ["_w_per_k", "W/K"],
    ["_w", "W"],
    ["_j", "J"],
    ["_per_s", "1/s"],
    ["_s", "s"],
    ["_bytes", "B"],
    ["bits_erased", "bits"],
  ];
  return units.find(([suffix]) => column.endsWith(suffix))?.[1] ?? "";
}

export const PLOT_BUILDERS: PlotBuilder[] = [
  throughput,
  responseTimes,
  drops,
  linkTraffic,
  power,
  coolingPlots,
  serverStatesPlot,
  activeFaultsPlot,
  thermoColumns,
];

export function buildPlots(data: ReportData, builders: readonly PlotBuilder[] = PLOT_BUILDERS): PlotSpec[] {
  return builders.flatMap((b) => b(data));
}
