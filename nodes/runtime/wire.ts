/**
 * Conversions between runtime values and the generated protobuf types, and safe decoding: a message that does
 * not decode yields `undefined` (the caller counts and drops it) instead of an exception that could stop a host.
 */
import $protobuf from "protobufjs/minimal.js";
import { dctwin } from "../../proto/gen/dctwin.js";
import { fastVarint64 } from "./varint64.ts";
import type { IntervalData } from "./interval-ledger.ts";
import type { Command } from "../../spec/commands.ts";
import type { Stamp } from "./window-plan.ts";

// Decode 64-bit fields as plain numbers, not Long objects: simulated nanoseconds stay below 2^53 (104 days),
// and converting Longs back to numbers was a measurable share of every window.
$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();
fastVarint64($protobuf);

export const wire = dctwin.v1;

interface Decoder<T> {
  decode(reader: Uint8Array): T;
}

/** Decodes or returns undefined for bytes that are not a valid message of this type. */
export function tryDecode<T>(type: Decoder<T>, bytes: Uint8Array): T | undefined {
  try {
    return type.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A typed column as a packed repeated field: the encoder reads only its length and elements (the same bytes as an
 * array of the same numbers), and a host's reports are encoded, never read back as objects.
 */
function packed(column: Int32Array | Float64Array): number[] {
  return column as unknown as number[];
}

export function toWireInterval(d: IntervalData): dctwin.v1.IntervalReport.$Properties {
  return {
    interval: d.interval,
    events: d.events,
    metrics: d.metrics.map((m) => {
      const { index, count } = m.histogram.toArrays();
      return {
        name: m.name,
        group: m.group,
        count: m.count,
        sum: m.sum,
        min: m.min,
        max: m.max,
        bucketIndex: index,
        bucketCount: count,
      };
    }),
    drops: d.drops,
    energyComponents: d.energy.components,
    energyActor: d.energy.actor,
    energyComponent: d.energy.component,
    energyJoules: d.energy.joules,
    linkDirection: packed(d.links.direction),
    linkSpecies: packed(d.links.species),
    linkPackets: packed(d.links.packets),
    linkBytes: packed(d.links.bytes),
    linkDropped: packed(d.links.dropped),
    transitionMechanisms: d.transitions.mechanisms,
    transitionActor: packed(d.transitions.actor),
    transitionMechanism: packed(d.transitions.mechanism),
    transitionFrom: packed(d.transitions.fromState),
    transitionTo: packed(d.transitions.toState),
    transitionCount: packed(d.transitions.count),
    counterNames: d.counters.names,
    counterActor: packed(d.counters.actor),
    counterName: packed(d.counters.name),
    counterValue: packed(d.counters.value),
    traceEvents: d.traceEvents,
  };
}

/** The earliest pending event over a window's reports (-1: none anywhere). */
export function earliestEvent(reports: readonly dctwin.v1.WindowReport[]): number {
  let earliest = -1;
  for (const r of reports) {
    const t = Number(r.nextEventNs);
    if (t >= 0 && (earliest < 0 || t < earliest)) earliest = t;
  }
  return earliest;
}

export interface CheckedGrant {
  untilNs: number;
  stamps: Stamp[];
  stop: boolean;
}

/**
 * A command as the runtime takes it: the `target` oneof as a union (spec/commands.ts); undefined when it sets
 * neither case (or, from a plain object, both).
 */
export function commandFromWire(c: dctwin.v1.Command.$Properties): Command | undefined {
  const seq = Number(c.seq ?? 0);
  const { link, actor } = c;
  if (link != null && actor == null)
    return {
      seq,
      link: {
        link: link.link ?? 0,
        up: link.up,
        latencyNs: link.latencyNs == null ? link.latencyNs : Number(link.latencyNs),
        loss: link.loss,
        bandwidthBps: link.bandwidthBps,
        jitterNs: link.jitterNs == null ? link.jitterNs : Number(link.jitterNs),
      },
    };
  if (actor != null && link == null)
    return { seq, actor: { actor: actor.actor ?? 0, command: actor.command ?? "", argsJson: actor.argsJson ?? "" } };
  return undefined;
}

/**
 * A grant as the window planner takes it, or undefined when it does not continue the sequence: numbered right
 * after `lastSeq`, horizon not moving back nor past the run's end, stamps in time order at or after the current
 * horizon (a time no host has passed) and before the new one, and every command to one link or one actor.
 */
export function checkGrant(
  grant: dctwin.v1.Grant,
  lastSeq: number,
  horizonNs: number,
  durationNs: number,
): CheckedGrant | undefined {
  const untilNs = Number(grant.untilNs);
  if (Number(grant.seq) !== lastSeq + 1 || !(untilNs >= horizonNs && untilNs <= durationNs)) return undefined;
  const stamps: Stamp[] = [];
  let last = horizonNs;
  for (const s of grant.stamps) {
    const timeNs = Number(s.timeNs);
    if (!(timeNs >= last && timeNs <= untilNs)) return undefined;
    const commands: Command[] = [];
    for (const c of s.commands ?? []) {
      const command = commandFromWire(c);
      if (command === undefined) return undefined;
      commands.push(command);
    }
    stamps.push({ timeNs, commands });
    last = timeNs;
  }
  return { untilNs, stamps, stop: grant.stop };
}
