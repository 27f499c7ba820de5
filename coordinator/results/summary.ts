/**
 * summary.json: the simulated results of a run and nothing else (no wall-clock times, versions or host names,
 * which go to run-info.json), so two runs of the same scenario and seed compare byte for byte.
 * Schema: docs/summary.md. Metrics recorded in nanoseconds (`*_ns`) are reported in seconds (`*_s`).
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import type { ConservationTotals } from "../conservation.ts";
import { batchMeans } from "./batch-means.ts";
import { metricKey, type RunAggregator } from "./aggregate.ts";
import { statisticalBatches } from "../ledgers/batches.ts";
import { heatLedger } from "../ledgers/heat.ts";
import { irreversibilityLedger } from "../ledgers/irreversibility.ts";
import { trainingLedger } from "../ledgers/training.ts";

export const SUMMARY_SCHEMA = "dctwin.summary/v1";

export type RunStatus = "completed" | "interrupted" | "failed";

export interface SummaryInput {
  scenario: ResolvedScenario;
  status: RunStatus;
  simTimeNs: number;
  aggregator: RunAggregator;
  totals: ConservationTotals;
}

const S_PER_NS = 1e-9;

export function buildSummary({ scenario, status, simTimeNs, aggregator, totals }: SummaryInput) {
  const run = scenario.run;
  const simTimeS = simTimeNs * S_PER_NS;
  const metrics = metricsSection(aggregator, scenario);
  return {
    schema: SUMMARY_SCHEMA,
    scenario: run.name,
    seed: run.seed,
    status,
    sim_time_s: simTimeS,
    settings: {
      duration_s: run.durationNs * S_PER_NS,
      quantum_s: run.quantumNs * S_PER_NS,
      metrics_interval_s: run.metricsIntervalNs * S_PER_NS,
      warmup_s: run.warmupNs * S_PER_NS,
    },
    actors: scenario.actors.length,
    links: scenario.links.length,
    events: aggregator.events,
    packets: {
      injected: totals.injected,
      consumed: totals.consumed,
      dropped: totals.dropped,
      queued_at_end: totals.queued,
      in_flight_at_end: totals.inFlight,
      link_hops: aggregator.hops,
      dropped_by_reason: Object.fromEntries([...aggregator.drops].sort(([a], [b]) => (a < b ? -1 : 1))),
    },
    quantum_delay: {
      total_s: aggregator.addedDelayNs * S_PER_NS,
      mean_per_hop_s: aggregator.hops === 0 ? 0 : (aggregator.addedDelayNs / aggregator.hops) * S_PER_NS,
    },
    metrics,
    thermodynamics: thermodynamicsSection(scenario, aggregator, simTimeNs, metrics.step_energy_uj),
    link_traffic: scenario.links.map((link) => ({
      id: link.id,
      a: scenario.actors[link.a]!.id,
      b: scenario.actors[link.b]!.id,
      a_to_b: direction(aggregator, link.index * 2, simTimeS),
      b_to_a: direction(aggregator, link.index * 2 + 1, simTimeS),
    })),
  };
}

export type Summary = ReturnType<typeof buildSummary>;

function direction(aggregator: RunAggregator, key: number, simTimeS: number) {
  const t = aggregator.links.get(key) ?? { packets: 0, bytes: 0, lost: 0 };
  return {
    packets: t.packets,
    bytes: t.bytes,
    lost_packets: t.lost,
    packets_per_s: simTimeS > 0 ? t.packets / simTimeS : 0,
    bytes_per_s: simTimeS > 0 ? t.bytes / simTimeS : 0,
  };
}

/** `{ metric: { group: stats } }`, sorted, with batch means over the intervals after the warm-up. */
function metricsSection(aggregator: RunAggregator, scenario: ResolvedScenario) {
  const firstBatch = Math.ceil(scenario.run.warmupNs / aggregator.intervalNs);
  const intervals = [...aggregator.intervals.values()].filter((i) => i.index >= firstBatch).sort((a, b) => a.index - b.index);
  const out: Record<string, Record<string, ReturnType<typeof metricStats>>> = {};
  const sorted = [...aggregator.metrics.values()].sort((a, b) => (a.name === b.name ? (a.group < b.group ? -1 : 1) : a.name < b.name ? -1 : 1));
  for (const acc of sorted) {
    const batches = intervals.map((i) => i.metrics.get(metricKey(acc.name, acc.group)) ?? { sum: 0, count: 0 });
    const name = acc.name.endsWith("_ns") ? `${acc.name.slice(0, -3)}_s` : acc.name;
    (out[name] ??= {})[acc.group] = metricStats(acc, batches, acc.name.endsWith("_ns") ? S_PER_NS : 1);
  }
  return out;
}

function metricStats(acc: MetricAccumulator, batches: { sum: number; count: number }[], scale: number) {
  const bm = batchMeans(batches);
  return {
    count: acc.count,
    sum: acc.sum * scale,
    mean: acc.count > 0 ? (acc.sum / acc.count) * scale : null,
    min: acc.count > 0 ? acc.min * scale : null,
    max: acc.count > 0 ? acc.max * scale : null,
    p50: acc.count > 0 ? acc.histogram.quantile(0.5) * scale : null,
    p90: acc.count > 0 ? acc.histogram.quantile(0.9) * scale : null,
    p99: acc.count > 0 ? acc.histogram.quantile(0.99) * scale : null,
    batch_means:
      bm === null
        ? null
        : { batches: bm.batches, mean: bm.mean * scale, stderr: bm.stderr * scale, ci95_low: bm.ci95Low * scale, ci95_high: bm.ci95High * scale },
  };
}

/** Both ledgers and their ratio: how much of the physical dissipation the packet-level σ makes visible. */
function thermodynamicsSection(scenario: ResolvedScenario, aggregator: RunAggregator, simTimeNs: number, stepEnergyUj: Record<string, { count: number; sum: number }> | undefined) {
  const irreversibility = irreversibilityLedger(scenario, statisticalBatches(scenario, aggregator, simTimeNs));
  const heat = heatLedger(scenario, aggregator, simTimeNs);
  const sigma = "sigma_kb_per_s" in irreversibility ? (irreversibility.sigma_kb_per_s ?? null) : null;
  return {
    irreversibility,
    heat,
    packet_sigma_over_heat_entropy: sigma !== null && heat.entropy_generation_kb_per_s > 0 ? sigma / heat.entropy_generation_kb_per_s : null,
    training: trainingLedger(scenario, stepEnergyUj),
  };
}
