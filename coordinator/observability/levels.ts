/**
 * Aggregation levels: how finely per-entity series (energy, power, link traffic, service metrics) are exported.
 * Each aggregation is its own family, named by its scope (the Kepler convention): the run total has no prefix,
 * the others are prefixed with the entity they are per, so summing any one family gives the run total and no
 * query ever mixes levels.
 *
 * | run level | energy / power                                   | link traffic (per direction)         | service metrics |
 * |-----------|--------------------------------------------------|--------------------------------------|-----------------|
 * | total     | dctwin_energy_joules_total                       | dctwin_link_packets_total            | dctwin_X        |
 * | group     | + dctwin_{group,rack,zone,component}_energy_…    | + dctwin_group_link_…{from,to}       | + dctwin_group_X{group} |
 * | actor     | + dctwin_actor_energy_…{actor,group,rack,zone}   | + dctwin_actor_link_…{link,from,to}  | (per group: finest the hosts report) |
 *
 * An actor without a rack (or zone) label is in the series with an empty `rack` (`zone`), which Prometheus shows
 * without the label: every actor's energy is in exactly one series of every family.
 */
import type { RunView } from "./run-view.ts";

export const AGGREGATION_LEVELS = ["total", "group", "actor"] as const;
export type AggregationLevel = (typeof AGGREGATION_LEVELS)[number];
/** Safe for any scenario: series grow with the number of groups, racks and zones, never with actors or links. */
export const DEFAULT_AGGREGATION_LEVEL: AggregationLevel = "group";

/** The scope of one family: what its series are per (the family name's prefix after `dctwin_`). */
export type Scope = "total" | "group" | "rack" | "zone" | "component" | "actor";
export const ENERGY_SCOPES: readonly Scope[] = ["total", "group", "rack", "zone", "component", "actor"];
/** The label names of each scope's series (besides `run`). */
export const SCOPE_LABELS: Readonly<Record<Scope, string[]>> = {
  total: [],
  group: ["group"],
  rack: ["rack"],
  zone: ["zone"],
  component: ["component"],
  actor: ["actor", "group", "rack", "zone"],
};
/** Link traffic: the run total, group pairs, link directions. */
export type LinkScope = "total" | "group" | "actor";
export const LINK_SCOPES: readonly LinkScope[] = ["total", "group", "actor"];
export const LINK_SCOPE_LABELS: Readonly<Record<LinkScope, string[]>> = {
  total: [],
  group: ["from", "to"],
  actor: ["link", "from", "to"],
};

/** A family's name at a scope: `dctwin_<base>` for the run total, `dctwin_<scope>_<base>` otherwise. */
export function scopedName(scope: Scope | LinkScope, base: string): string {
  return scope === "total" ? `dctwin_${base}` : `dctwin_${scope}_${base}`;
}

export type Labels = Record<string, string>;

/** One series an observation is added to: its family scope, a stable key and its labels. */
export interface SeriesKey<S extends string = Scope> {
  scope: S;
  key: string;
  labels: Labels;
}

function series<S extends string>(scope: S, labels: Labels): SeriesKey<S> {
  return { scope, key: [scope, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)].join("\u0000"), labels };
}

const TOTAL = series<Scope>("total", {});

/** The energy series an actor's joules are added to (components are added by `componentSeries`). */
export function actorSeries(view: RunView, actor: number, level: AggregationLevel): SeriesKey[] {
  if (level === "total") return [TOTAL];
  const a = view.actors[actor];
  if (a === undefined) return [TOTAL];
  const rack = a.labels.rack ?? "";
  const zone = a.labels.zone ?? "";
  const out = [
    TOTAL,
    series<Scope>("group", { group: a.group }),
    series<Scope>("rack", { rack }),
    series<Scope>("zone", { zone }),
  ];
  if (level === "actor") out.push(series<Scope>("actor", { actor: a.id, group: a.group, rack, zone }));
  return out;
}

/** The energy series by component (cpu, gpu, chassis, ...): a small set fixed by the models. */
export function componentSeries(component: string, level: AggregationLevel): SeriesKey[] {
  return level === "total" ? [] : [series<Scope>("component", { component })];
}

const LINK_TOTAL = series<LinkScope>("total", {});

/** The link-traffic series one link direction (link index * 2 + reverse) is added to. */
export function linkSeries(view: RunView, key: number, level: AggregationLevel): SeriesKey<LinkScope>[] {
  if (level === "total") return [LINK_TOTAL];
  const link = view.links[key >> 1];
  if (link === undefined) return [LINK_TOTAL];
  const [from, to] = (key & 1) === 0 ? [link.a, link.b] : [link.b, link.a];
  const f = view.actors[from]!;
  const t = view.actors[to]!;
  const out = [LINK_TOTAL, series<LinkScope>("group", { from: f.group, to: t.group })];
  if (level === "actor") out.push(series<LinkScope>("actor", { link: link.id, from: f.id, to: t.id }));
  return out;
}

/** The series a service metric of one actor group is added to (hosts aggregate metrics per group already). */
export function groupSeries(group: string, level: AggregationLevel): SeriesKey[] {
  return level === "total" ? [TOTAL] : [TOTAL, series<Scope>("group", { group })];
}

export function parseAggregationLevel(value: string): AggregationLevel {
  const level = AGGREGATION_LEVELS.find((l) => l === value);
  if (level === undefined)
    throw new Error(`unknown metrics level "${value}": expected one of ${AGGREGATION_LEVELS.join(", ")}`);
  return level;
}

/** Distinct series per kind of entity family at a level, for this run's topology (an exact upper bound). */
export function entitySeriesCounts(view: RunView, level: AggregationLevel, components = 0) {
  const energy = new Set<string>();
  for (let i = 0; i < view.actors.length; i++) for (const s of actorSeries(view, i, level)) energy.add(s.key);
  const links = new Set<string>();
  for (let k = 0; k < view.links.length * 2; k++) for (const s of linkSeries(view, k, level)) links.add(s.key);
  const groups = new Set<string>();
  for (const a of view.actors) for (const s of groupSeries(a.group, level)) groups.add(s.key);
  return { energy: energy.size + (level === "total" ? 0 : components), links: links.size, groups: groups.size };
}
