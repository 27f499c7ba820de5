/** The "Services" dashboard as data (dashboards.ts lists every dashboard). */
import { perSimSecond, RUN, type DashboardSpec } from "../panels.ts";
import { SIM_RATE } from "./units.ts";

export const services: DashboardSpec = {
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
