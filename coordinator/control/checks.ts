/**
 * Steady-state checks: a metric condition in k6's threshold style ("response_time_s p(99) < 50ms",
 * "dropped_packets{link_down} count > 0") that must hold over a stretch of simulated time. Evaluated over the
 * metrics intervals that lie inside the stretch, after the run.
 */
import { newAccumulator, type MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalSummary } from "../counts/interval-summary.ts";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";
import type { Op, Stat, Threshold } from "../../spec/threshold.ts";

/** Metrics computed per interval from the ledgers rather than recorded by models. */
export const THERMO_METRICS = [
  "power_w",
  "energy_j",
  "heat_entropy_kb_per_s",
  "packet_sigma_kb_per_s",
  "landauer_power_w",
  "it_energy_j",
  "cooling_energy_j",
  "distribution_loss_j",
] as const;
/** Per-interval carbon (gCO2e), when the scenario gives `run.carbon`; `carbon_per_request_g` is the window's ratio. */
export const CARBON_METRICS = ["carbon_g", "operational_carbon_g", "embodied_carbon_g"] as const;

export interface CheckWindow {
  name: string;
  threshold: Threshold;
  fromNs: number;
  toNs: number;
}

export interface CheckVerdict {
  name: string;
  threshold: string;
  from_s: number;
  to_s: number;
  /** Metrics intervals the value was computed over. */
  intervals: number;
  observed: number | null;
  /** null: no data to decide on (counts as failed). */
  passed: boolean | null;
  reason: string | null;
}

/**
 * What a check reads of a run: each interval's summary (never its record: a long run does not keep them) and its
 * ledger snapshot.
 */
export interface CheckSource {
  readonly intervalNs: number;
  /** Intervals 0 to `count` − 1, in order (summariesUpTo: an interval nothing was reported in is empty). */
  summaries(count: number): readonly IntervalSummary[];
  /** Every interval's snapshot from the start to `endNs` (LedgerBook.series). */
  series(endNs: number): readonly LedgerSnapshot[];
}

export function evaluateCheck(
  check: CheckWindow,
  scenario: ResolvedScenario,
  source: CheckSource,
  endNs: number,
): CheckVerdict {
  const intervalNs = source.intervalNs;
  const first = Math.ceil(check.fromNs / intervalNs);
  const last = Math.floor(Math.min(check.toNs, endNs) / intervalNs); // exclusive
  const records = last > first ? source.summaries(last).slice(first) : [];
  const thermo = last > first ? source.series(last * intervalNs).slice(first) : [];
  const verdict = (observed: number | null, reason: string | null): CheckVerdict => ({
    name: check.name,
    threshold: check.threshold.text,
    from_s: check.fromNs / 1e9,
    to_s: check.toNs / 1e9,
    intervals: records.length,
    observed,
    passed: observed === null ? null : compare(observed, check.threshold.op, check.threshold.value),
    reason,
  });
  if (records.length === 0)
    return verdict(
      null,
      `no whole metrics interval (${intervalNs / 1e9} s) lies in [${check.fromNs / 1e9} s, ${Math.min(check.toNs, endNs) / 1e9} s)`,
    );
  const seconds = (records.length * intervalNs) / 1e9;
  const { metric, group, stat } = check.threshold;

  if ((THERMO_METRICS as readonly string[]).includes(metric)) {
    const values = thermo.map((t) => {
      const byName = {
        power_w: t.powerW,
        energy_j: t.energyJ,
        heat_entropy_kb_per_s: t.heatEntropyKbPerS,
        packet_sigma_kb_per_s: t.sigmaKbPerS,
        landauer_power_w: t.landauerPowerW,
        it_energy_j: t.itEnergyJ,
        cooling_energy_j: t.coolingEnergyJ,
        distribution_loss_j: t.distributionLossJ,
      };
      return byName[metric as (typeof THERMO_METRICS)[number]];
    });
    return verdict(seriesStat(values, stat, seconds), null);
  }

  if ((CARBON_METRICS as readonly string[]).includes(metric) || metric === "carbon_per_request_g") {
    if (scenario.run.carbon === null || scenario.run.carbon === undefined)
      return verdict(null, "the scenario models no carbon (run.carbon)");
    const operational = thermo.map((t) => t.operationalCarbonG ?? 0);
    const embodied = thermo.map((t) => t.embodiedCarbonG ?? 0);
    if (metric === "carbon_per_request_g") {
      // The window's total carbon over the responses received in it, never a mean of interval ratios.
      let answered = 0;
      for (const r of records)
        for (const m of r.metrics.values()) if (m.name === "response_time_ns") answered += m.count;
      if (answered === 0) return verdict(null, "no response was received in the window");
      if (stat.kind !== "mean") return verdict(null, "carbon_per_request_g is a ratio of the window's totals: use avg");
      return verdict((operational.reduce((a, b) => a + b, 0) + embodied.reduce((a, b) => a + b, 0)) / answered, null);
    }
    const values =
      metric === "operational_carbon_g"
        ? operational
        : metric === "embodied_carbon_g"
          ? embodied
          : operational.map((o, i) => o + embodied[i]!);
    return verdict(seriesStat(values, stat, seconds), null);
  }

  if (metric === "pue") {
    const pues = thermo.map((t) => t.pue).filter((p): p is number => p !== null);
    if (pues.length === 0)
      return verdict(
        null,
        "PUE is undefined in the window: no IT energy, or neither cooling nor distribution losses are modelled",
      );
    if (stat.kind === "mean") {
      // The window's PUE from its integrated energies, never a mean of interval ratios.
      const itJ = thermo.reduce((s, t) => s + t.itEnergyJ, 0);
      const facilityJ = thermo.reduce((s, t) => s + t.itEnergyJ + t.coolingEnergyJ + t.distributionLossJ, 0);
      return verdict(facilityJ / itJ, null);
    }
    if (stat.kind !== "min" && stat.kind !== "max" && stat.kind !== "quantile")
      return verdict(
        null,
        "pue is a ratio: use avg (from the window's energies), min, max or a percentile of the interval values",
      );
    return verdict(seriesStat(pues, stat, seconds), null);
  }

  if (metric === "dropped_packets" || metric === "events") {
    let total = 0;
    for (const r of records) {
      if (metric === "events") total += r.events;
      else for (const [reason, n] of r.drops) if (group === null || reason === group) total += n;
    }
    if (stat.kind === "count" || stat.kind === "sum") return verdict(total, null);
    if (stat.kind === "rate") return verdict(total / seconds, null);
    return verdict(null, `${metric} is a count: use count, sum or rate`);
  }

  // A model metric: merge the interval histograms of the matching groups (recorded name may end in _ns).
  const recorded = metric.endsWith("_s") ? [metric, `${metric.slice(0, -2)}_ns`] : [metric];
  const acc = newAccumulator(metric, group ?? "*");
  let scale = 1;
  for (const r of records) {
    for (const m of r.metrics.values()) {
      if (!recorded.includes(m.name) || (group !== null && m.group !== group)) continue;
      if (m.name.endsWith("_ns") && metric.endsWith("_s")) scale = 1e-9;
      merge(acc, m);
    }
  }
  if (stat.kind === "count") return verdict(acc.count, null);
  if (stat.kind === "rate") return verdict(acc.count / seconds, null);
  if (acc.count === 0)
    return verdict(null, `no ${metric}${group === null ? "" : `{${group}}`} was recorded in the window`);
  switch (stat.kind) {
    case "sum":
      return verdict(acc.sum * scale, null);
    case "mean":
      return verdict((acc.sum / acc.count) * scale, null);
    case "min":
      return verdict(acc.min * scale, null);
    case "max":
      return verdict(acc.max * scale, null);
    case "quantile":
      return verdict(acc.histogram.quantile(stat.q, acc.min, acc.max) * scale, null);
  }
}

function seriesStat(values: number[], stat: Stat, seconds: number): number | null {
  switch (stat.kind) {
    case "mean":
      return values.reduce((s, v) => s + v, 0) / values.length;
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "sum":
      return values.reduce((s, v) => s + v, 0);
    case "count":
      return values.length;
    case "rate":
      return values.reduce((s, v) => s + v, 0) / seconds;
    case "quantile": {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(stat.q * sorted.length))]!;
    }
  }
}

function compare(x: number, op: Op, v: number): boolean {
  switch (op) {
    case "<":
      return x < v;
    case "<=":
      return x <= v;
    case ">":
      return x > v;
    case ">=":
      return x >= v;
    case "==":
      return x === v;
    case "!=":
      return x !== v;
  }
}

function merge(into: MetricAccumulator, from: MetricAccumulator): void {
  if (from.count === 0) return;
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  into.histogram.merge(from.histogram);
}
