/** The few lines a person wants to see when a run ends; everything else is in the results directory. */
import type { Summary } from "../../coordinator/results/summary.ts";

export function printSummary(summary: Summary, wallTimeS: number, outDir: string): void {
  const p = summary.packets;
  const lines = [
    `${summary.scenario} (seed ${summary.seed}): ${summary.status}, ${summary.sim_time_s} s simulated in ${wallTimeS.toFixed(2)} s (${(summary.sim_time_s / wallTimeS).toFixed(2)}× real time)`,
    `  packets: ${p.injected} injected, ${p.consumed} consumed, ${p.dropped} dropped, ${p.queued_at_end + p.in_flight_at_end} in the system at the end; ${p.link_hops} link hops`,
  ];
  // Metrics without an interval, by the reason (usually the same for all): one warning line per reason.
  const uncertain = new Map<string, string[]>();
  let metricLines = 0;
  for (const [metric, groups] of Object.entries(summary.metrics)) {
    for (const [group, s] of Object.entries(groups)) {
      if (s.mean === null || !metric.endsWith("_s")) continue;
      const bm = s.batch_means;
      const ci =
        bm === null || bm.ci95_low === null || bm.ci95_high === null
          ? ""
          : ` (95% CI ${fmt(bm.ci95_low)} – ${fmt(bm.ci95_high)}, ${bm.batches} batches)`;
      metricLines++;
      lines.push(
        `  ${metric} [${group}]: mean ${fmt(s.mean)}${ci}, p50 ${fmt(s.p50!)}, p99 ${fmt(s.p99!)}, n = ${s.count} after the warm-up`,
      );
      if (bm?.warning) uncertain.set(bm.warning, [...(uncertain.get(bm.warning) ?? []), `${metric} [${group}]`]);
    }
  }
  for (const [warning, metrics] of uncertain) {
    const which =
      metrics.length === metricLines && metricLines > 1 ? `all ${metricLines} metrics above` : metrics.join(", ");
    lines.push(`  warning: no confidence interval for ${which}: ${warning}`);
  }
  if (summary.quantum_delay.total_s > 0)
    lines.push(`  quantum above link latency added ${fmt(summary.quantum_delay.mean_per_hop_s)} per hop on average`);
  const heat = summary.thermodynamics.heat;
  const irr = summary.thermodynamics.irreversibility;
  if (heat.energy_j > 0)
    lines.push(
      `  energy: ${num(heat.energy_j, 4)} J (mean ${num(heat.mean_power_w, 4)} W), Landauer efficiency ${heat.landauer_efficiency?.toExponential(2) ?? "n/a"}`,
    );
  if (hasEstimate(irr)) {
    const db = irr.detailed_balance_test;
    const balance = `detailed balance ${db.equilibrium_rejected ? "broken" : "not rejected"} (G test, p = ${db.p_value.toPrecision(3)})`;
    const oneWay = irr.irreversible_currents.length;
    // σ over the pairs seen both ways is 0 with no such pair: "0.000 ± 0.0" would read as a reversible twin.
    if (oneWay > 0 && irr.sigma_kb_per_s === 0 && irr.sigma_stderr_jackknife_kb_per_s === 0) {
      lines.push(
        `  packet entropy production: unbounded, all ${oneWay} currents are one-way (reverse never seen; together at least ${num(irr.irreversible_sigma_lower_bound_kb_per_s, 3)} k_B/s); ${balance}`,
      );
    } else {
      lines.push(
        `  packet entropy production (pairs seen both ways): ${num(irr.sigma_kb_per_s, 4)} ± ${num(irr.sigma_stderr_jackknife_kb_per_s, 2)} k_B/s; ${balance}`,
      );
      if (oneWay > 0)
        lines.push(
          `  ${oneWay} one-way currents (reverse never seen: σ unbounded, not in the figure above; together at least ${num(irr.irreversible_sigma_lower_bound_kb_per_s, 3)} k_B/s)`,
        );
    }
  }
  lines.push(
    `  results in ${outDir}/: summary.json, timeseries.csv, links.csv, thermo.csv, commands.json, run-info.json`,
  );
  console.log(lines.join("\n"));
}

type Irreversibility = Summary["thermodynamics"]["irreversibility"];

/** The ledger had enough batches with traffic for an estimate. */
function hasEstimate(ir: Irreversibility): ir is Extract<Irreversibility, { sigma_kb_per_s: number }> {
  return typeof ir.sigma_kb_per_s === "number";
}

/** `digits` significant digits; small numbers as 1.6e-7, never 0.0000010. */
function num(x: number, digits: number): string {
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

/** Seconds in a readable unit. */
function fmt(seconds: number): string {
  const a = Math.abs(seconds);
  if (a >= 1 || a === 0) return `${seconds.toFixed(3)} s`;
  if (a >= 1e-3) return `${(seconds * 1e3).toFixed(3)} ms`;
  if (a >= 1e-6) return `${(seconds * 1e6).toFixed(3)} µs`;
  return `${(seconds * 1e9).toFixed(1)} ns`;
}
