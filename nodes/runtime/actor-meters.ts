/**
 * The power and level meters of a shard's actors: each created on the actor's first reading, and listed in the
 * order they were created so the interval close visits only actors that have one (not every actor of the shard).
 */
import type { LocalActor } from "./actor-lifecycle.ts";
import { LevelMeter } from "./level-meter.ts";
import { levelNames } from "./names.ts";
import { PowerMeter } from "./power.ts";
import { ModelContractError } from "./shard-contract.ts";
import type { LinkSpec } from "./topology.ts";

/** The energy component of link ports (NICs, transceivers). */
export const PORT_POWER = "nic";

export class ActorMeters {
  /** Actors with a power meter, in the order they got it. */
  readonly powered: LocalActor[] = [];
  /** Actors with a level meter, in the order they got it. */
  readonly levelled: LocalActor[] = [];
  /** The levelled actors by index (sorted again only when some got a meter since). */
  private levelledSorted: LocalActor[] = [];

  setPower(actor: LocalActor, component: string, watts: number, nowNs: number): void {
    if (!(watts >= 0 && Number.isFinite(watts)))
      throw new ModelContractError(`${actor.spec.id} set ${component} power to ${watts} W`);
    this.power(actor).set(component, watts, nowNs);
  }

  addEnergy(actor: LocalActor, component: string, joules: number): void {
    if (!(joules >= 0 && Number.isFinite(joules)))
      throw new ModelContractError(`${actor.spec.id} added ${joules} J to ${component}`);
    this.power(actor).add(component, joules);
  }

  setLevel(actor: LocalActor, name: string, value: number, nowNs: number): void {
    this.setLevelId(actor, levelNames.id(name), value, nowNs);
  }

  /** As `setLevel`, by the level's id (names.ts). */
  setLevelId(actor: LocalActor, level: number, value: number, nowNs: number): void {
    if (!(Number.isSafeInteger(value) && value >= 0))
      throw new ModelContractError(
        `${actor.spec.id} set level ${levelNames.name(level)} to ${value} (expected a non-negative integer)`,
      );
    if (actor.levels === null) {
      actor.levels = new LevelMeter();
      this.levelled.push(actor);
    }
    actor.levels.setId(level, value, nowNs);
  }

  /** Actors with a level meter, by actor index. */
  levelledByIndex(): readonly LocalActor[] {
    if (this.levelledSorted.length !== this.levelled.length)
      this.levelledSorted = [...this.levelled].sort((a, b) => a.spec.index - b.spec.index);
    return this.levelledSorted;
  }

  /** At time 0: an actor that owns ports on powered links draws their idle power (scenario/link-power.ts). */
  powerPorts(actor: LocalActor, links: readonly LinkSpec[]): void {
    if (actor.spec.placedOn !== undefined) return; // its ports are its server's
    let idleW = 0;
    let powered = false;
    for (const port of actor.ports) {
      const w = links[port.link]!.idleW;
      if (w === undefined) continue;
      powered = true;
      idleW += w;
    }
    if (powered) this.power(actor).set(PORT_POWER, idleW, 0);
  }

  /** The actor's power meter, created on first use. */
  power(actor: LocalActor): PowerMeter {
    if (actor.power === null) {
      actor.power = new PowerMeter();
      this.powered.push(actor);
    }
    return actor.power;
  }
}
