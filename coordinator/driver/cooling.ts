/**
 * The coordinator's side of cooling, the first boundary plug-in (boundary-plugins.ts): it carries heat to the
 * CRACs and inlet temperatures to the servers, at fixed simulated times, so cooling behaves the same on any number
 * of hosts.
 *
 * Why the coordinator: a CRAC is an actor (nodes/models/crac.ts), but the heat it removes is the power of many
 * servers, possibly on other hosts, and neither servers nor CRACs are wired to each other by links. The
 * coordinator already receives every actor's integrated energy per metrics interval, summed in actor order, so it
 * can turn a zone's IT energy into a command at a window boundary, which is how any cross-actor effect that is
 * not a packet enters the twin.
 *
 * Timing. Hosts close metrics interval k when a window starts at or after its end t_{k+1}; its report reaches the
 * coordinator when that window is done. So while cooling is modelled the driver starts a window at every interval
 * boundary t_j = j·I (j >= 1), and at t_j (j >= 2) sends, from interval j−2 (complete by then on every host):
 *   - each CRAC of zone z: `set_heat {watts: E_IT(z, j−2) / I / (number of CRACs of z)}`, every boundary;
 *   - each server of zone z with an `inlet_limit_c`: `set_inlet {celsius}` with the hottest reading among the
 *     zone's CRACs (their `inlet_mk` counters, the latest reported up to interval j−2), when it changed.
 * Heat thus reaches a CRAC two intervals after it was produced, and an inlet reading reaches the servers two
 * intervals after it was taken: a sensor and control delay of 2·I that is the same on every host count.
 * Zones are the `zone` labels of IT actors and the zone a cooling unit cools (the `coolsZone` trait of its kind,
 * e.g. a CRAC's `zone` parameter); IT is every other actor; servers take `set_inlet` when their kind's
 * `sensesInlet` trait says so (nodes/models/traits.ts).
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { CommandSpec } from "../../spec/experiment.ts";
import type { RunAggregator } from "../counts/aggregate.ts";
import { kindTraits } from "../../nodes/models/registry.ts";
import type { BoundaryPlugin } from "./boundary-plugins.ts";
import { actorCommand } from "../../spec/actor-command.ts";

const KELVIN = 273.15;

interface Zone {
  name: string;
  /** Actor indices, ascending. */
  it: number[];
  cracs: number[];
  /** Servers that throttle above an inlet limit (they take `set_inlet`). */
  sensing: number[];
  /** Last temperature sent to the servers (millikelvin), -1 before the first. */
  sentMk: number;
}

export class CoolingRelay implements BoundaryPlugin {
  private readonly zones: Zone[];
  private readonly intervalNs: number;
  /** The next boundary index j the relay has not served. */
  private nextBoundary = 1;
  /** Latest inlet reading per CRAC (millikelvin). */
  private readonly readings = new Map<number, number>();

  /** null when the scenario has no cooling unit (nothing to relay, and no extra windows). */
  static forScenario(scenario: ResolvedScenario): CoolingRelay | null {
    return scenario.actors.some((a) => coolsZone(a) !== undefined) ? new CoolingRelay(scenario) : null;
  }

  private constructor(scenario: ResolvedScenario) {
    this.intervalNs = scenario.run.metricsIntervalNs;
    const byName = new Map<string, Zone>();
    const zone = (name: string): Zone => {
      let z = byName.get(name);
      if (z === undefined) {
        z = { name, it: [], cracs: [], sensing: [], sentMk: -1 };
        byName.set(name, z);
      }
      return z;
    };
    for (const actor of scenario.actors) {
      const cooled = coolsZone(actor);
      if (cooled !== undefined) zone(cooled).cracs.push(actor.index);
      else if (actor.labels.zone !== undefined) {
        const z = zone(actor.labels.zone);
        z.it.push(actor.index);
        if (kindTraits(actor.kind).sensesInlet?.(actor.params as Record<string, unknown>) === true)
          z.sensing.push(actor.index);
      }
    }
    this.zones = [...byName.values()]
      .filter((z) => z.cracs.length > 0)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** At boundary j the relay reads interval j−2 (the sensor and control delay above). */
  readsInterval(boundary: number): number | null {
    return boundary >= 2 ? boundary - 2 : null;
  }

  /**
   * The commands due at a window that starts at `startNs` (empty unless it is an interval boundary the relay has
   * not served yet). Reads interval j−2 from the aggregator, which holds it once the window at t_{j−1} is done.
   */
  commandsAt(startNs: number, aggregator: RunAggregator): CommandSpec[] {
    if (startNs % this.intervalNs !== 0) return [];
    const j = startNs / this.intervalNs;
    if (j < this.nextBoundary) return [];
    this.nextBoundary = j + 1;
    if (j < 2) return [];
    const record = aggregator.intervals.get(j - 2);
    const commands: CommandSpec[] = [];
    for (const zone of this.zones) {
      let joules = 0;
      for (const actor of zone.it) for (const e of record?.energy.get(actor)?.values() ?? []) joules += e;
      const watts = joules / (this.intervalNs / 1e9) / zone.cracs.length;
      let hottest = -1;
      for (const crac of zone.cracs) {
        const counters = record?.counters.get(crac);
        const sum = counters?.get("inlet_mk");
        const samples = counters?.get("inlet_samples") ?? 0;
        if (sum !== undefined && samples > 0) this.readings.set(crac, Math.round(sum / samples));
        hottest = Math.max(hottest, this.readings.get(crac) ?? -1);
      }
      for (const crac of zone.cracs) commands.push(actorCommand(crac, "set_heat", { watts }));
      if (hottest >= 0 && hottest !== zone.sentMk) {
        zone.sentMk = hottest;
        const celsius = Math.round((hottest / 1000 - KELVIN) * 1000) / 1000;
        for (const server of zone.sensing) commands.push(actorCommand(server, "set_inlet", { celsius }));
      }
    }
    return commands;
  }
}

/** The zone a cooling unit cools (its kind's `coolsZone` trait: nodes/models/traits.ts); undefined for other actors. */
function coolsZone(actor: ResolvedScenario["actors"][number]): string | undefined {
  return kindTraits(actor.kind).coolsZone?.(actor.params as Record<string, unknown>);
}
