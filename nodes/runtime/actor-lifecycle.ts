/**
 * An actor as its host keeps it, and the runtime's own commands on it: crash and recover, pause and resume, clock
 * drift. Everything a checkpoint of an actor must capture is in `LocalActor` (model state, random stream,
 * sequence counters, status, held events, clock rate); the rest is derived from the scenario.
 */
import type { ActorContext, ActorModel } from "./actor.ts";
import { CLOCK_DRIFT_COMMAND, clockRate } from "./clock-drift.ts";
import type { SimEvent } from "./event-queue.ts";
import type { LevelMeter } from "./level-meter.ts";
import type { PowerMeter } from "./power.ts";
import { Xoshiro128 } from "./rng.ts";
import type { ActorSpec, Port } from "./topology.ts";

/** running; down (crashed: arriving packets are dropped, timers lost); paused (events wait for resume). */
export type ActorStatus = "running" | "down" | "paused";

export interface LocalActor {
  spec: ActorSpec;
  model: ActorModel;
  state: unknown;
  rng: Xoshiro128;
  ports: Port[];
  /** Next event sequence number (tie-breaker) and next packet id drawn by this actor. */
  nextSeq: number;
  nextPacketId: number;
  /** Last `queued(state)` this actor reported, to keep the shard total up to date incrementally. */
  lastQueued: number;
  touched: boolean;
  /** Created on the actor's first `setPower`. */
  power: PowerMeter | null;
  /** Created on the actor's first `setLevel`. */
  levels: LevelMeter | null;
  status: ActorStatus;
  /** Events held while paused, in the order they were due; null while none are (most actors are never paused). */
  deferred: SimEvent[] | null;
  /** Rate of the actor's own clock against simulated time (1 + drift): its timers fire after delay / clockRate. */
  clockRate: number;
}

export function newLocalActor(spec: ActorSpec, model: ActorModel, seed: number, ports: Port[]): LocalActor {
  return {
    spec,
    model,
    state: undefined,
    rng: Xoshiro128.seeded(seed, spec.id),
    ports,
    nextSeq: 0,
    nextPacketId: 0,
    lastQueued: 0,
    touched: false,
    power: null,
    levels: null,
    status: "running",
    deferred: null,
    clockRate: 1,
  };
}

/**
 * Applies a runtime command at `nowNs` (the context is bound to the actor). Returns the held events that are due
 * again (resume: at `nowNs`, in their original order), or null when `command` is not a runtime command (the
 * model's own then).
 */
export function applyLifecycleCommand(
  actor: LocalActor,
  command: string,
  args: unknown,
  nowNs: number,
  ctx: ActorContext,
): SimEvent[] | null {
  switch (command) {
    case "crash":
      actor.model.onCommand?.(actor.state, "crash", args, ctx); // the model drops what it held
      actor.status = "down";
      return [];
    case "recover":
      if (actor.status === "down") {
        actor.status = "running";
        actor.model.onCommand?.(actor.state, "recover", args, ctx); // the model restarts its timers
      }
      return [];
    case "pause":
      if (actor.status === "running") actor.status = "paused";
      return [];
    case "resume": {
      if (actor.status !== "paused") return [];
      actor.status = "running";
      const due = (actor.deferred ?? []).map((event) => ({ ...event, timeNs: nowNs }));
      actor.deferred = null;
      return due;
    }
    case CLOCK_DRIFT_COMMAND:
      actor.clockRate = clockRate(args);
      return [];
    default:
      return null;
  }
}

/** What happens to an event for an actor that is not running: a paused actor keeps it, a crashed one loses it. */
export function holdOrLose(actor: LocalActor, event: SimEvent): "held" | "lost" {
  if (actor.status === "paused") {
    (actor.deferred ??= []).push(event);
    return "held";
  }
  return "lost";
}

/** Timer delay on the actor's clock converted to simulated nanoseconds. */
export function timerDelayNs(actor: LocalActor, delayNs: number): number {
  return Math.round(actor.clockRate === 1 ? delayNs : delayNs / actor.clockRate);
}
