/**
 * The actor API. A model is a module of plain functions over plain-data state (xstate's ActorLogic shape):
 * it never reads wall-clock time and never touches NATS; everything it does goes through its context.
 * State must stay serialisable (no closures, sockets or timers) so a host can checkpoint it.
 */
import type { SimPacket, Species } from "./packet.ts";
import type { Rng } from "./rng.ts";
import type { ActorSpec, LinkSpec, Port } from "./topology.ts";
import type { LiveLink } from "./link-table.ts";

/**
 * The port argument of `send` for a destination on the sender's own network node (a component and its server,
 * or two components on one server; `route` returns it): the packet is handed over inside the host at the same
 * simulated instant, without a link.
 */
export const LOCAL_PORT = -1;

export interface NewPacket {
  dst: number;
  species: Species;
  sizeBytes: number;
  /** Defaults to the new packet's own id (a packet that opens a flow). */
  flowId?: number;
  /** Defaults to the new packet's creation time. */
  flowCreatedNs?: number;
  kind?: number;
  replyBytes?: number;
  multiplicity?: number;
  /** Leap mode: the expected rate of the stream the count was drawn from (SimPacket.streamRatePerS). */
  streamRatePerS?: number;
  /** Leap mode: the SCV of the stream's interarrival times (SimPacket.streamArrivalScv). */
  streamArrivalScv?: number;
  /** Leap mode: replicas pooled by shortest queue (SimPacket.streamPool). */
  streamPool?: number;
  traceparent?: string;
}

/** What an actor can do while it handles an event. Valid only during that call. */
export interface ActorContext {
  /** Simulated time of the event being handled, in nanoseconds. */
  readonly nowNs: number;
  readonly self: ActorSpec;
  readonly ports: readonly Port[];
  /** This actor's own random stream. */
  readonly rng: Rng;
  /** Creates a packet at this actor (counts as injected). Send it, keep it, or consume it. */
  createPacket(init: NewPacket): SimPacket;
  /**
   * Transmits a packet on one of this actor's ports (serialization, latency and loss of that link apply); with
   * LOCAL_PORT, hands it to an actor on the same network node at this instant. A component's ports are its
   * server's: it shares the server's NIC.
   */
  send(packet: SimPacket, portIndex: number): void;
  /** Index of the actor with this id; throws if there is none (ids are checked when the scenario loads). */
  actorIndex(id: string): number;
  /**
   * Index of the port on the shortest path towards an actor (first port on ties); LOCAL_PORT when the actor is on
   * this actor's own network node (see topology.ts `networkNodes`); throws if unreachable.
   */
  route(dst: number): number;
  /** Every port on a shortest path towards an actor (equal-cost next hops, in port order); empty if unreachable. */
  routeAll(dst: number): readonly number[];
  /** When the port's wire finishes the packets already sent on it (<= nowNs when it is idle). */
  portFreeNs(portIndex: number): number;
  /** Whether the port's link is up (links go down by command). */
  portUp(portIndex: number): boolean;
  /** Whether every listed port's link is up (one check while no link of the run is down). */
  portsUp(portIndices: readonly number[]): boolean;
  /** The port's link as it is now (faults change its latency, jitter, loss and bandwidth by command). */
  portLink(portIndex: number): Readonly<LiveLink>;
  /**
   * The packet reached its end here and is destroyed. It stays readable until the event returns, then its object is
   * reused (packet.ts, ownership): do not keep it, send it, consume or drop it again.
   */
  consume(packet: SimPacket): void;
  /** The packet is discarded; the reason is counted. Its end, as for `consume`. */
  drop(packet: SimPacket, reason: string): void;
  /**
   * Schedules a timer for this actor after `delayNs` (>= 0) on the actor's own clock, and returns the simulated
   * time it fires at: later or earlier than nowNs + delayNs while the actor's clock drifts (clock-drift.ts).
   */
  schedule(delayNs: number, tag: number, arg?: number): number;
  /**
   * Records an integer observation (ns, bytes, ...) of a metric for this actor's group; `weight` (default 1)
   * observations of that value at once (leap mode: one sampled value for a packet of that multiplicity).
   */
  record(metric: string, value: number, weight?: number): void;
  /** As `record`, by the metric's handle (`metricId(name)` of names.ts, taken once): no name looked up per call. */
  recordId(metric: number, value: number, weight?: number): void;
  /** From now on, `component` ("cpu", "gpu", "ports", ...) draws `watts`; energy is integrated exactly. */
  setPower(component: string, watts: number): void;
  /**
   * From now on, this actor's level `name` (busy cores, requests waiting, 1 while in a state) is `value`, a
   * non-negative integer; its exact time integral per metrics interval reaches the coordinator (level-meter.ts).
   */
  setLevel(name: string, value: number): void;
  /** As `setLevel`, by the level's handle (`levelId(name)` of names.ts, taken once). */
  setLevelId(level: number, value: number): void;
  /** Adds energy spent at this instant (e.g. per bit switched) to `component`, on top of its power draw. */
  addEnergy(component: string, joules: number): void;
  /** Counts bits of information destroyed here beyond consumed and dropped packets (which count themselves). */
  eraseBits(bits: number): void;
  /**
   * Adds `value` (a non-negative integer) to this actor's counter `name` for the current metrics interval; the
   * coordinator receives it per actor and interval (e.g. a sensor reading taken once per interval).
   */
  count(name: string, value: number): void;
  /** Counts one move of this actor's state by a mechanism (e.g. queue length n -> n+1 by "arrival"). */
  countTransition(mechanism: string, fromState: number, toState: number, count?: number): void;
  /** As `countTransition`, by the mechanism's handle (`mechanismId(name)` of names.ts, taken once). */
  countTransitionId(mechanism: number, fromState: number, toState: number, count?: number): void;
  /**
   * Takes `count` of the packets a packet stands for (1 <= count <= multiplicity) into a packet of their own,
   * with the same identity (flow, times, hops); the rest stay in `packet`. Nothing is injected: the split-off part
   * was there already. With count = multiplicity it returns `packet` itself. (Leap mode splits and thins counts.)
   */
  split(packet: SimPacket, count: number): SimPacket;
  /**
   * The inverse of split: `part` (a packet of the same identity) joins `into`, whose multiplicity grows by its
   * own; `part` is gone. Nothing is consumed: only the packet object goes. (Leap mode rejoins counts that an
   * equal-cost split sent over parallel paths.)
   */
  merge(into: SimPacket, part: SimPacket): void;
  /**
   * A synchronous call to an actor on the same network node (a component and the server it runs on): the
   * target's `onLocalCall` runs now, as that actor (its power meter, its stream), and its reply is returned. It
   * takes no simulated time, so it never crosses a window or a host. Returns null when the target is not running
   * (crashed or paused). Requests and replies are plain data.
   */
  localCall(target: number, request: unknown): unknown;
}

export interface ActorModel<Params = unknown, State = unknown> {
  readonly kind: string;
  /** Builds the initial state; may schedule timers but not send packets (nothing is in flight at time 0). */
  initial(params: Params, ctx: ActorContext): State;
  onPacket(state: State, packet: SimPacket, ctx: ActorContext): void;
  onTimer(state: State, tag: number, arg: number, ctx: ActorContext): void;
  /** Packets this actor holds right now (queued or in service). Checked by the conservation law. */
  queued(state: State): number;
  /**
   * A command applied at a window boundary: the runtime's "crash" (drop what you hold, with a reason) and
   * "recover" (restart timers), or one this model declares (e.g. "set_rate"), with validated JSON arguments.
   */
  onCommand?(state: State, command: string, args: unknown, ctx: ActorContext): void;
  /** Answers a `localCall` from actor `from` on the same network node (e.g. a component asking its server for CPU). */
  onLocalCall?(state: State, request: unknown, from: number, ctx: ActorContext): unknown;
}

/** Leap mode's settings, as every leaping actor sees them (scenario/leap-settings.ts). */
export interface LeapStep {
  stepNs: number;
  /** Largest relative change of a rate within a step. */
  epsilon: number;
  /** A queue is quasi-steady when the step is at least this many of its relaxation times. */
  fastRatio: number;
  /** Sojourn samples a quasi-steady queue draws per packet and step (a packet is split into that many parts). */
  samples: number;
  /** The scenario's links as loaded (ActorContext.portLink gives a port's link as faults left it). */
  links: readonly LinkSpec[];
}

/**
 * How a kind behaves in leap mode (nodes/leap/): once per step, at its middle, it handles the packets (counts,
 * with multiplicity) delivered since the last step and sends what it produces; every packet it sends on a link
 * arrives by the next step. Commands and non-step timers work as in exact mode.
 */
export interface LeapBehaviour<Params = unknown, State = unknown> {
  initial(params: Params, ctx: ActorContext, leap: LeapStep): State;
  step(state: State, inbox: SimPacket[], ctx: ActorContext, leap: LeapStep): void;
  onTimer?(state: State, tag: number, arg: number, ctx: ActorContext): void;
  onCommand?(state: State, command: string, args: unknown, ctx: ActorContext): void;
  /** Answers a `localCall` (a component and its server exchanging CPU use once a step: nodes/leap/host-share.ts). */
  onLocalCall?(state: State, request: unknown, from: number, ctx: ActorContext): unknown;
  /** Packet objects held across steps (the inbox is counted by the runtime). */
  queued(state: State): number;
}

/** Finds the model of an actor kind. */
export type ModelLookup = (kind: string) => ActorModel;
