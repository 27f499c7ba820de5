/**
 * The report's view of an experiment (experiment.json, written by runs with an experiment or the control API):
 * faults with their targets and simulated times, load changes, steady-state check verdicts, and the number of
 * faults in force per interval as a plot next to the others on the simulated time axis.
 */
import type { Figure } from "./dissipation.ts";
import type { Json, ReportData } from "./load.ts";
import type { PlotSpec } from "./plots.ts";
import { formatValue } from "./tables.ts";

type Obj = { [key: string]: Json };

function list(v: Json | undefined): Obj[] {
  return Array.isArray(v) ? v.filter((o): o is Obj => o !== null && typeof o === "object" && !Array.isArray(o)) : [];
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function table(columns: string[], rows: string[][]): string {
  return `<table class="grid"><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r.map((v) => `<td class="path">${esc(v)}</td>`).join("")}</tr>`).join("")}</table>`;
}

const seconds = (v: Json | undefined) => (typeof v === "number" ? `${formatValue(v)} s` : "–");

export function experimentFigures(data: ReportData): Figure[] {
  const e = data.experiment;
  if (e === null) return [];
  const figures: Figure[] = [];
  const faults = list(e.faults);
  figures.push({
    title: "Faults",
    note: faults.length === 0 ? "No fault was injected." : "Applied at window boundaries; times are simulated.",
    html:
      faults.length === 0
        ? ""
        : table(
            ["fault", "action", "targets", "source", "injected", "cleared"],
            faults.map((f) => [
              String(f.id),
              String(f.action),
              (Array.isArray(f.targets) ? f.targets.map(String) : []).join(", "),
              String(f.source),
              seconds(f.injected_s),
              seconds(f.cleared_s),
            ]),
          ),
  });
  const loads = list(e.load_changes);
  if (loads.length > 0) {
    figures.push({
      title: "Load changes",
      html: table(
        ["change", "targets", "source", "started", "ends", "steps applied"],
        loads.map((l) => [
          String(l.id ?? l.name),
          (Array.isArray(l.targets) ? l.targets.map(String) : []).join(", "),
          String(l.source),
          seconds(l.started_s),
          seconds(l.ends_s),
          formatValue(l.steps_applied),
        ]),
      ),
    });
  }
  const checks = list(e.checks);
  if (checks.length > 0) {
    const verdict = (c: Obj) => (c.passed === true ? "pass" : c.passed === false ? "FAIL" : "NO DATA");
    figures.push({
      title: "Steady-state checks",
      note: `${formatValue(e.checks_passed)} passed, ${formatValue(e.checks_failed)} failed.`,
      html: table(
        ["check", "threshold", "window", "observed", "verdict"],
        checks.map((c) => [
          String(c.name),
          String(c.threshold),
          `${seconds(c.from_s)} – ${seconds(c.to_s)}`,
          c.observed === null ? String(c.reason ?? "–") : inThresholdUnit(c.observed, String(c.threshold)),
          verdict(c),
        ]),
      ),
    });
  }
  return figures;
}

/** Faults in force at some time in each interval (short ones too), on the same axis as the other plots. */
export function activeFaultsPlot(data: ReportData): PlotSpec[] {
  const intervals = list(data.experiment?.intervals);
  const faults = list(data.experiment?.faults).filter((f) => typeof f.injected_s === "number");
  if (intervals.length === 0 || faults.length === 0) return [];
  const inForce = (startS: number, endS: number) =>
    faults.filter((f) => (f.injected_s as number) < endS && (typeof f.cleared_s !== "number" || f.cleared_s > startS))
      .length;
  const x = intervals.map((i) => Number(i.t_end_s));
  return [
    {
      id: "active-faults",
      title: "Faults in force during each interval",
      unit: "faults",
      x,
      series: [{ label: "faults", values: intervals.map((i) => inForce(Number(i.t_start_s), Number(i.t_end_s))) }],
    },
  ];
}

/** Each fault's time in force (simulated s); a fault never cleared lasts to the end of the run. */
export function faultSpans(data: ReportData): { label: string; from_s: number; to_s: number }[] {
  const end = typeof data.summary.sim_time_s === "number" ? data.summary.sim_time_s : Number.POSITIVE_INFINITY;
  return list(data.experiment?.faults)
    .filter((f) => typeof f.injected_s === "number")
    .map((f) => ({
      label: `${String(f.id)} (${String(f.action)})`,
      from_s: f.injected_s as number,
      to_s: typeof f.cleared_s === "number" ? f.cleared_s : end,
    }));
}

const TIME_UNITS: Record<string, number> = { ns: 1e9, us: 1e6, µs: 1e6, ms: 1e3, s: 1 };

/**
 * An observed value in the unit its threshold is written in: a check on a metric in seconds (`…_s`) against
 * "< 50ms" shows the observation in ms.
 */
export function inThresholdUnit(observed: Json | undefined, threshold: string): string {
  const m = /^(\S*_s)\b.*?[\d.]+\s*(ns|us|µs|ms|s)\s*$/.exec(threshold.trim());
  if (typeof observed !== "number" || m === null) return observed === undefined ? "–" : formatValue(observed);
  return `${formatValue(observed * TIME_UNITS[m[2]!]!)} ${m[2]}`;
}
