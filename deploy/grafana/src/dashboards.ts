/**
 * The five dctwin dashboards as data: what each panel shows, in which unit, from which PromQL. Metric names are
 * those of coordinator/observability/prometheus (one family per aggregation scope, base units).
 */
import { perSimSecond, RUN, type DashboardSpec } from "./panels.ts";

const SIM_RATE = "suffix:/s (simulated)";
const K_B_PER_S = "suffix:k_B/s";
const RATIO = "suffix:×";
const KB = 1.380649e-23;

const overview: DashboardSpec = {
  uid: "dctwin-overview",
  title: "dctwin / Twin overview",
  description:
    "Where a run is and whether it is healthy: simulated clock and pace, hosts, windows, packet conservation, faults.",
  rows: [
    {
      title: "Progress",
      panels: [
        {
          title: "Simulated clock",
          unit: "s",
          description: "Simulated time reached, against the run's duration.",
          queries: [
            { expr: `dctwin_sim_time_seconds{${RUN}}`, legend: "reached" },
            { expr: `dctwin_sim_duration_seconds{${RUN}}`, legend: "duration" },
          ],
        },
        {
          title: "Pace (simulated s per wall s)",
          unit: RATIO,
          description:
            "Simulated seconds per wall-clock second since the first window, and the pace asked for (0: as fast as possible).",
          live: true,
          queries: [
            { expr: `dctwin_sim_speed_ratio{${RUN}}`, legend: "measured" },
            { expr: `dctwin_sim_target_speed_ratio{${RUN}}`, legend: "target" },
          ],
        },
        {
          title: "Hosts connected",
          unit: "short",
          kind: "stat",
          description: "Host processes (shards) that joined the run.",
          live: true,
          queries: [{ expr: `dctwin_hosts_connected{${RUN}}` }],
        },
        {
          title: "Windows per wall second",
          unit: "suffix:/s (wall)",
          description:
            "Synchronisation windows per wall-clock second (each a round trip between the coordinator and every host).",
          live: true,
          queries: [{ expr: `rate(dctwin_windows_total{${RUN}}[$__rate_interval])`, legend: "windows" }],
        },
        {
          title: "Events per simulated second",
          unit: SIM_RATE,
          description: "Simulation events executed by all hosts per simulated second.",
          queries: [
            { expr: perSimSecond(`increase(dctwin_events_total{${RUN}}[$__rate_interval])`), legend: "events" },
          ],
        },
        {
          title: "Run state",
          unit: "bool_yes_no",
          kind: "stat",
          description:
            "Paused at a window boundary; finished (the endpoint then serves the final values until it closes).",
          live: true,
          queries: [
            { expr: `dctwin_run_paused{${RUN}}`, legend: "paused" },
            { expr: `dctwin_run_finished{${RUN}}`, legend: "finished" },
          ],
        },
      ],
    },
    {
      title: "Conservation",
      panels: [
        {
          title: "Conservation checks passed",
          unit: "short",
          description: "Packet conservation checks passed: one per window, one at the end (a failure stops the run).",
          live: true,
          queries: [
            { expr: `dctwin_conservation_checks_passed_total{${RUN}}`, legend: "checks" },
            { expr: `dctwin_windows_total{${RUN}}`, legend: "windows" },
          ],
        },
        {
          title: "Packets held",
          unit: "short",
          description: "Packets in actor queues and in flight (on links or between hosts) after the last window.",
          live: true,
          queries: [
            { expr: `dctwin_packets_queued{${RUN}}`, legend: "queued" },
            { expr: `dctwin_packets_in_flight{${RUN}}`, legend: "in flight" },
          ],
        },
        {
          title: "Faults in force",
          unit: "short",
          description: "Faults in force now (experiment or control API).",
          queries: [{ expr: `dctwin_faults_active{${RUN}}`, legend: "faults" }],
        },
        {
          title: "Trace spans lost",
          unit: "short",
          live: true,
          description:
            "Spans the OpenTelemetry exporter failed to send since the start (the collector unreachable or refusing them; each failure is also logged). 0 without tracing.",
          queries: [{ expr: `dctwin_trace_spans_export_failed_total{${RUN}}`, legend: "failed" }],
        },
      ],
    },
  ],
};

const energy: DashboardSpec = {
  uid: "dctwin-energy",
  title: "dctwin / Energy",
  description:
    "The heat ledger: IT, cooling and distribution-loss power and energy, PUE per interval and cumulative, energy by zone, rack and component, inlet temperatures.",
  rows: [
    {
      title: "Facility",
      panels: [
        {
          title: "Power by use",
          unit: "watt",
          stack: true,
          description:
            "Mean power of the last closed metrics interval: IT, cooling and distribution losses (stacked: facility power).",
          queries: [
            { expr: `dctwin_it_power_watts{${RUN}}`, legend: "IT" },
            { expr: `dctwin_cooling_power_watts{${RUN}}`, legend: "cooling" },
            { expr: `dctwin_distribution_loss_watts{${RUN}}`, legend: "distribution loss" },
          ],
        },
        {
          title: "PUE",
          unit: RATIO,
          description:
            "Facility over IT energy: of the last closed interval alone, and since the start (the cumulative one hides a cooling failure's dip).",
          queries: [
            { expr: `dctwin_interval_pue_ratio{${RUN}}`, legend: "interval" },
            { expr: `dctwin_pue_ratio{${RUN}}`, legend: "cumulative" },
          ],
        },
        {
          title: "Energy since the start",
          unit: "joule",
          description: "IT, cooling and distribution-loss energy since the start.",
          queries: [
            { expr: `dctwin_it_energy_joules_total{${RUN}}`, legend: "IT" },
            { expr: `dctwin_cooling_energy_joules_total{${RUN}}`, legend: "cooling" },
            { expr: `dctwin_distribution_loss_joules_total{${RUN}}`, legend: "distribution loss" },
          ],
        },
      ],
    },
    {
      title: "Where the energy goes",
      panels: [
        {
          title: "Energy by zone",
          unit: "joule",
          description:
            "Energy per zone since the start (a CRAC counts in the zone it cools; empty zone: actors without one). The family sums to the run's total.",
          queries: [{ expr: `dctwin_zone_energy_joules_total{${RUN}}`, legend: "{{zone}}" }],
        },
        {
          title: "Power by rack",
          unit: "watt",
          stack: true,
          description: "Mean power per rack over the last closed interval (empty rack: actors without one).",
          queries: [{ expr: `dctwin_rack_power_watts{${RUN}}`, legend: "{{rack}}" }],
        },
        {
          title: "Power by component",
          unit: "watt",
          stack: true,
          description: "Mean power per power component (cpu, gpu, chassis, cooling, fans, ...).",
          queries: [{ expr: `dctwin_component_power_watts{${RUN}}`, legend: "{{component}}" }],
        },
      ],
    },
    {
      title: "Cooling and carbon",
      panels: [
        {
          title: "CRAC inlet temperature",
          unit: "celsius",
          optional: "dctwin_actor_crac_inlet_temperature_celsius",
          description:
            "Inlet (cold-aisle) temperature each CRAC read last (at a metrics-interval boundary), per CRAC and the zone it cools.",
          queries: [{ expr: `dctwin_actor_crac_inlet_temperature_celsius{${RUN}}`, legend: "{{actor}} ({{zone}})" }],
        },
        {
          title: "Thermal throttles per simulated second",
          unit: SIM_RATE,
          optional: "dctwin_group_thermal_throttles_total",
          description: "Servers throttling because their inlet passed its limit, per server group.",
          queries: [
            {
              expr: perSimSecond(`increase(dctwin_group_thermal_throttles_total{${RUN}}[$__rate_interval])`),
              legend: "{{group}}",
            },
          ],
        },
        {
          title: "Carbon",
          unit: "massg",
          optional: "carbon",
          description: "Carbon emissions (any dctwin_*carbon* family, in grams of CO2e), when the run models them.",
          queries: [{ expr: `{__name__=~"dctwin_.*carbon.*", ${RUN}}`, legend: "{{__name__}}" }],
        },
      ],
    },
  ],
};

const currents: DashboardSpec = {
  uid: "dctwin-currents",
  title: "dctwin / Currents and entropy",
  description:
    "The packet ledger (currents over links, Schnakenberg entropy production in k_B/s) and the heat ledger's entropy generation P/T and Landauer efficiency.",
  rows: [
    {
      title: "Packet currents",
      panels: [
        {
          title: "Packets per simulated second, by group pair",
          unit: SIM_RATE,
          description: "Packets sent over links per simulated second, per pair of actor groups (from → to).",
          queries: [
            {
              expr: perSimSecond(`increase(dctwin_group_link_packets_total{${RUN}}[$__rate_interval])`),
              legend: "{{from}} → {{to}}",
            },
          ],
        },
        {
          title: "Bytes per simulated second, by group pair",
          unit: "Bps",
          description: "Bytes sent over links per simulated second, per pair of actor groups.",
          queries: [
            {
              expr: perSimSecond(`increase(dctwin_group_link_bytes_total{${RUN}}[$__rate_interval])`),
              legend: "{{from}} → {{to}}",
            },
          ],
        },
        {
          title: "Packets lost on the wire per simulated second",
          unit: SIM_RATE,
          description: "Link loss per simulated second, over all links.",
          queries: [
            {
              expr: perSimSecond(`increase(dctwin_link_lost_packets_total{${RUN}}[$__rate_interval])`),
              legend: "lost",
            },
          ],
        },
      ],
    },
    {
      title: "Entropy",
      panels: [
        {
          title: "Packet entropy production",
          unit: K_B_PER_S,
          description:
            "Schnakenberg entropy production of the packet currents in units of k_B per simulated second: pooled since the start (steady estimate) and of the last interval alone (noisy, biased up by O(1/T)).",
          queries: [
            { expr: `dctwin_packet_entropy_production_boltzmann_per_second{${RUN}}`, legend: "pooled" },
            { expr: `dctwin_interval_packet_entropy_production_boltzmann_per_second{${RUN}}`, legend: "last interval" },
          ],
        },
        {
          title: "Heat entropy generation",
          unit: "suffix:W/K",
          description: "Physical entropy generation P/T of the last closed interval at the ambient temperature.",
          queries: [{ expr: `dctwin_heat_entropy_production_watts_per_kelvin{${RUN}}`, legend: "P/T" }],
        },
        {
          title: "σ by group pair (± 1 standard error)",
          unit: K_B_PER_S,
          optional: "dctwin_group_link_packet_entropy_production_boltzmann_per_second",
          description:
            "Packet entropy production of the links joining two groups, pooled since the start, with the band of one jackknife standard error over batches of intervals (hops seen both ways only: pairs with only one-way currents have no finite σ and no series). Per link at metrics level actor: dctwin_actor_link_packet_entropy_production_boltzmann_per_second.",
          queries: [
            {
              expr: `dctwin_group_link_packet_entropy_production_boltzmann_per_second{${RUN}}`,
              legend: "{{from}} – {{to}}",
            },
            {
              expr: `dctwin_group_link_packet_entropy_production_boltzmann_per_second{${RUN}} + dctwin_group_link_packet_entropy_production_stderr_boltzmann_per_second{${RUN}}`,
              legend: "{{from}} – {{to}} + 1 s.e.",
            },
            {
              expr: `dctwin_group_link_packet_entropy_production_boltzmann_per_second{${RUN}} - dctwin_group_link_packet_entropy_production_stderr_boltzmann_per_second{${RUN}}`,
              legend: "{{from}} – {{to}} − 1 s.e.",
            },
          ],
        },
        {
          title: "Landauer efficiency",
          unit: "sci",
          description: `The Landauer bound of the bits erased (k_B T ln 2 each) over the power drawn: how far the twin's hardware is from the thermodynamic limit of its information processing.`,
          queries: [
            {
              expr: `${perSimSecond(`increase(dctwin_bit_erasures_total{${RUN}}[$__rate_interval])`)} * ${KB} * on(run) group_left() dctwin_ambient_temperature_kelvin{${RUN}} * ${Math.LN2} / on(run) group_left() dctwin_power_watts{${RUN}}`,
              legend: "bound / power",
            },
          ],
        },
      ],
    },
  ],
};

const services: DashboardSpec = {
  uid: "dctwin-services",
  title: "dctwin / Services",
  description: "What the twin's users see: throughput, response-time percentiles, queueing, drops by reason.",
  rows: [
    {
      title: "Requests",
      panels: [
        {
          title: "Throughput by client group",
          unit: "reqps",
          description: "Responses received per simulated second in the last closed interval, per client group.",
          queries: [{ expr: `dctwin_group_response_time_observations_per_second{${RUN}}`, legend: "{{group}}" }],
        },
        {
          title: "Response time percentiles",
          unit: "s",
          description:
            "p50, p90 and p99 of the response time over the rate window (from the histogram buckets), all client groups.",
          queries: [0.5, 0.9, 0.99].map((q) => ({
            expr: `histogram_quantile(${q}, sum by (le) (increase(dctwin_response_time_seconds_bucket{${RUN}}[$__rate_interval])))`,
            legend: `p${q * 100}`,
          })),
        },
        {
          title: "Queue wait p90 by group",
          unit: "s",
          description: "90th percentile of the time requests waited in a queue, per server group.",
          queries: [
            {
              expr: `histogram_quantile(0.9, sum by (le, group) (increase(dctwin_group_queue_wait_seconds_bucket{${RUN}}[$__rate_interval])))`,
              legend: "{{group}}",
            },
          ],
        },
      ],
    },
    {
      title: "Losses",
      panels: [
        {
          title: "Drops per simulated second, by reason",
          unit: SIM_RATE,
          optional: "dctwin_packets_dropped_total",
          description: "Packets dropped per simulated second, by reason (queue full, link loss, crashed actor, ...).",
          queries: [
            {
              expr: perSimSecond(`increase(dctwin_packets_dropped_total{${RUN}}[$__rate_interval])`),
              legend: "{{reason}}",
            },
          ],
        },
        {
          title: "SLO misses per simulated second",
          unit: SIM_RATE,
          optional: "dctwin_group_slo_misses_total",
          description: "Requests slower than the client's service-level objective, or timed out, per client group.",
          queries: [
            {
              expr: perSimSecond(`increase(dctwin_group_slo_misses_total{${RUN}}[$__rate_interval])`),
              legend: "{{group}}",
            },
          ],
        },
        {
          title: "Requests sent",
          unit: "short",
          description: "Requests sent by each client group since the start.",
          queries: [{ expr: `dctwin_group_requests_sent_total{${RUN}}`, legend: "{{group}}" }],
        },
      ],
    },
    {
      title: "Servers",
      panels: [
        {
          title: "Server utilisation by group",
          unit: "percentunit",
          optional: "dctwin_group_server_utilisation_ratio",
          description:
            "Time-average fraction of the servers' cores (or GPUs) in use over the last closed interval, averaged over each group's servers.",
          queries: [{ expr: `dctwin_group_server_utilisation_ratio{${RUN}}`, legend: "{{group}}" }],
        },
        {
          title: "Requests held by server group",
          unit: "short",
          optional: "dctwin_group_server_requests_held",
          description:
            "Requests the servers held (waiting, in service, awaiting downstream calls), time-averaged over the last closed interval, summed over each group.",
          queries: [{ expr: `dctwin_group_server_requests_held{${RUN}}`, legend: "{{group}}" }],
        },
        {
          title: "Server states",
          unit: "percentunit",
          stack: true,
          optional: "dctwin_group_server_state_ratio",
          description:
            "Share of each group's server-time in each state (on, throttled, booting, shutting down, off, failed) over the last closed interval; a group's states stack to 100 %.",
          queries: [{ expr: `dctwin_group_server_state_ratio{${RUN}}`, legend: "{{group}} {{state}}" }],
        },
      ],
    },
  ],
};

const experiments: DashboardSpec = {
  uid: "dctwin-experiments",
  title: "dctwin / Experiments",
  description:
    "Faults of the experiment or the control API (also as annotations on every time plot), load changes and check verdicts.",
  rows: [
    {
      title: "Faults",
      panels: [
        {
          title: "Faults in force",
          unit: "bool_on_off",
          optional: "dctwin_fault_active",
          description: "1 while a fault is in force, per fault (id and action).",
          queries: [{ expr: `dctwin_fault_active{${RUN}}`, legend: "{{fault}} ({{action}})" }],
        },
        {
          title: "Faults injected and cleared",
          unit: "short",
          description: "Faults applied and cleared since the start.",
          queries: [
            { expr: `dctwin_faults_injected_total{${RUN}}`, legend: "injected" },
            { expr: `dctwin_faults_cleared_total{${RUN}}`, legend: "cleared" },
          ],
        },
        {
          title: "Response time p99 around faults",
          unit: "s",
          description: "The users' view of the faults: p99 response time over the rate window.",
          queries: [
            {
              expr: `histogram_quantile(0.99, sum by (le) (increase(dctwin_response_time_seconds_bucket{${RUN}}[$__rate_interval])))`,
              legend: "p99",
            },
          ],
        },
      ],
    },
    {
      title: "Load and checks",
      panels: [
        {
          title: "Load changes in progress",
          unit: "bool_on_off",
          optional: "dctwin_load_change_active",
          description:
            "1 while a load change (experiment or control API) is in progress, from its first step to the end of its ramp or stages, per load change.",
          queries: [{ expr: `dctwin_load_change_active{${RUN}}`, legend: "{{name}}" }],
        },
        {
          title: "Offered load by client group",
          unit: "reqps",
          description: "Requests sent per simulated second, per client group: what a load change moves.",
          queries: [
            {
              expr: perSimSecond(`increase(dctwin_group_requests_sent_total{${RUN}}[$__rate_interval])`),
              legend: "{{group}}",
            },
          ],
        },
        {
          title: "Check verdicts",
          unit: "short",
          kind: "stat",
          optional: "dctwin_check_verdict",
          description:
            "The steady-state checks decided so far (a check is decided once its window has closed): the verdict per check (passed, failed, or undecided: no data, which counts as failed).",
          queries: [{ expr: `dctwin_check_verdict{${RUN}} == 1`, legend: "{{check}}: {{verdict}}" }],
        },
      ],
    },
  ],
};

export const DASHBOARDS: readonly DashboardSpec[] = [overview, energy, currents, services, experiments];
