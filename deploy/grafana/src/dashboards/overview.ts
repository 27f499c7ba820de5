/** The "Twin overview" dashboard as data (dashboards.ts lists every dashboard). */
import { perSimSecond, RUN, type DashboardSpec } from "../panels.ts";
import { SIM_RATE, RATIO } from "./units.ts";

export const overview: DashboardSpec = {
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
