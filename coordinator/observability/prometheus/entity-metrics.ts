/**
 * The per-entity families: energy, power, link traffic and the models' metrics, one family per scope (levels.ts),
 * so that `sum()` over any one family is the run total. Which scopes exist follows the run's aggregation level.
 */
import { toBaseUnit } from "../../../nodes/models/metric-declarations.ts";
import {
  ENERGY_SCOPES,
  LINK_SCOPES,
  LINK_SCOPE_LABELS,
  SCOPE_LABELS,
  scopedName,
  type AggregationLevel,
  type LinkScope,
  type Scope,
} from "../levels.ts";
import type { RunState } from "../run-state.ts";
import { BucketHistogram } from "./bucket-histogram.ts";
import { cumulativeCounts } from "./buckets.ts";
import type { FamilyRegistrar } from "./families.ts";
import { modelMetricFamily } from "./model-metrics.ts";

const SCOPE_WORDS: Record<Scope | LinkScope, string> = {
  total: "the whole run",
  group: "per actor group",
  rack: "per rack (actors without a rack label: empty rack)",
  zone: "per zone (actors without a zone: empty zone; a CRAC counts in the zone it cools)",
  component: "per power component (cpu, gpu, chassis, cooling, ...)",
  actor: "per actor",
};
const LINK_WORDS: Record<LinkScope, string> = {
  total: "over all links",
  group: "over links, per pair of actor groups (from -> to)",
  actor: "over links, per link direction (from -> to)",
};

/** The scopes a level emits: the total always, the group-like ones from `group`, actors and links at `actor`. */
export function energyScopes(level: AggregationLevel): Scope[] {
  return ENERGY_SCOPES.filter((s) => s === "total" || (level !== "total" && s !== "actor") || level === "actor");
}

export function linkScopes(level: AggregationLevel): LinkScope[] {
  return LINK_SCOPES.filter((s) => s === "total" || (s === "group" && level !== "total") || level === "actor");
}

export function registerEntityMetrics(f: FamilyRegistrar, state: RunState): void {
  for (const scope of energyScopes(state.level)) {
    const of =
      <T extends { scope: Scope }>(m: Map<string, T>) =>
      () =>
        [...m.values()].filter((s) => s.scope === scope);
    f.scoped(
      "counter",
      scopedName(scope, "energy_joules_total"),
      `Energy used (${SCOPE_WORDS[scope]}), in joules, integrated exactly from the power models (IT and cooling; distribution losses are dctwin_distribution_loss_joules_total). Summing the family gives the run's total.`,
      SCOPE_LABELS[scope],
      of(state.energy),
    );
    f.scoped(
      "gauge",
      scopedName(scope, "power_watts"),
      `Mean power (${SCOPE_WORDS[scope]}) over the last closed metrics interval, in watts.`,
      SCOPE_LABELS[scope],
      of(state.power),
    );
  }
  for (const scope of linkScopes(state.level)) {
    const links = () => [...state.links.values()].filter((l) => l.scope === scope);
    const labels = LINK_SCOPE_LABELS[scope];
    f.scoped("counter", scopedName(scope, "link_packets_total"), `Packets sent ${LINK_WORDS[scope]}.`, labels, () =>
      links().map((l) => ({ labels: l.labels, value: l.packets })),
    );
    f.scoped("counter", scopedName(scope, "link_bytes_total"), `Bytes sent ${LINK_WORDS[scope]}.`, labels, () =>
      links().map((l) => ({ labels: l.labels, value: l.bytes })),
    );
    f.scoped(
      "counter",
      scopedName(scope, "link_lost_packets_total"),
      `Packets lost on the wire (link loss) ${LINK_WORDS[scope]}.`,
      labels,
      () => links().map((l) => ({ labels: l.labels, value: l.lost })),
    );
  }

  registerServerAndSigmaGauges(f, state);

  // Model metrics appear as the models record them; each gets its families the first time it is seen.
  const metricScopes: Scope[] = state.level === "total" ? ["total"] : ["total", "group"];
  const addModelFamilies = (name: string) => {
    const m = modelMetricFamily(name, f.reserved);
    const d = m.declaration;
    for (const scope of metricScopes) {
      const series = () => [...(state.metrics.get(name)?.values() ?? [])].filter((s) => s.scope === scope);
      const labelNames = SCOPE_LABELS[scope];
      const family = m.family(scope);
      if (d.type === "histogram") {
        f.reserved.add(family);
        new BucketHistogram({
          name: family,
          help: m.help,
          labelNames,
          buckets: m.buckets,
          registry: f.registry,
          read: () =>
            series().map((s) => ({
              labels: s.labels,
              cumulative: cumulativeCounts(s.histogram, m.buckets, d.scale),
              count: s.count,
              sum: s.sum * d.scale,
            })),
        });
        f.scoped(
          "gauge",
          scopedName(scope, `${d.name}_observations_per_second`),
          `Observations of ${d.name} (${SCOPE_WORDS[scope]}) per simulated second in the last closed metrics interval${d.name === "response_time" ? " (throughput: responses per second)" : ""}.`,
          labelNames,
          () => series().map((s) => ({ labels: s.labels, value: s.lastRatePerS })),
        );
      } else if (d.type === "counter") {
        f.scoped("counter", family, m.help, labelNames, () =>
          series().map((s) => ({ labels: s.labels, value: s.sum * d.scale })),
        );
      } else if (scope === metricScopes.at(-1)) {
        f.labelled("gauge", family, m.help, labelNames, () =>
          series().map((s) => ({ labels: s.labels, value: toBaseUnit(d, s.lastMean) })),
        );
      }
    }
  };
  for (const name of [...state.metrics.keys()].sort()) addModelFamilies(name);
  const previous = state.onNewMetric;
  state.onNewMetric = (name) => {
    previous?.(name);
    addModelFamilies(name);
  };
}

/** Servers' utilisation, requests held and states, CRACs' inlet readings and σ per link (last closed interval). */
function registerServerAndSigmaGauges(f: FamilyRegistrar, state: RunState): void {
  const g = state.servers;
  const actorLabels = SCOPE_LABELS.actor;
  // Every level: a CRAC per zone at most, so the family stays small.
  f.labelled(
    "gauge",
    "dctwin_actor_crac_inlet_temperature_celsius",
    "Inlet (cold-aisle) temperature each CRAC read last (at a metrics-interval boundary), in degrees Celsius; per CRAC at every metrics level.",
    actorLabels,
    () => g.cracInlet(),
  );
  const sigma = (scope: "group" | "actor") => () => state.linkSigma.series.filter((s) => s.scope === scope);
  if (state.level !== "total") {
    f.labelled(
      "gauge",
      "dctwin_group_server_utilisation_ratio",
      "Mean utilisation of a group's servers over the last closed metrics interval: the time-average fraction of their serving units (cores, or GPUs) in use, averaged over the group's servers.",
      ["group"],
      () => g.groupUtilisation,
    );
    f.labelled(
      "gauge",
      "dctwin_group_server_requests_held",
      "Requests a group's servers held (waiting, in service, awaiting downstream calls), time-averaged over the last closed metrics interval and summed over the group's servers.",
      ["group"],
      () => g.groupHeld,
    );
    f.labelled(
      "gauge",
      "dctwin_group_server_state_ratio",
      "Share of a group's server-time in each state (on, throttled, booting, shutting_down, off, failed) over the last closed metrics interval; a group's states add up to 1.",
      ["group", "state"],
      () => g.groupStateRatio,
    );
    f.labelled(
      "gauge",
      "dctwin_group_link_packet_entropy_production_boltzmann_per_second",
      "Packet entropy production of the links joining two groups (from, to: the groups in name order), pooled over the closed intervals, in units of k_B per simulated second; hops seen both ways only (no series without any).",
      ["from", "to"],
      () => sigma("group")().map((s) => ({ labels: s.labels, value: s.sigmaKbPerS })),
    );
    f.labelled(
      "gauge",
      "dctwin_group_link_packet_entropy_production_stderr_boltzmann_per_second",
      "Jackknife standard error of dctwin_group_link_packet_entropy_production_boltzmann_per_second over batches of closed intervals (NaN before the second interval), in k_B per simulated second.",
      ["from", "to"],
      () => sigma("group")().map((s) => ({ labels: s.labels, value: s.stderrKbPerS })),
    );
  }
  if (state.level === "actor") {
    f.labelled(
      "gauge",
      "dctwin_actor_server_utilisation_ratio",
      "Utilisation of each server over the last closed metrics interval: the time-average fraction of its serving units (cores, or GPUs) in use.",
      actorLabels,
      () => g.actorUtilisation,
    );
    f.labelled(
      "gauge",
      "dctwin_actor_server_requests_held",
      "Requests each server held (waiting, in service, awaiting downstream calls), time-averaged over the last closed metrics interval.",
      actorLabels,
      () => g.actorHeld,
    );
    f.labelled(
      "gauge",
      "dctwin_actor_link_packet_entropy_production_boltzmann_per_second",
      "Packet entropy production of each link, pooled over the closed intervals, in units of k_B per simulated second; hops seen both ways only (no series without any).",
      ["link"],
      () => sigma("actor")().map((s) => ({ labels: s.labels, value: s.sigmaKbPerS })),
    );
    f.labelled(
      "gauge",
      "dctwin_actor_link_packet_entropy_production_stderr_boltzmann_per_second",
      "Jackknife standard error of dctwin_actor_link_packet_entropy_production_boltzmann_per_second over batches of closed intervals (NaN before the second interval), in k_B per simulated second.",
      ["link"],
      () => sigma("actor")().map((s) => ({ labels: s.labels, value: s.stderrKbPerS })),
    );
  }
}
