/**
 * The links as they are now: the scenario's values, changed by link commands (faults) at window boundaries.
 * Every host keeps the whole table and applies every link command, so all agree on it.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { LinkSpec } from "./topology.ts";

export interface LiveLink extends LinkSpec {
  up: boolean;
  jitterNs: number;
}

export class LinkTable {
  readonly links: LiveLink[];
  /** How many links are down now: while none is, every port is up without looking (a switch asks per packet). */
  down = 0;
  /** Counts the commands applied: a copy of the links' values (delivery.ts) is fresh while it has not changed. */
  version = 0;

  constructor(specs: readonly LinkSpec[]) {
    this.links = specs.map((l) => ({ ...l, up: true, jitterNs: 0 }));
  }

  apply(command: dctwin.v1.LinkCommand.$Properties): void {
    const link = this.links[command.link ?? -1];
    if (link === undefined) throw new RangeError(`link command for unknown link ${command.link}`);
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
}
