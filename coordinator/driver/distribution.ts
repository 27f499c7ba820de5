/**
 * The distribution relay, a boundary plug-in (boundary-plugins.ts): it tells each distribution unit (a UPS or PDU,
 * energy role "distribution", its kind's `feedsLoad` trait) the IT power it delivers, so the unit's loss follows
 * the load on any number of hosts. As with cooling (cooling.ts), at every interval boundary t_j (j >= 2) it sends
 * each unit `set_load {watts: E_IT(fed, j−2) / I / (number of units feeding the same actors)}`, from interval j−2
 * (complete on every host by then): a metering delay of 2·I. The IT actors a unit feeds are those of its zone (the
 * `zone` label), or every IT actor (energy role "it") when it names no zone.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { CommandSpec } from "../../spec/experiment.ts";
import type { RunAggregator } from "../counts/aggregate.ts";
import { kindTraits } from "../../nodes/models/registry.ts";
import type { BoundaryPlugin } from "./boundary-plugins.ts";

interface Feed {
  /** IT actor indices, ascending. */
  it: number[];
  units: number[];
}

export class DistributionRelay implements BoundaryPlugin {
  private readonly feeds: Feed[];
  private readonly intervalNs: number;

  /** null when the scenario has no distribution unit. */
  static forScenario(scenario: ResolvedScenario): DistributionRelay | null {
    return scenario.actors.some((a) => feedsOf(a) !== undefined) ? new DistributionRelay(scenario) : null;
  }

  private constructor(scenario: ResolvedScenario) {
    this.intervalNs = scenario.run.metricsIntervalNs;
    const byZone = new Map<string, Feed>(); // "" stands for every IT actor
    for (const actor of scenario.actors) {
      const fed = feedsOf(actor);
      if (fed === undefined) continue;
      const key = fed.zone ?? "";
      let feed = byZone.get(key);
      if (feed === undefined) {
        const it = scenario.actors
          .filter((a) => kindTraits(a.kind).energyRole === "it" && (fed.zone === null || a.labels.zone === fed.zone))
          .map((a) => a.index);
        byZone.set(key, (feed = { it, units: [] }));
      }
      feed.units.push(actor.index);
    }
    this.feeds = [...byZone].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, feed]) => feed);
  }

  readsInterval(boundary: number): number | null {
    return boundary >= 2 ? boundary - 2 : null;
  }

  commandsAt(startNs: number, aggregator: RunAggregator): CommandSpec[] {
    const j = startNs / this.intervalNs;
    if (!Number.isInteger(j) || j < 2) return [];
    const record = aggregator.intervals.get(j - 2);
    const commands: CommandSpec[] = [];
    for (const feed of this.feeds) {
      let joules = 0;
      for (const actor of feed.it) for (const e of record?.energy.get(actor)?.values() ?? []) joules += e;
      const watts = joules / (this.intervalNs / 1e9) / feed.units.length;
      for (const unit of feed.units)
        commands.push({ actor: { actor: unit, command: "set_load", argsJson: JSON.stringify({ watts }) } });
    }
    return commands;
  }
}

function feedsOf(actor: ResolvedScenario["actors"][number]): { zone: string | null } | undefined {
  return kindTraits(actor.kind).feedsLoad?.(actor.params as Record<string, unknown>);
}
