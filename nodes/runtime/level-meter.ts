/**
 * Exact time integrals of an actor's levels (busy cores, requests waiting, 1 while in a state, ...): a level is a
 * non-negative integer, piecewise constant between the actor's own events, so its integral over a metrics interval
 * is an integer (level × nanoseconds) that the host reports as the actor's counter `level:<name>`. The coordinator
 * divides by the interval's length for the time-average (docs/results.md). Like the power meter, integrals are cut
 * only at the actor's events and at interval boundaries, so they are the same on any host.
 *
 * An actor whose levels did not change in an interval still has their integrals over it (level × the interval's
 * length): the drain computes them from the level and the time it was set, so no event is needed to produce them.
 */

import { levelNames, NAMES_TOKEN } from "./names.ts";
import { extended, inserted } from "./exact-array.ts";

/** The counter a level's integral (level × ns) is reported as. */
export const LEVEL_COUNTER_PREFIX = "level:";

/** Where a drain puts the integrals: by actor, each actor's in name order (IntervalLedger.countInOrder). */
export interface LevelSink {
  countInOrder(actor: number, name: string, value: number): void;
}

/** `level:<name>`, one string per level name (not one per actor and interval). */
const counterNames = new Map<string, string>();
function counterName(level: string): string {
  let name = counterNames.get(level);
  if (name === undefined) {
    name = LEVEL_COUNTER_PREFIX + level;
    counterNames.set(level, name);
  }
  return name;
}

/** Doubles per level in `LevelMeter.data`: its value, since when, and its integral up to then. */
const VALUE = 0;
const SINCE = 1;
const INTEGRAL = 2;
const FIELDS = 3;

export class LevelMeter {
  /** The levels' names, in name order (the order they drain in); level i's fields are at data[i * FIELDS]. */
  private names: string[] = [];
  private data = new Float64Array(4 * FIELDS);
  /** Each level's index in `names` by level id (names.ts), filled on first use: a cache of NAMES_TOKEN's ids. */
  private byId: (number | undefined)[] = [];
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
    let i = this.byId[id];
    if (i === undefined) {
      i = this.slot(levelNames.name(id), value, nowNs);
      this.byId = extended(this.byId, id + 1, undefined);
      this.byId[id] = i;
    }
    const data = this.data;
    const at = i * FIELDS;
    const before = data[at + VALUE]!;
    if (before === value) return;
    data[at + INTEGRAL]! += before * (nowNs - data[at + SINCE]!);
    data[at + VALUE] = value;
    data[at + SINCE] = nowNs;
  }

  /** The index of level `name`, added in name order (at `value` from `nowNs`) if new. */
  private slot(name: string, value: number, nowNs: number): number {
    const names = this.names;
    let i = 0;
    while (i < names.length && names[i]! < name) i++;
    if (names[i] === name) return i;
    const n = names.length;
    if ((n + 1) * FIELDS > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.copyWithin((i + 1) * FIELDS, i * FIELDS, n * FIELDS);
    this.data.set([value, nowNs, 0], i * FIELDS);
    this.names = inserted(names, i, name);
    this.byId = []; // the levels after it moved
    return i;
  }

  /**
   * Hands the integrals (level × ns) since the last drain, up to `untilNs`, to `sink` as counters of `actor`, in
   * name order; zeros left out. No allocation: a large shard drains thousands of meters per interval.
   */
  drainTo(untilNs: number, actor: number, sink: LevelSink): void {
    const names = this.names;
    const data = this.data;
    for (let i = 0, at = 0; i < names.length; i++, at += FIELDS) {
      const integral = data[at + INTEGRAL]! + data[at + VALUE]! * (untilNs - data[at + SINCE]!);
      data[at + INTEGRAL] = 0;
      data[at + SINCE] = untilNs;
      if (integral > 0) sink.countInOrder(actor, counterName(names[i]!), integral);
    }
  }

  /** The integrals since the last drain, up to `untilNs`, by level name in name order; zeros left out. */
  drain(untilNs: number): [string, number][] {
    const out: [string, number][] = [];
    this.drainTo(untilNs, 0, {
      countInOrder: (_, name, value) => out.push([name.slice(LEVEL_COUNTER_PREFIX.length), value]),
    });
    return out;
  }
}
