/** The "Energy" dashboard as data (dashboards.ts lists every dashboard). */
import { perSimSecond, RUN, type DashboardSpec } from "../panels.ts";
import { SIM_RATE, RATIO } from "./units.ts";

export const energy: DashboardSpec = {
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
