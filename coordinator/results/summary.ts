/**
 * summary.json: the simulated results of a run and nothing else (no wall-clock times, versions or host names,
 * which go to run-info.json), so two runs of the same scenario and seed compare byte for byte.
 * Schema: docs/summary.md. Metrics recorded in nanoseconds (`*_ns`) are reported in seconds (`*_s`).
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { newAccumulator, type MetricAccumulator } from "../../nodes/runtime/metrics.ts";
import type { ConservationTotals } from "../counts/conservation.ts";
import { batchMeans } from "./batch-means.ts";
import { metricKey, type RunAggregator } from "../counts/aggregate.ts";
import { statisticalBatches } from "../ledgers/batches.ts";
import { heatLedger } from "../ledgers/heat.ts";
import { carbonLedger } from "../ledgers/carbon-ledger.ts";
import { irreversibilityLedger } from "../ledgers/irreversibility.ts";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";
import type { IntervalSummary } from "../counts/interval-summary.ts";
import type { IntervalTotals } from "./interval-totals.ts";
import { trainingLedger } from "../ledgers/training.ts";

export const SUMMARY_SCHEMA = "dctwin.summary/v1";

import type { RunStatus } from "../driver/run-driver.ts";

export type { RunStatus };

export interface SummaryInput {
  scenario: ResolvedScenario;
  status: RunStatus;
  simTimeNs: number;
  aggregator: RunAggregator;
  totals: ConservationTotals;
  /** The run's ledger snapshots, one per interval up to `simTimeNs` (ledgers/book.ts). */
  ledgers: readonly LedgerSnapshot[];
  /** What the run's intervals added up to as they closed, its batch totals made (results/interval-totals.ts). */
  intervals: IntervalTotals;
}

/** Seconds from integer nanoseconds by division: 30e9 / 1e9 is exactly 30, 30e9 × 1e-9 is not. */
const NS_PER_S = 1e9;
const seconds = (ns: number) => ns / NS_PER_S;

export function buildSummary({ scenario, status, simTimeNs, aggregator, totals, ledgers, intervals }: SummaryInput) {
  const run = scenario.run;
  const simTimeS = seconds(simTimeNs);
  const metrics = metricsSection(aggregator, intervals.metrics, scenario, simTimeNs);
  return {
    schema: SUMMARY_SCHEMA,
    scenario: run.name,
    seed: run.seed,
    status,
    sim_time_s: simTimeS,
    // Where `metrics` begins: a rate of their counts is per second of [measured_from_s, sim_time_s).
    measured_from_s: Math.min(seconds(metricsStartNs(scenario)), simTimeS),
    settings: {
      duration_s: seconds(run.durationNs),
      quantum_s: seconds(run.quantumNs),
      metrics_interval_s: seconds(run.metricsIntervalNs),
      warmup_s: seconds(run.warmupNs),
      ...(run.warmupAuto === true ? { warmup_detected_by: "MSER-5" } : {}),
      // A hybrid leap run: the actors that kept their exact models (docs/leap.md).
      ...(run.leap?.exact === undefined ? {} : { exact_actors: run.leap.exact.map((i) => scenario.actors[i]!.id) }),
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
      total_s: seconds(aggregator.addedDelayNs),
      mean_per_hop_s: aggregator.hops === 0 ? 0 : seconds(aggregator.addedDelayNs / aggregator.hops),
    },
    metrics,
    // The training ledger counts every step of the run, as the heat ledger counts all its energy.
    thermodynamics: thermodynamicsSection(scenario, intervals, ledgers, simTimeNs, wholeRun(metrics.step_energy_uj)),
    carbon: carbonLedger(scenario, aggregator, ledgers),
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

/** The start of the first metrics interval starting at or after the warm-up: where the headline metrics begin. */
function metricsStartNs(scenario: ResolvedScenario): number {
  const intervalNs = scenario.run.metricsIntervalNs;
  return Math.ceil(scenario.run.warmupNs / intervalNs) * intervalNs;
}

/**
 * `{ metric: { group: stats } }`, sorted. Every headline figure (count, mean, percentiles) and the batch-means
 * interval describe the same window: the metrics intervals from the first one starting at or after the warm-up.
 * The whole run, warm-up included, is under `whole_run`.
 */
function metricsSection(
  aggregator: RunAggregator,
  perInterval: readonly IntervalSummary[],
  scenario: ResolvedScenario,
  simTimeNs: number,
) {
  const firstBatch = metricsStartNs(scenario) / scenario.run.metricsIntervalNs;
  const last = Math.ceil(simTimeNs / aggregator.intervalNs);
  const intervals = perInterval.filter((i) => i.index >= firstBatch && i.index < last);
  const out: Record<string, Record<string, ReturnType<typeof metricStats>>> = {};
  const sorted = [...aggregator.metrics.values()].sort((a, b) =>
    a.name === b.name ? (a.group < b.group ? -1 : 1) : a.name < b.name ? -1 : 1,
  );
  for (const acc of sorted) {
    const key = metricKey(acc.name, acc.group);
    const perInterval = intervals.map((i) => i.metrics.get(key));
    const name = acc.name.endsWith("_ns") ? `${acc.name.slice(0, -3)}_s` : acc.name;
    (out[name] ??= {})[acc.group] = metricStats(acc, perInterval, acc.name.endsWith("_ns") ? NS_PER_S : 1);
  }
  return out;
}

/** `divisor` turns recorded units into reported ones (1e9 for ns → s: a division, so 30e9 ns is exactly 30 s). */
function metricStats(
  whole: MetricAccumulator,
  perInterval: readonly (MetricAccumulator | undefined)[],
  divisor: number,
) {
  const after = mergeAccumulators(whole.name, whole.group, perInterval);
  const bm = batchMeans(
    perInterval.map((m) => m ?? { sum: 0, count: 0 }),
    { nonNegative: whole.count === 0 || whole.min >= 0 },
  );
  const scaled = (x: number | null) => (x === null ? null : x / divisor);
  return {
    ...headline(after, divisor),
    batch_means:
      bm === null
        ? null
        : {
            intervals: bm.intervals,
            intervals_per_batch: bm.intervalsPerBatch,
            batches: bm.batches,
            lag1_autocorrelation: bm.lag1Autocorrelation,
            mean: bm.mean / divisor,
            stderr: scaled(bm.stderr),
            ci95_low: scaled(bm.ci95Low),
            ci95_high: scaled(bm.ci95High),
            warning: bm.warning,
          },
    whole_run: headline(whole, divisor),
  };
}

function headline(acc: MetricAccumulator, divisor: number) {
  const has = acc.count > 0;
  const q = (p: number) => (has ? acc.histogram.quantile(p, acc.min, acc.max) / divisor : null);
  return {
    count: acc.count,
    sum: acc.sum / divisor,
    mean: has ? acc.sum / acc.count / divisor : null,
    min: has ? acc.min / divisor : null,
    max: has ? acc.max / divisor : null,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
  };
}

function mergeAccumulators(
  name: string,
  group: string,
  parts: readonly (MetricAccumulator | undefined)[],
): MetricAccumulator {
  const merged = newAccumulator(name, group);
  for (const m of parts) {
    if (m === undefined || m.count === 0) continue;
    merged.count += m.count;
    merged.sum += m.sum;
    merged.min = Math.min(merged.min, m.min);
    merged.max = Math.max(merged.max, m.max);
    merged.histogram.merge(m.histogram);
  }
  return merged;
}

function wholeRun(groups: Record<string, { whole_run: { count: number; sum: number } }> | undefined) {
  return groups === undefined
    ? undefined
    : Object.fromEntries(Object.entries(groups).map(([group, stats]) => [group, stats.whole_run]));
}

/** Both ledgers and their ratio: how much of the physical dissipation the packet-level σ makes visible. */
function thermodynamicsSection(
  scenario: ResolvedScenario,
  intervals: IntervalTotals,
  ledgers: readonly LedgerSnapshot[],
  simTimeNs: number,
  stepEnergyUj: Record<string, { count: number; sum: number }> | undefined,
) {
  const batches = statisticalBatches(scenario.run.warmupNs, scenario.run.metricsIntervalNs, ledgers);
  if (intervals.batches === undefined) throw new Error("the batch totals are made once the warm-up is known");
  const irreversibility = irreversibilityLedger(scenario, batches, intervals.batches);
  const heat = heatLedger(scenario, intervals.energy, simTimeNs);
  const sigma = "sigma_kb_per_s" in irreversibility ? (irreversibility.sigma_kb_per_s ?? null) : null;
  return {
    irreversibility,
    heat,
    packet_sigma_over_heat_entropy:
      sigma !== null && heat.entropy_generation_kb_per_s > 0 ? sigma / heat.entropy_generation_kb_per_s : null,
    training: trainingLedger(scenario, stepEnergyUj),
  };
}
