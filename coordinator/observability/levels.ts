/**
 * Aggregation levels: how finely per-entity series (energy, power, link traffic, service metrics) are labelled.
 * Each series carries a `level` label naming its aggregation and the labels of that level's entity; a run's level
 * is the finest one emitted, and every coarser level is emitted too (so `{level="total"}` always exists):
 *
 * | run level | energy / power                           | link traffic (per direction)    | service metrics  |
 * |-----------|------------------------------------------|---------------------------------|------------------|
 * | total     | total                                    | total                           | total            |
 * | group     | + group, rack, zone, component (kind)    | + group pair (from, to)         | + group          |
 * | actor     | + actor                                  | + link direction (link, from, to) | (per group: finest the hosts report) |
 *
 * Series of different levels overlap: select one level in queries (summing across levels counts twice).
 */
import type { RunView } from "./run-view.ts";

export const AGGREGATION_LEVELS = ["total", "group", "actor"] as const;
export type AggregationLevel = (typeof AGGREGATION_LEVELS)[number];
/** Safe for any scenario: series grow with the number of groups, racks and zones, never with actors or links. */
export const DEFAULT_AGGREGATION_LEVEL: AggregationLevel = "group";

export type Labels = Record<string, string>;

/** One series an observation is added to: a stable key and its labels. */
export interface SeriesKey {
  key: string;
  labels: Labels;
}

function series(labels: Labels): SeriesKey {
  return { key: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join("\u0000"), labels };
}

const TOTAL = series({ level: "total" });

/** The energy series an actor's joules are added to (components are added by `componentSeries`). */
export function actorSeries(view: RunView, actor: number, level: AggregationLevel): SeriesKey[] {
  if (level === "total") return [TOTAL];
  const a = view.actors[actor];
  if (a === undefined) return [TOTAL];
  const out = [TOTAL, series({ level: "group", group: a.group })];
  if (a.labels.rack !== undefined) out.push(series({ level: "rack", rack: a.labels.rack }));
  if (a.labels.zone !== undefined) out.push(series({ level: "zone", zone: a.labels.zone }));
  if (level === "actor") out.push(series({ level: "actor", actor: a.id, group: a.group }));
  return out;
}

/** The energy series by component (cpu, gpu, chassis, ...): a small set fixed by the models. */
export function componentSeries(component: string, level: AggregationLevel): SeriesKey[] {
  return level === "total" ? [] : [series({ level: "component", component })];
}

/** The link-traffic series one link direction (link index * 2 + reverse) is added to. */
export function linkSeries(view: RunView, key: number, level: AggregationLevel): SeriesKey[] {
  if (level === "total") return [TOTAL];
  const link = view.links[key >> 1];
  if (link === undefined) return [TOTAL];
  const [from, to] = (key & 1) === 0 ? [link.a, link.b] : [link.b, link.a];
  const f = view.actors[from]!;
  const t = view.actors[to]!;
  const out = [TOTAL, series({ level: "group", from: f.group, to: t.group })];
  if (level === "actor") out.push(series({ level: "link", link: link.id, from: f.id, to: t.id }));
  return out;
}

/** The series a service metric of one actor group is added to (hosts aggregate metrics per group already). */
export function groupSeries(group: string, level: AggregationLevel): SeriesKey[] {
  return level === "total" ? [TOTAL] : [TOTAL, series({ level: "group", group })];
}

export function parseAggregationLevel(value: string): AggregationLevel {
  const level = AGGREGATION_LEVELS.find((l) => l === value);
  if (level === undefined) throw new Error(`unknown metrics level "${value}": expected one of ${AGGREGATION_LEVELS.join(", ")}`);
  return level;
}

/** Distinct label sets per kind of entity series at a level, for this run's topology (an exact upper bound). */
export function entitySeriesCounts(view: RunView, level: AggregationLevel, components = 0) {
  const energy = new Set<string>();
  for (let i = 0; i < view.actors.length; i++) for (const s of actorSeries(view, i, level)) energy.add(s.key);
  const links = new Set<string>();
  for (let k = 0; k < view.links.length * 2; k++) for (const s of linkSeries(view, k, level)) links.add(s.key);
  const groups = new Set<string>();
  for (const a of view.actors) for (const s of groupSeries(a.group, level)) groups.add(s.key);
  return { energy: energy.size + (level === "total" ? 0 : components), links: links.size, groups: groups.size };
}
