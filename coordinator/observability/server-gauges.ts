/**
 * Gauges of the last closed metrics interval from per-actor counters: servers' utilisation, requests held and
 * time share per state (from their level integrals, nodes/runtime/level-meter.ts), and each CRAC's inlet reading.
 * Per server at level actor; per group at group and actor (utilisation: the mean over the group's servers;
 * requests held: their sum; state ratio: the share of the group's server-time in each state, adding up to 1).
 */
import { kindTraits } from "../../nodes/models/registry.ts";
import { LEVEL_COUNTER_PREFIX } from "../../nodes/runtime/level-meter.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { stateSeconds } from "../counts/levels.ts";
import type { AggregationLevel, Labels } from "./levels.ts";
import type { RunView } from "./run-view.ts";

export interface GaugeSample {
  labels: Labels;
  value: number;
}

const KELVIN_MK = 273_150;

export class ServerGauges {
  private readonly view: RunView;
  private readonly level: AggregationLevel;
  private readonly servers: number[];
  private readonly cracs: number[];
  actorUtilisation: GaugeSample[] = [];
  actorHeld: GaugeSample[] = [];
  groupUtilisation: GaugeSample[] = [];
  groupHeld: GaugeSample[] = [];
  groupStateRatio: GaugeSample[] = [];
  /** Last inlet reading per CRAC, °C (held between readings). */
  private readonly inlet = new Map<number, number>();

  constructor(view: RunView, level: AggregationLevel) {
    this.view = view;
    this.level = level;
    this.servers = view.actors.flatMap((a, i) => (kindTraits(a.kind).serverSeries === true ? [i] : []));
    this.cracs = view.actors.flatMap((a, i) => (kindTraits(a.kind).coolsZone !== undefined ? [i] : []));
  }

  add(record: IntervalRecord, seconds: number): void {
    for (const i of this.cracs) {
      const c = record.counters.get(i);
      const n = c?.get("inlet_samples") ?? 0;
      if (n > 0) this.inlet.set(i, (c!.get("inlet_mk")! / n - KELVIN_MK) / 1000);
    }
    if (this.level === "total") return;
    const ns = seconds * 1e9;
    const groups = new Map<
      string,
      { servers: number; utilisation: number; held: number; states: Map<string, number> }
    >();
    this.actorUtilisation = [];
    this.actorHeld = [];
    for (const i of this.servers) {
      const counters = record.counters.get(i);
      if (counters === undefined || ![...counters.keys()].some((k) => k.startsWith(LEVEL_COUNTER_PREFIX))) continue;
      const a = this.view.actors[i]!;
      const utilisation = (counters.get(`${LEVEL_COUNTER_PREFIX}utilisation_ppm`) ?? 0) / 1e6 / ns;
      const held = (counters.get(`${LEVEL_COUNTER_PREFIX}held`) ?? 0) / ns;
      if (this.level === "actor") {
        const labels = { actor: a.id, group: a.group, rack: a.labels.rack ?? "", zone: a.labels.zone ?? "" };
        this.actorUtilisation.push({ labels, value: utilisation });
        this.actorHeld.push({ labels, value: held });
      }
      let g = groups.get(a.group);
      if (g === undefined) groups.set(a.group, (g = { servers: 0, utilisation: 0, held: 0, states: new Map() }));
      g.servers++;
      g.utilisation += utilisation;
      g.held += held;
      for (const [state, s] of stateSeconds(counters)) g.states.set(state, (g.states.get(state) ?? 0) + s);
    }
    const sorted = [...groups].sort(([a], [b]) => (a < b ? -1 : 1));
    this.groupUtilisation = sorted.map(([group, g]) => ({ labels: { group }, value: g.utilisation / g.servers }));
    this.groupHeld = sorted.map(([group, g]) => ({ labels: { group }, value: g.held }));
    this.groupStateRatio = sorted.flatMap(([group, g]) =>
      [...g.states]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([state, s]) => ({ labels: { group, state }, value: s / seconds / g.servers })),
    );
  }

  cracInlet(): GaugeSample[] {
    return [...this.inlet]
      .sort(([a], [b]) => a - b)
      .map(([i, celsius]) => ({
        labels: {
          actor: this.view.actors[i]!.id,
          group: this.view.actors[i]!.group,
          rack: this.view.actors[i]!.labels.rack ?? "",
          zone: this.view.actors[i]!.labels.zone ?? "",
        },
        value: celsius,
      }));
  }
}
