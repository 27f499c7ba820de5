/**
 * Exact time integrals of an actor's levels (busy cores, requests waiting, 1 while in a state, ...): a level is a
 * non-negative integer, piecewise constant between the actor's own events, so its integral over a metrics interval
 * is an integer (level × nanoseconds) that the host reports as the actor's counter `level:<name>`. The coordinator
 * divides by the interval's length for the time-average (docs/results.md). Like the power meter, integrals are cut
 * only at the actor's events and at interval boundaries, so they are the same on any host.
 */

import { levelNames, NAMES_TOKEN } from "./names.ts";

/** The counter a level's integral (level × ns) is reported as. */
export const LEVEL_COUNTER_PREFIX = "level:";

interface Level {
  value: number;
  sinceNs: number;
  integral: number;
}

export class LevelMeter {
  private readonly levels = new Map<string, Level>();
  /** The same levels by level id (names.ts), filled on first use: a cache of ids of NAMES_TOKEN's tables. */
  private byId: (Level | undefined)[] = [];
  private token = NAMES_TOKEN;

  /** From `nowNs` on, level `name` is `value` (a non-negative integer). */
  set(name: string, value: number, nowNs: number): void {
    this.setId(levelNames.id(name), value, nowNs);
  }

  /** As `set`, by the level's id (names.ts). */
  setId(id: number, value: number, nowNs: number): void {
    if (this.token !== NAMES_TOKEN) {
      this.byId = []; // restored from another process's checkpoint: its ids are not this process's
      this.token = NAMES_TOKEN;
    }
    let l = this.byId[id];
    if (l === undefined) {
      const name = levelNames.name(id);
      l = this.levels.get(name);
      if (l === undefined) {
        this.levels.set(name, { value, sinceNs: nowNs, integral: 0 });
        return;
      }
      while (this.byId.length <= id) this.byId.push(undefined);
      this.byId[id] = l;
    }
    if (l.value === value) return;
    l.integral += l.value * (nowNs - l.sinceNs);
    l.value = value;
    l.sinceNs = nowNs;
  }

  /** The integrals (level × ns) since the last drain, up to `untilNs`, by level name in name order; zeros left out. */
  drain(untilNs: number): [string, number][] {
    const out: [string, number][] = [];
    for (const [name, l] of this.levels) {
      const integral = l.integral + l.value * (untilNs - l.sinceNs);
      l.integral = 0;
      l.sinceNs = untilNs;
      if (integral > 0) out.push([name, integral]);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
