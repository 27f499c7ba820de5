/** The "Currents and entropy" dashboard as data (dashboards.ts lists every dashboard). */
import { perSimSecond, RUN, type DashboardSpec } from "../panels.ts";
import { SIM_RATE, K_B_PER_S, KB } from "./units.ts";

export const currents: DashboardSpec = {
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
