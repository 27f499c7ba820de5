/**
 * Dense ids for the names models use on the hot path (metrics, levels, transition mechanisms, actor groups),
 * resolved once: a model takes a handle at module load (`const WAIT = metricId("queue_wait_ns")`) and passes the
 * number on every call, so the runtime indexes arrays instead of comparing or hashing strings per event.
 *
 * Ids are private to the process: they never reach the wire or results, whose order is by name, so the order
 * names are first seen in does not change any output. Runtime structures a checkpoint captures that index by id
 * (metric slots, level meters, the ledger's mechanisms) keep the NAMES_TOKEN they were indexed under and index
 * again by name when they find another (restored in another process).
 */
import { randomUUID } from "node:crypto";

/** This process's name tables, as a token: a structure indexed by ids of another process's tables sees a change. */
export const NAMES_TOKEN: string = randomUUID();

/**
 * The id of `name` in `names` (ids by name in `ids`), made on first use: the numbering of NameTable, shared with
 * structures that keep their names as plain fields (interval-ledger.ts: its checkpoints hold them so). A run uses a
 * handful of names of a kind, mostly string literals (interned: `===` is a pointer comparison), so the first few
 * are found by a scan before the map.
 */
export function numberName(names: string[], ids: Map<string, number>, name: string): number {
  const scan = Math.min(names.length, 16);
  for (let i = 0; i < scan; i++) if (names[i] === name) return i;
  let id = ids.get(name);
  if (id === undefined) {
    id = names.push(name) - 1;
    ids.set(name, id);
  }
  return id;
}

/** Names of one kind and their ids, in the order first seen. */
export class NameTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  /** The id of `name`, made on first use. */
  id(name: string): number {
    return numberName(this.names, this.ids, name);
  }

  name(id: number): string {
    const name = this.names[id];
    if (name === undefined) throw new RangeError(`no name has id ${id}`);
    return name;
  }
}

export const metricNames = new NameTable();
export const levelNames = new NameTable();
export const mechanismNames = new NameTable();
export const groupNames = new NameTable();

/** A metric's handle for `ActorContext.recordId`. */
export const metricId = (name: string): number => metricNames.id(name);
/** A level's handle for `ActorContext.setLevelId`. */
export const levelId = (name: string): number => levelNames.id(name);
/** A mechanism's handle for `ActorContext.countTransitionId`. */
export const mechanismId = (name: string): number => mechanismNames.id(name);
