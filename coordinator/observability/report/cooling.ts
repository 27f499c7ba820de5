/**
 * The report's cooling plots, when the run has CRACs: the inlet temperature each CRAC read (°C, from its
 * `inlet_mk` / `inlet_samples` counters in intervals.jsonl), the servers' thermal throttles per simulated second
 * (timeseries.csv) and the servers' states over time (their level integrals, as tables/server_states has them).
 * Empty without cooling, except the states plot, which also shows when a server left the "on" state.
 */
import type { ReportData } from "./load.ts";
import type { PlotSpec } from "./plots.ts";

/** Servers in each state, averaged over each interval (a server half the interval throttled counts 0.5). */
export function serverStatesPlot(data: ReportData): PlotSpec[] {
  const series = data.intervals;
  if (series === null) return [];
  const byState = series.serverStates;
  const cooled = series.cracInlets.length > 0;
  if (byState.size === 0 || (!cooled && [...byState.keys()].every((s) => s === "on"))) return [];
  const order = ["on", "throttled", "booting", "shutting_down", "off", "failed"];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return [
    {
      id: "server-states",
      title: `Servers in each state (of ${series.servers}; mean over each interval)`,
      unit: "servers",
      fill: true,
      x: series.ends,
      series: [...byState]
        .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1))
        .map(([state, values]) => ({ label: state.replace("_", " "), values })),
      note: "Throttled: slowed by a command or by an inlet temperature over the server's limit. tables/server_states has the seconds per server.",
    },
  ];
}

export function coolingPlots(data: ReportData): PlotSpec[] {
  const series = data.intervals;
  if (series === null || series.cracInlets.length === 0) return [];
  const x = series.ends;
  const inlet = series.cracInlets.map(({ actor, values }) => {
    const a = series.view.actors[actor]!;
    return { label: `${a.id}${a.labels.zone === undefined ? "" : ` (${a.labels.zone})`}`, values };
  });
  const plots: PlotSpec[] = [
    {
      id: "cooling-inlet",
      title: "Inlet temperature read by each CRAC (°C)",
      unit: "°C",
      x,
      series: inlet,
      note: "Read at interval boundaries; gaps where no reading fell in an interval.",
    },
  ];
  const throttles = data.timeseries.filter((r) => r.metric === "thermal_throttles");
  const byGroup = new Map<string, (number | null)[]>();
  const index = new Map(x.map((t, i) => [t, i]));
  for (const r of throttles) {
    const i = index.get(Number(r.t_end_s));
    if (i === undefined) continue;
    let values = byGroup.get(String(r.group));
    if (values === undefined) byGroup.set(String(r.group), (values = new Array<number | null>(x.length).fill(0)));
    values[i] = Number(r.count) / (Number(r.t_end_s) - Number(r.t_start_s));
  }
  plots.push({
    id: "cooling-throttles",
    title: "Thermal throttles per simulated second (servers over their inlet limit)",
    unit: "1/s",
    x,
    series: [...byGroup].map(([label, values]) => ({ label, values })),
    note: byGroup.size === 0 ? "No server throttled." : undefined,
  });
  return plots;
}
