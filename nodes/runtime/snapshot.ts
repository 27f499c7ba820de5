/**
 * A host's checkpoint: its shard (actors with model state, random streams, sequence counters, status, held
 * events, clock rates and power meters; the event queue; link state; the open interval's ledger; counters) and
 * its window planner, taken when the host waits at an interval boundary with every batch owed to it merged, so
 * nothing of the run is on the wire. `restoreHost` rebuilds the same objects for the same scenario and placement.
 * The snapshot is a checkpoint part (checkpoint-part.ts): a host of another checkpoint format refuses it.
 */
import { ShardContext } from "./actor-context.ts";
import { ActorMeters } from "./actor-meters.ts";
import { openPart, sealPart } from "./checkpoint-part.ts";
import { Delivery } from "./delivery.ts";
import type { ModelLookup } from "./actor.ts";
import { EventQueue } from "./event-queue.ts";
import { Histogram } from "./histogram.ts";
import { IntervalLedger } from "./interval-ledger.ts";
import { LevelMeter } from "./level-meter.ts";
import { LinkTable } from "./link-table.ts";
import { WindowMetrics } from "./metrics.ts";
import { PowerMeter } from "./power.ts";
import { Xoshiro128 } from "./rng.ts";
import { Router } from "./routing.ts";
import { Shard } from "./shard.ts";
import { StatePairTable } from "./state-pairs.ts";
import { decodeSnapshot, encodeSnapshot, registerSnapshotClasses, SnapshotError } from "./snapshot-codec.ts";
import type { ResolvedScenario } from "./topology.ts";
import { WindowPlanner } from "./window-plan.ts";

registerSnapshotClasses({
  Shard,
  ShardContext,
  ActorMeters,
  Delivery,
  EventQueue,
  IntervalLedger,
  WindowMetrics,
  Histogram,
  LevelMeter,
  LinkTable,
  PowerMeter,
  Xoshiro128,
  Router,
  StatePairTable,
  WindowPlanner,
});

export interface HostState {
  shard: Shard;
  planner: WindowPlanner;
  /** The window the host ran last and the number of grants it took. */
  window: number;
  grantSeq: number;
  malformed: number;
}

/** What a snapshot of a run refers to by name: the scenario's objects and the models (rebuilt on restore). */
export function runExternals(
  scenario: ResolvedScenario,
  placement: readonly number[],
  models?: ModelLookup,
): Map<string, object> {
  const named = new Map<string, object>([
    ["scenario", scenario],
    ["run", scenario.run],
    ["placement", placement],
  ]);
  for (const actor of scenario.actors) named.set(`actor:${actor.index}`, actor);
  scenario.links.forEach((link, i) => named.set(`link:${i}`, link));
  if (models !== undefined)
    for (const kind of new Set(scenario.actors.map((a) => a.kind))) named.set(`model:${kind}`, models(kind));
  return named;
}

/** The table `encodeSnapshot` takes: each named object to its name. */
export function namesOf(named: Map<string, object>): Map<object, string> {
  return new Map([...named].map(([name, object]) => [object, name]));
}

export function snapshotHost(
  state: HostState,
  scenario: ResolvedScenario,
  placement: readonly number[],
  models: ModelLookup,
): Uint8Array {
  return sealPart("host", encodeSnapshot(state, namesOf(runExternals(scenario, placement, models))));
}

export function restoreHost(
  bytes: Uint8Array,
  scenario: ResolvedScenario,
  placement: readonly number[],
  models: ModelLookup,
): HostState {
  const state = decodeSnapshot<HostState>(openPart("host", bytes), runExternals(scenario, placement, models));
  if (!(state.shard instanceof Shard) || !(state.planner instanceof WindowPlanner))
    throw new SnapshotError("not a host checkpoint");
  return state;
}
