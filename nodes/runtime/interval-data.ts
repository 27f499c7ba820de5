/**
 * The shapes of what a shard drains at an interval's close (IntervalLedger.drain): the data an IntervalReport
 * carries (wire.ts), kept apart from the ledger that fills them.
 */
import type { MetricAccumulator } from "./metrics.ts";
import type { CounterColumns, DrainedTransitions, EnergyColumns, LinkColumns } from "./interval-columns.ts";

export interface LinkCount {
  link: number;
  reverse: boolean;
  packets: number;
  bytes: number;
  dropped: number;
  species: number;
}

export interface TransitionCount {
  actor: number;
  mechanism: string;
  fromState: number;
  toState: number;
  count: number;
}

export interface TraceEventData {
  traceparent: string;
  kind: "create" | "hop" | "consume" | "drop" | "split" | "merge";
  timeNs: number;
  actor: number;
  toActor: number;
  link: number;
  arriveNs: number;
  packetId: number;
  packetSrc: number;
  species: number;
  sizeBytes: number;
  reason: string;
  /** Real packets the event's packet stands for (leap mode's counts; 1 in exact mode). */
  multiplicity: number;
}

export interface IntervalData {
  interval: number;
  events: number;
  metrics: MetricAccumulator[];
  /** Sorted by direction and species. */
  links: LinkColumns;
  drops: { reason: string; packets: number }[];
  /** In the order the power meters drained (actors in the order they got a meter, components by name). */
  energy: EnergyColumns;
  /** Sorted by actor, mechanism name, from and to state. */
  transitions: DrainedTransitions;
  /** Sorted by actor and name. */
  counters: CounterColumns;
  traceEvents: TraceEventData[];
}
