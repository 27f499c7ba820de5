/**
 * The links as they are now: the scenario's values, changed by link commands (faults) at window boundaries.
 * Every host keeps the whole table and applies every link command, so all agree on it.
 *
 * A process holds several tables over one scenario (the shard's, the host's window planner's, the coordinator's
 * planner's): they share one array of links as loaded until a command changes one, and a table copies only the
 * array and the links it changes (copy on write), so unchanged links exist once per process, not once per table.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { LinkSpec } from "./topology.ts";

export interface LiveLink extends LinkSpec {
  up: boolean;
  jitterNs: number;
}

/** The links as loaded (up, no jitter), one array per scenario link list; never changed once made. */
const asLoaded = new WeakMap<readonly LinkSpec[], readonly Readonly<LiveLink>[]>();

function loaded(specs: readonly LinkSpec[]): readonly Readonly<LiveLink>[] {
  let links = asLoaded.get(specs);
  if (links === undefined) {
    links = specs.map((l) => ({ ...l, up: true, jitterNs: 0 }));
    asLoaded.set(specs, links);
  }
  return links;
}

export class LinkTable {
  private current: readonly Readonly<LiveLink>[];
  /** The links this table owns (copied from the shared ones on their first change); null while it owns none. */
  private owned: boolean[] | null = null;
  /** How many links are down now: while none is, every port is up without looking (a switch asks per packet). */
  down = 0;
  /** Counts the commands applied: a copy of the links' values (delivery.ts) is fresh while it has not changed. */
  version = 0;

  constructor(specs: readonly LinkSpec[]) {
    this.current = loaded(specs);
  }

  get links(): readonly Readonly<LiveLink>[] {
    return this.current;
  }

  /** A table with this one's links as they are now, to which commands can be applied apart. */
  copy(): LinkTable {
    const table = Object.create(LinkTable.prototype) as LinkTable;
    table.current = this.current;
    table.owned = null;
    table.down = this.down;
    table.version = this.version;
    return table;
  }

  apply(command: dctwin.v1.LinkCommand.$Properties): void {
    const index = command.link ?? -1;
    if (this.current[index] === undefined) throw new RangeError(`link command for unknown link ${command.link}`);
    const link = this.writable(index);
    this.version++;
    if (command.up != null && command.up !== link.up) {
      link.up = command.up;
      this.down += link.up ? -1 : 1;
    }
    if (command.latencyNs != null) link.latencyNs = Number(command.latencyNs);
    if (command.loss != null) link.loss = command.loss;
    if (command.bandwidthBps != null) link.bandwidthBps = command.bandwidthBps;
    if (command.jitterNs != null) link.jitterNs = Number(command.jitterNs);
  }

  /** The link at `index`, this table's own copy (made now if it still shares the loaded one). */
  private writable(index: number): LiveLink {
    if (this.owned === null) {
      this.owned = new Array<boolean>(this.current.length).fill(false);
      this.current = this.current.slice();
    }
    const links = this.current as Readonly<LiveLink>[];
    if (!this.owned[index]) {
      links[index] = { ...links[index]! };
      this.owned[index] = true;
    }
    return links[index] as LiveLink;
  }
}
