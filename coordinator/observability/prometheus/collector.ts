/**
 * The run's Prometheus families, registered on a Registry passed in. Nothing is counted here: each family's
 * `collect()` reads the RunState at scrape time (the client_golang "const metrics from a collector" pattern).
 * Base units, `_total` counters, HELP on every family; simulated time is a gauge, never a sample timestamp.
 * Per-entity families (energy, power, links, model metrics) are in entity-metrics.ts, one family per scope.
 *
 * `live: false` registers only what a finished run's intervals can replay (no wall-clock pace, windows, hosts or
 * packet totals), for the OpenMetrics export.
 */
import { kindTraits } from "../../../nodes/models/registry.ts";
import { Gauge, type Registry } from "prom-client";
import { entitySeriesCounts } from "../levels.ts";
import type { RunState } from "../run-state.ts";
import type { RunView } from "../run-view.ts";
import { registerEntityMetrics } from "./entity-metrics.ts";
import { FamilyRegistrar } from "./families.ts";
import { BUILD } from "./build-info.ts";

export interface RunMetricsOptions {
  live: boolean;
}

export function registerRunMetrics(registry: Registry, state: RunState, options: RunMetricsOptions): void {
  const f = new FamilyRegistrar(registry);
  const registers = [registry];
  f.reserved.add("dctwin_run_info");
  new Gauge({
    name: "dctwin_run_info",
    help: "Always 1: the run's scenario and its metrics level (which per-entity families exist: total, group, actor).",
    labelNames: ["scenario", "metrics_level"],
    registers,
    collect() {
      this.set({ scenario: state.view.scenario, metrics_level: state.level }, 1);
    },
  });
  f.reserved.add("dctwin_build_info");
  new Gauge({
    name: "dctwin_build_info",
    help: "Always 1: the dctwin version and the Node.js version that ran the coordinator.",
    labelNames: ["version", "nodejs_version"],
    registers,
    collect() {
      this.set({ version: BUILD.version, nodejs_version: BUILD.nodejsVersion }, 1);
    },
  });
  f.gauge(
    "dctwin_sim_time_seconds",
    "Simulated clock: simulated time reached by the run, in seconds.",
    () => state.simTimeNs / 1e9,
  );
  f.gauge(
    "dctwin_sim_duration_seconds",
    "Simulated duration the run is set to last, in seconds.",
    () => state.view.durationNs / 1e9,
  );
  f.gauge(
    "dctwin_metrics_interval_seconds",
    "Length of a metrics interval in simulated seconds: interval-based series advance in these steps.",
    () => state.view.intervalNs / 1e9,
  );
  f.gauge(
    "dctwin_interval_closed_sim_time_seconds",
    "Simulated time up to which the interval-based series (links, energy, power, drops, model metrics) are complete.",
    () => state.closedUpToNs / 1e9,
  );
  f.counter("dctwin_events_total", "Simulation events executed by all hosts.", () => state.events);
  f.counter(
    "dctwin_bit_erasures_total",
    "Bits of information erased (dropped and consumed packets, and what models erase); each costs at least k_B T ln 2 (the Landauer bound).",
    () => state.bitsErased,
  );
  f.labelled(
    "counter",
    "dctwin_packets_dropped_total",
    "Packets dropped, by reason (advances when a metrics interval closes).",
    ["reason"],
    () =>
      [...state.drops].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, value]) => ({ labels: { reason }, value })),
  );

  // The two ledgers (docs/thermo.md): packets as particles, and heat. Entropy of the packet ledger is dimensionless:
  // in units of Boltzmann's constant k_B (S/k_B), hence `_boltzmann_per_second`.
  const l = state.ledgers;
  f.gauge(
    "dctwin_packet_entropy_production_boltzmann_per_second",
    "Schnakenberg entropy production of the packet currents, in units of Boltzmann's constant k_B per simulated second, from the counts pooled over the closed metrics intervals: species-resolved mechanisms seen in both directions only (one-way currents make the total unbounded; summary.json lists them apart).",
    () => l.sigmaKbPerS,
  );
  f.gauge(
    "dctwin_interval_packet_entropy_production_boltzmann_per_second",
    "Packet entropy production of the last closed metrics interval alone, in units of k_B per simulated second (noisy; biased upward by O(1/T)).",
    () => l.lastSigmaKbPerS,
  );
  f.gauge(
    "dctwin_ambient_temperature_kelvin",
    "The run's ambient (heat sink) temperature, in kelvin: the T of P/T and of the Landauer bound k_B T ln 2.",
    () => state.view.ambientTemperatureK,
  );
  f.gauge(
    "dctwin_heat_entropy_production_watts_per_kelvin",
    "Physical entropy generation P/T of the last closed metrics interval, in W/K at the run's ambient temperature.",
    () => l.lastHeatEntropyWPerK,
  );
  f.counter(
    "dctwin_it_energy_joules_total",
    "Energy of the IT equipment (everything but cooling and distribution units), in joules.",
    () => l.itJ,
  );
  f.counter("dctwin_cooling_energy_joules_total", "Energy of the cooling units, in joules.", () => l.coolingJ);
  f.counter(
    "dctwin_distribution_loss_joules_total",
    "Energy lost in power distribution (the distribution units' energy, plus run.distribution_loss of IT + cooling), in joules.",
    () => l.lossJ,
  );
  f.gauge(
    "dctwin_it_power_watts",
    "Mean IT power over the last closed metrics interval, in watts.",
    () => l.lastItPowerW,
  );
  f.gauge(
    "dctwin_cooling_power_watts",
    "Mean cooling power over the last closed metrics interval, in watts.",
    () => l.lastCoolingPowerW,
  );
  f.gauge(
    "dctwin_distribution_loss_watts",
    "Mean power lost in distribution over the last closed metrics interval, in watts.",
    () => l.lastLossPowerW,
  );
  f.gauge(
    "dctwin_pue_ratio",
    "Power usage effectiveness since the start: facility energy over IT energy (NaN while only IT is modelled).",
    () => l.pue,
  );
  f.gauge(
    "dctwin_interval_pue_ratio",
    "Power usage effectiveness of the last closed metrics interval alone: its facility energy over its IT energy (NaN while only IT is modelled).",
    () => l.lastPue,
  );
  // One family, a partition by source: sum(dctwin_carbon_grams_total) is summary.json's carbon.total_g.
  f.labelled(
    "counter",
    "dctwin_carbon_grams_total",
    'Carbon emitted since the start, in grams of CO2-equivalent (run.carbon), by source; the sources partition the total: source="operational" is the facility energy (IT + cooling + distribution losses) at the grid\'s carbon intensity, source="embodied" the actors\' embodied carbon amortised over their lifetimes. Absent when the scenario models no carbon.',
    ["source"],
    () =>
      state.view.carbon === null
        ? []
        : [
            { labels: { source: "embodied" }, value: l.embodiedCarbonG },
            { labels: { source: "operational" }, value: l.operationalCarbonG },
          ],
  );

  // Faults, for Grafana annotations: `dctwin_fault_active == 1` marks each fault while it is in force. A cleared
  // fault stays at 0 rather than vanishing, so backfilled data (no staleness markers) ends it where it ended.
  f.gauge(
    "dctwin_faults_active",
    "Faults in force now (from the experiment or the control API).",
    () => state.faults().faults.filter((x) => x.active).length,
  );
  f.labelled(
    "gauge",
    "dctwin_fault_active",
    "1 while a fault is in force, 0 after it cleared, by fault id and action (a series per fault injected: bounded by the experiment).",
    ["fault", "action"],
    () => state.faults().faults.map((x) => ({ labels: { fault: x.id, action: x.action }, value: x.active ? 1 : 0 })),
  );
  f.counter(
    "dctwin_faults_injected_total",
    "Faults applied so far (at window boundaries).",
    () => state.faults().injected,
  );
  f.counter("dctwin_faults_cleared_total", "Faults cleared so far.", () => state.faults().cleared);
  f.labelled(
    "gauge",
    "dctwin_load_change_active",
    "1 while a load change (experiment or control API) is in progress (from its first step to the end of its ramp or duration), 0 after it ended, by load-change id and name.",
    ["load", "name"],
    () => state.loads().map((x) => ({ labels: { load: x.id, name: x.name }, value: x.active ? 1 : 0 })),
  );
  f.labelled(
    "gauge",
    "dctwin_check_verdict",
    "Verdicts of the experiment's steady-state checks whose window has closed: 1 for the verdict reached (passed, failed, or undecided: no data, which counts as failed), by check name. A check has no series before its window closed.",
    ["check", "verdict"],
    () => state.checks().map((x) => ({ labels: { check: x.name, verdict: x.verdict }, value: 1 })),
  );

  if (options.live) {
    f.gauge("dctwin_sim_speed_ratio", "Simulated seconds per wall-clock second since the first window.", () =>
      state.speedRatio(),
    );
    f.gauge(
      "dctwin_sim_target_speed_ratio",
      "Pace the run was asked to keep, in simulated seconds per wall-clock second (0: as fast as possible).",
      () => state.speed ?? 0,
    );
    f.counter(
      "dctwin_windows_total",
      "Synchronisation windows run (each ends with a report from every host).",
      () => state.windows,
    );
    f.counter(
      "dctwin_conservation_checks_passed_total",
      "Packet conservation checks passed (one per window and one at the end; a failure stops the run).",
      () => state.windows + (state.finished ? 1 : 0),
    );
    f.gauge("dctwin_hosts_connected", "Host processes (shards) that joined the run.", () => state.hostsConnected());
    f.gauge("dctwin_run_paused", "1 while the run is held at a window boundary, else 0.", () =>
      state.paused() ? 1 : 0,
    );
    f.gauge(
      "dctwin_run_finished",
      "1 once the run has ended (the endpoint then serves its final values until it closes), else 0.",
      () => (state.finished ? 1 : 0),
    );
    f.counter(
      "dctwin_packets_injected_total",
      "Packets created by actors (current to the last window).",
      () => state.totals?.injected,
    );
    f.counter(
      "dctwin_packets_consumed_total",
      "Packets that reached their destination and were destroyed (current to the last window).",
      () => state.totals?.consumed,
    );
    f.gauge("dctwin_packets_queued", "Packets held in actor queues after the last window.", () => state.totals?.queued);
    f.counter(
      "dctwin_trace_spans_export_failed_total",
      "Spans the OpenTelemetry exporter failed to send (the collector unreachable or refusing them); each failure is also logged. 0 without tracing.",
      () => state.tracing?.spansExportFailed() ?? 0,
    );
    f.gauge(
      "dctwin_packets_in_flight",
      "Packets on links or between hosts after the last window.",
      () => state.totals?.inFlight,
    );
  }

  registerEntityMetrics(f, state);
}

/**
 * Upper bound on the time series (sample lines of the exposition, histogram buckets included) a run exports at
 * `level`, given how many model metrics (histograms and counters), drop reasons and energy components its models
 * produce. Per-entity families are bounded by the topology (levels.ts); nothing grows with packets or time.
 */
export function seriesBound(
  view: RunView,
  level: Parameters<typeof entitySeriesCounts>[1],
  produced: {
    histograms: number;
    histogramBuckets: number;
    counters: number;
    gauges?: number;
    dropReasons: number;
    components: number;
    live: boolean;
    faults?: number;
    loads?: number;
    checks?: number;
    serverStates?: number;
  },
): number {
  const e = entitySeriesCounts(view, level, produced.components);
  const fixed = 23 + (produced.live ? 12 : 0) + (produced.faults ?? 0) + (produced.loads ?? 0) + (produced.checks ?? 0); // run and build info, the scalar families, a series per fault, load change and check
  const links = 3 * e.links;
  const energy = 2 * e.energy;
  // Each histogram: buckets + _sum + _count per series, and an observation-rate gauge per series.
  const metrics =
    produced.histograms * e.groups * (produced.histogramBuckets + 3) +
    produced.counters * e.groups +
    produced.histograms * e.groups +
    (produced.gauges ?? 0) * e.groups;
  return (
    fixed +
    produced.dropReasons +
    links +
    energy +
    metrics +
    serverAndSigmaBound(view, level, produced.serverStates ?? 6)
  );
}

/** Server, CRAC and σ-per-link gauges (entity-metrics.ts): bounded by servers, CRACs, links and group pairs. */
function serverAndSigmaBound(view: RunView, level: Parameters<typeof entitySeriesCounts>[1], states: number): number {
  const cracs = view.actors.filter((a) => kindTraits(a.kind).coolsZone !== undefined).length;
  if (level === "total") return cracs;
  const servers = view.actors.filter((a) => kindTraits(a.kind).serverSeries === true);
  const serverGroups = new Set(servers.map((a) => a.group)).size;
  const pairs = new Set(view.links.map((l) => [view.actors[l.a]!.group, view.actors[l.b]!.group].sort().join("\u0000")))
    .size;
  const group = serverGroups * (2 + states) + 2 * pairs;
  return cracs + group + (level === "actor" ? 2 * servers.length + 2 * view.links.length : 0);
}
