/** The "Experiments" dashboard as data (dashboards.ts lists every dashboard). */
import { perSimSecond, RUN, type DashboardSpec } from "../panels.ts";

export const experiments: DashboardSpec = {
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
