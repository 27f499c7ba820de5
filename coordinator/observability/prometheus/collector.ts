/**
 * The run's Prometheus families, registered on a Registry passed in. Nothing is counted here: each family's
 * `collect()` reads the RunState at scrape time (the client_golang "const metrics from a collector" pattern).
 * Base units, `_total` counters, HELP on every family; simulated time is a gauge, never a sample timestamp.
 *
 * `live: false` registers only what a finished run's intervals can replay (no wall-clock pace, windows, hosts or
 * packet totals), for the OpenMetrics export.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { entitySeriesCounts, type Labels } from "../levels.ts";
import type { RunState } from "../run-state.ts";
import type { RunView } from "../run-view.ts";
import { BucketHistogram } from "./bucket-histogram.ts";
import { cumulativeCounts } from "./buckets.ts";
import { modelMetricFamily } from "./model-metrics.ts";

const ENTITY_LABELS = ["level", "group", "rack", "zone", "actor", "component"];
const LINK_LABELS = ["level", "link", "from", "to"];

export interface RunMetricsOptions {
  live: boolean;
}

type Read = () => number | undefined;

export function registerRunMetrics(registry: Registry, state: RunState, options: RunMetricsOptions): void {
  const registers = [registry];
  const reserved = new Set<string>();
  const gauge = (name: string, help: string, read: Read) => {
    reserved.add(name);
    new Gauge({ name, help, registers, collect() { this.set(read() ?? 0); } });
  };
  const counter = (name: string, help: string, read: Read) => {
    reserved.add(name);
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(read() ?? 0); } });
  };
  const labelled = (kind: "gauge" | "counter", name: string, help: string, labelNames: string[], read: () => Iterable<{ labels: Labels; value: number }>) => {
    reserved.add(name);
    if (kind === "gauge") {
      new Gauge({ name, help, labelNames, registers, collect() {
        this.reset();
        for (const s of read()) this.set(s.labels, s.value);
      } });
    } else {
      new Counter({ name, help, labelNames, registers, collect() {
        this.reset();
        for (const s of read()) this.inc(s.labels, s.value);
      } });
    }
  };

  reserved.add("dctwin_run_info");
  new Gauge({
    name: "dctwin_run_info",
    help: "Always 1: the run's scenario and the aggregation level of its per-entity series (label `level` on those series).",
    labelNames: ["scenario", "metrics_level"],
    registers,
    collect() {
      this.set({ scenario: state.view.scenario, metrics_level: state.level }, 1);
    },
  });
  gauge("dctwin_sim_time_seconds", "Simulated clock: simulated time reached by the run, in seconds.", () => state.simTimeNs / 1e9);
  gauge("dctwin_sim_duration_seconds", "Simulated duration the run is set to last, in seconds.", () => state.view.durationNs / 1e9);
  gauge("dctwin_metrics_interval_seconds", "Length of a metrics interval in simulated seconds: interval-based series advance in these steps.", () => state.view.intervalNs / 1e9);
  gauge("dctwin_interval_closed_sim_time_seconds", "Simulated time up to which the interval-based series (links, energy, power, drops, model metrics) are complete.", () => state.closedUpToNs / 1e9);
  counter("dctwin_events_total", "Simulation events executed by all hosts.", () => state.events);
  counter("dctwin_bit_erasures_total", "Bits of information erased (dropped and consumed packets, and what models erase); each costs at least k_B T ln 2 (the Landauer bound).", () => state.bitsErased);
  labelled("counter", "dctwin_packets_dropped_total", "Packets dropped, by reason (advances when a metrics interval closes).", ["reason"], () =>
    [...state.drops].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, value]) => ({ labels: { reason }, value })),
  );

  // The two ledgers (THERMO.md): packets as particles, and heat.
  gauge("dctwin_packet_entropy_production_nats_per_second", "Schnakenberg entropy production of the packet currents, in nats (units of k_B) per simulated second, from the counts pooled over the closed metrics intervals: species-resolved mechanisms seen in both directions only (one-way currents make the total unbounded; summary.json lists them apart).", () => state.ledgers.sigmaKbPerS);
  gauge("dctwin_interval_packet_entropy_production_nats_per_second", "Packet entropy production of the last closed metrics interval alone, in nats (units of k_B) per simulated second (noisy; biased upward by O(1/T)).", () => state.ledgers.lastSigmaKbPerS);
  gauge("dctwin_heat_entropy_production_watts_per_kelvin", "Physical entropy generation P/T of the last closed metrics interval, in W/K at the run's ambient temperature.", () => state.ledgers.lastHeatEntropyWPerK);
  counter("dctwin_it_energy_joules_total", "Energy of the IT equipment (everything but cooling units), in joules.", () => state.ledgers.itJ);
  counter("dctwin_cooling_energy_joules_total", "Energy of the cooling units, in joules.", () => state.ledgers.coolingJ);
  counter("dctwin_distribution_loss_joules_total", "Energy lost in power distribution (run.distribution_loss of IT + cooling), in joules.", () => state.ledgers.lossJ);
  labelled("counter", "dctwin_carbon_grams_total", "Carbon emitted since the start, in grams of CO2-equivalent (run.carbon): source=\"operational\" is the facility energy (IT + cooling + distribution losses) at the grid's carbon intensity, source=\"embodied\" the actors' embodied carbon amortised over their lifetimes. Absent when the scenario models no carbon.", ["source"], () =>
    state.view.carbon === null
      ? []
      : [
          { labels: { source: "embodied" }, value: state.ledgers.embodiedCarbonG },
          { labels: { source: "operational" }, value: state.ledgers.operationalCarbonG },
        ],
  );
  gauge("dctwin_pue_ratio", "Power usage effectiveness since the start: facility energy over IT energy (NaN while only IT is modelled).", () => state.ledgers.pue);

  // Faults, for Grafana annotations: `dctwin_fault_active == 1` marks each fault while it is in force. A cleared
  // fault stays at 0 rather than vanishing, so backfilled data (no staleness markers) ends it where it ended.
  gauge("dctwin_faults_active", "Faults in force now (from the experiment or the control API).", () => state.faults().faults.filter((f) => f.active).length);
  labelled("gauge", "dctwin_fault_active", "1 while a fault is in force, 0 after it cleared, by fault id and action (a series per fault injected: bounded by the experiment).", ["fault", "action"], () =>
    state.faults().faults.map((f) => ({ labels: { fault: f.id, action: f.action }, value: f.active ? 1 : 0 })),
  );
  counter("dctwin_faults_injected_total", "Faults applied so far (at window boundaries).", () => state.faults().injected);
  counter("dctwin_faults_cleared_total", "Faults cleared so far.", () => state.faults().cleared);

  if (options.live) {
    gauge("dctwin_sim_speed_ratio", "Simulated seconds per wall-clock second since the first window.", () => state.speedRatio());
    gauge("dctwin_sim_target_speed_ratio", "Pace the run was asked to keep, in simulated seconds per wall-clock second (0: as fast as possible).", () => state.speed ?? 0);
    counter("dctwin_windows_total", "Synchronisation windows run (each one a round trip between the coordinator and every host).", () => state.windows);
    counter("dctwin_conservation_checks_passed_total", "Packet conservation checks passed (one per window and one at the end; a failure stops the run).", () => state.windows + (state.finished ? 1 : 0));
    gauge("dctwin_hosts_connected", "Host processes (shards) that joined the run.", () => state.hostsConnected());
    gauge("dctwin_run_paused", "1 while the run is held at a window boundary, else 0.", () => (state.paused() ? 1 : 0));
    counter("dctwin_packets_injected_total", "Packets created by actors (current to the last window).", () => state.totals?.injected);
    counter("dctwin_packets_consumed_total", "Packets that reached their destination and were destroyed (current to the last window).", () => state.totals?.consumed);
    gauge("dctwin_packets_queued", "Packets held in actor queues after the last window.", () => state.totals?.queued);
    gauge("dctwin_packets_in_flight", "Packets on links or between hosts after the last window.", () => state.totals?.inFlight);
  }

  const links = () => [...state.links.values()];
  labelled("counter", "dctwin_link_packets_total", "Packets sent over links, per direction (from -> to) at the series' aggregation level.", LINK_LABELS, () => links().map((l) => ({ labels: l.labels, value: l.packets })));
  labelled("counter", "dctwin_link_bytes_total", "Bytes sent over links, per direction (from -> to) at the series' aggregation level.", LINK_LABELS, () => links().map((l) => ({ labels: l.labels, value: l.bytes })));
  labelled("counter", "dctwin_link_lost_packets_total", "Packets lost on the wire (link loss), per direction at the series' aggregation level.", LINK_LABELS, () => links().map((l) => ({ labels: l.labels, value: l.lost })));
  labelled("counter", "dctwin_energy_joules_total", "Energy used, in joules, integrated exactly from the power models, at the series' aggregation level (select one `level`).", ENTITY_LABELS, () => state.energy.values());
  labelled("gauge", "dctwin_power_watts", "Mean power over the last closed metrics interval, in watts, at the series' aggregation level (select one `level`).", ENTITY_LABELS, () => state.power.values());

  labelled("gauge", "dctwin_interval_observations_per_second", "Observations of a model metric per simulated second in the last closed metrics interval (metric=response_time: throughput, responses per second).", ["metric", "level", "group"], function* () {
    for (const [name, series] of [...state.metrics].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const metric = name.replace(/_ns$/, "");
      for (const m of series.values()) yield { labels: { metric, ...m.labels }, value: m.lastRatePerS };
    }
  });

  // Model metrics appear as the models record them; each gets its family the first time it is seen.
  const addModelFamily = (name: string) => {
    const f = modelMetricFamily(name, reserved);
    reserved.add(f.family);
    const series = () => [...(state.metrics.get(name)?.values() ?? [])];
    if (f.kind === "histogram") {
      new BucketHistogram({
        name: f.family,
        help: f.help,
        labelNames: ["level", "group"],
        buckets: f.buckets,
        registry,
        read: () => series().map((m) => ({ labels: m.labels, cumulative: cumulativeCounts(m.histogram, f.buckets, f.scale), count: m.count, sum: m.sum * f.scale })),
      });
    } else labelled("counter", f.family, f.help, ["level", "group"], () => series().map((m) => ({ labels: m.labels, value: m.sum * f.scale })));
  };
  for (const name of [...state.metrics.keys()].sort()) addModelFamily(name);
  const previous = state.onNewMetric;
  state.onNewMetric = (name) => {
    previous?.(name);
    addModelFamily(name);
  };
}

/**
 * Upper bound on the time series (sample lines of the exposition, histogram buckets included) a run exports at
 * `level`, given how many model metrics (histograms and counters), drop reasons and energy components its models
 * produce. Per-entity families are bounded by the topology (levels.ts); nothing grows with packets or time.
 */
export function seriesBound(view: RunView, level: Parameters<typeof entitySeriesCounts>[1], produced: { histograms: number; histogramBuckets: number; counters: number; dropReasons: number; components: number; live: boolean; faults?: number }): number {
  const e = entitySeriesCounts(view, level, produced.components);
  const fixed = 17 + (produced.live ? 10 : 0) + (produced.faults ?? 0); // run_info, the scalar families, a series per fault
  const links = 3 * e.links;
  const energy = 2 * e.energy;
  const metrics = produced.histograms * e.groups * (produced.histogramBuckets + 3) + produced.counters * e.groups + (produced.histograms + produced.counters) * e.groups;
  return fixed + produced.dropReasons + links + energy + metrics;
}
