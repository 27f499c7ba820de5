/**
 * What the observability code needs to know about a run: its actors (id, group, rack/zone labels), its links and
 * its clock settings. Built from the resolved scenario during a run, or from the header of intervals.jsonl when a
 * finished run is exported or reported.
 */
import type { CarbonSettings, ResolvedScenario } from "../../nodes/runtime/topology.ts";
import { kindTraits } from "../../nodes/models/registry.ts";

export interface RunViewActor {
  id: string;
  kind: string;
  group: string;
  labels: Record<string, string>;
}

export interface RunViewLink {
  id: string;
  /** Actor indices of the two ends. */
  a: number;
  b: number;
}

export interface RunView {
  runId: string;
  scenario: string;
  intervalNs: number;
  durationNs: number;
  actors: RunViewActor[];
  links: RunViewLink[];
  /** Heat sink temperature (P/T) and the share of IT + cooling energy lost in distribution (PUE). */
  ambientTemperatureK: number;
  distributionLoss: number;
  /** Grid intensity and embodied carbon (run.carbon); null when not modelled. */
  carbon: CarbonSettings | null;
}

export function runViewFromScenario(scenario: ResolvedScenario, runId: string): RunView {
  return {
    runId,
    scenario: scenario.run.name,
    intervalNs: scenario.run.metricsIntervalNs,
    durationNs: scenario.run.durationNs,
    actors: scenario.actors.map((a) => ({ id: a.id, kind: a.kind, group: a.group, labels: withCooledZone(a) })),
    links: scenario.links.map((l) => ({ id: l.id, a: l.a, b: l.b })),
    ambientTemperatureK: scenario.run.ambientTemperatureK,
    distributionLoss: scenario.run.distributionLoss,
    carbon: scenario.run.carbon ?? null,
  };
}

/** [start, end) of metrics interval `index` in simulated nanoseconds; the last one ends with the run. */
export function intervalBoundsNs(view: RunView, index: number): [number, number] {
  const start = index * view.intervalNs;
  return [start, Math.min(start + view.intervalNs, Math.max(view.durationNs, start))];
}

/** An actor's labels; a cooling unit without a `zone` label gets the zone it cools, so its energy counts there. */
function withCooledZone(actor: ResolvedScenario["actors"][number]): Record<string, string> {
  const zone = kindTraits(actor.kind).coolsZone?.(actor.params as Record<string, unknown>);
  return zone !== undefined && actor.labels.zone === undefined ? { ...actor.labels, zone } : { ...actor.labels };
}
