/**
 * The report's cooling plots, when the run has CRACs: the inlet temperature each CRAC read (°C, from its
 * `inlet_mk` / `inlet_samples` counters in intervals.jsonl) and the servers' thermal throttles per simulated
 * second (timeseries.csv). Empty without cooling.
 */
import { kindTraits } from "../../../nodes/models/registry.ts";
import type { ReportData } from "./load.ts";
import type { PlotSpec } from "./plots.ts";

export function coolingPlots(data: ReportData): PlotSpec[] {
  const file = data.intervals;
  if (file === null) return [];
  const cracs = file.view.actors.map((a, i) => ({ a, i })).filter(({ a }) => kindTraits(a.kind).coolsZone !== undefined);
  if (cracs.length === 0) return [];
  const x = file.intervals.map((r) => Math.min((r.index + 1) * file.view.intervalNs, file.simTimeNs) / 1e9);
  const inlet = cracs.map(({ a, i }) => ({
    label: `${a.id}${a.labels.zone === undefined ? "" : ` (${a.labels.zone})`}`,
    values: file.intervals.map((r) => {
      const c = r.counters.get(i);
      const n = c?.get("inlet_samples") ?? 0;
      return n > 0 ? (c!.get("inlet_mk")! / n - 273_150) / 1000 : null;
    }),
  }));
  const plots: PlotSpec[] = [{ id: "cooling-inlet", title: "Inlet temperature read by each CRAC (°C)", unit: "°C", x, series: inlet, note: "Read at interval boundaries; gaps where no reading fell in an interval." }];
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
