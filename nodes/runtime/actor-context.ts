/**
 * The ActorContext façade of a shard: what a model may do while one of its events runs, bound to that actor and
 * that instant. It checks the model's calls and turns them into the shard's bookkeeping: packets created, consumed
 * and dropped (ledger, counters), links (delivery.ts), meters (actor-meters.ts), timers (the queue).
 */
import { LOCAL_PORT, type ActorContext, type NewPacket } from "./actor.ts";
import { timerDelayNs, type LocalActor } from "./actor-lifecycle.ts";
import { ActorMeters } from "./actor-meters.ts";
import { Delivery } from "./delivery.ts";
import type { EventQueue } from "./event-queue.ts";
import { ExchangeColumn, Tally, type IntervalLedger } from "./interval-ledger.ts";
import type { LinkTable, LiveLink } from "./link-table.ts";
import { groupNames, metricNames, NAMES_TOKEN } from "./names.ts";
import {
  ENDED_PACKET_ID,
  endedInEvent,
  endPacket,
  newEndedPackets,
  retireEnded,
  takePacket,
  type SimPacket,
} from "./packet.ts";
import type { Xoshiro128 } from "./rng.ts";
import type { Router } from "./routing.ts";
import { sampleTraceparent } from "./trace-sampling.ts";
import { Transmit } from "./transmission.ts";
import type { ActorSpec, Port, ResolvedScenario } from "./topology.ts";
import { ModelContractError, type ShardCounters } from "./shard-contract.ts";
import { ZERO_NS } from "./time-fields.ts";

/** What the context works on: the shard's own structures, shared. */
export interface ShardParts {
  scenario: ResolvedScenario;
  hostOf: readonly number[];
  hostIndex: number;
  queue: EventQueue;
  actors: Map<number, LocalActor>;
  /** The same actors by index (undefined where another host runs one). */
  byIndex: readonly (LocalActor | undefined)[];
  router: Router;
  /** Network node of every actor (topology.ts `networkNodes`). */
  nodeOf: Int32Array;
  linkTable: LinkTable;
  ledger: IntervalLedger;
  counters: ShardCounters;
  /** Deliveries are exact (false: they wait for the window's end). */
  exact: boolean;
}

export class ShardContext implements ActorContext {
  private readonly p: ShardParts;
  // The parts used on every event, as own fields (one load each instead of two).
  private readonly queue: EventQueue;
  private readonly ledger: IntervalLedger;
  private readonly counters: ShardCounters;
  private readonly nodeOf: Int32Array;
  private readonly indexById: Map<string, number>;
  /** The run's trace sampling (ratio 0: no journey is traced, and createPacket skips the draw). */
  private readonly traceRatio: number;
  private readonly seed: number;
  /** Links, wires and the outbox of packets for other hosts. */
  readonly delivery: Delivery;
  readonly meters = new ActorMeters();
  sendingAllowed = false;
  /** Actors that handled an event since their queued count was last read. */
  touchedActors: LocalActor[] = [];
  private current: LocalActor | null = null;
  /** Packets consumed or dropped in the current event: back to the pool when it returns (packet.ts, ownership). */
  private readonly ended = newEndedPackets();
  /** Group id of each actor (-1: not looked up yet) under the name tables of `namesToken`. */
  private readonly groupIds: Int32Array;
  private namesToken = NAMES_TOKEN;
  private currentNs = ZERO_NS;

  constructor(parts: ShardParts) {
    this.p = parts;
    this.queue = parts.queue;
    this.ledger = parts.ledger;
    this.counters = parts.counters;
    this.nodeOf = parts.nodeOf;
    this.indexById = new Map(parts.scenario.actors.map((a) => [a.id, a.index]));
    this.traceRatio = parts.scenario.run.traceSampleRatio;
    this.seed = parts.scenario.run.seed;
    this.delivery = new Delivery({ ...parts, meters: this.meters });
    this.groupIds = new Int32Array(parts.scenario.actors.length).fill(-1);
  }

  /** Binds the context to `actor` at `nowNs` (until `leave`): a new event, so the last one's ended packets go. */
  enter(actor: LocalActor, nowNs: number): void {
    if (this.ended.count !== 0) retireEnded(this.ended);
    this.bind(actor);
    this.currentNs = nowNs;
  }

  leave(): void {
    if (this.ended.count !== 0) retireEnded(this.ended);
    this.current = null;
  }

  /** Makes `actor` the one the context acts for (an event's actor, or the callee of a local call within it). */
  private bind(actor: LocalActor): void {
    this.current = actor;
    if (!actor.touched) {
      actor.touched = true;
      this.touchedActors.push(actor);
    }
  }

  /**
   * Refuses a packet that has ended (consumed or dropped before this event, or in it): `what` the model did with it.
   */
  private checkLive(packet: SimPacket, what: string): void {
    if (packet.id === ENDED_PACKET_ID || (this.ended.count !== 0 && endedInEvent(this.ended, packet)))
      throw new ModelContractError(
        `${this.actor().spec.id} ${what} packet ${packet.id === ENDED_PACKET_ID ? "" : `${packet.id} `}after it was consumed or dropped`,
      );
  }

  get nowNs(): number {
    return this.currentNs;
  }

  get self(): ActorSpec {
    return this.actor().spec;
  }

  get ports(): readonly Port[] {
    return this.actor().ports;
  }

  get rng(): Xoshiro128 {
    return this.actor().rng;
  }

  createPacket(init: NewPacket): SimPacket {
    const actor = this.actor();
    const id = actor.nextPacketId++;
    this.counters.injected++;
    const multiplicity = init.multiplicity ?? 1;
    this.ledger.created(actor.spec.index, init.species, multiplicity);
    const traceparent =
      init.traceparent ??
      (init.flowId === undefined && this.traceRatio > 0
        ? sampleTraceparent(this.traceRatio, this.seed, actor.spec.index, id)
        : "");
    const packet = takePacket();
    packet.id = id;
    packet.flowId = init.flowId ?? id;
    packet.species = init.species;
    packet.src = actor.spec.index;
    packet.dst = init.dst;
    packet.sizeBytes = init.sizeBytes;
    packet.multiplicity = multiplicity;
    packet.createdNs = this.currentNs;
    packet.hops = 0;
    packet.kind = init.kind ?? 0;
    packet.flowCreatedNs = init.flowCreatedNs ?? this.currentNs;
    packet.replyBytes = init.replyBytes ?? 0;
    packet.streamRatePerS = init.streamRatePerS ?? 0;
    packet.streamArrivalScv = init.streamArrivalScv ?? 0;
    packet.streamPool = init.streamPool ?? 0;
    packet.traceparent = traceparent;
    if (traceparent !== "") this.trace(packet, "create");
    return packet;
  }

  /** Records a step of a sampled journey. */
  private trace(packet: SimPacket, kind: "create" | "consume" | "drop" | "split" | "merge", reason = ""): void {
    this.ledger.traceEvents.push({
      traceparent: packet.traceparent,
      kind,
      timeNs: this.currentNs,
      actor: this.actor().spec.index,
      toActor: 0,
      link: 0,
      arriveNs: 0,
      packetId: packet.id,
      packetSrc: packet.src,
      species: packet.species,
      sizeBytes: packet.sizeBytes,
      reason,
      multiplicity: packet.multiplicity,
    });
  }

  /** A count (leap mode) that lost part of itself on the wire: that part is dropped as exact mode drops a lost packet. */
  dropLostPart(packet: SimPacket, lost: number): void {
    this.drop(this.split(packet, lost), "link_loss");
  }

  send(packet: SimPacket, portIndex: number): void {
    const actor = this.actor();
    if (!this.sendingAllowed)
      throw new ModelContractError(
        `${actor.spec.id} sent a packet outside an event (only timers may be set up in initial())`,
      );
    this.checkLive(packet, "sent");
    if (portIndex === LOCAL_PORT) {
      this.sendLocal(actor, packet);
      return;
    }
    const port = actor.ports[portIndex];
    if (port === undefined) throw new ModelContractError(`${actor.spec.id} has no port ${portIndex}`);
    const outcome = this.delivery.send(actor, port, packet, this.currentNs, this);
    if (outcome !== Transmit.sent) this.drop(packet, outcome === Transmit.linkDown ? "link_down" : "link_loss");
  }

  /** Hands a packet to an actor on the sender's network node, now, without a link (placement keeps them on one host). */
  private sendLocal(actor: LocalActor, packet: SimPacket): void {
    const dst = packet.dst;
    if (dst === actor.spec.index || this.nodeOf[dst] !== this.nodeOf[actor.spec.index] || !this.p.actors.has(dst)) {
      throw new ModelContractError(
        `${actor.spec.id} sent a packet locally to ${this.p.scenario.actors[dst]?.id ?? dst}, which is not on its network node`,
      );
    }
    this.queue.pushPacket(this.currentNs, dst, actor.spec.index, actor.nextSeq++, packet, -1);
  }

  localCall(target: number, request: unknown): unknown {
    const caller = this.actor();
    const callee = this.p.actors.get(target);
    if (
      callee === undefined ||
      target === caller.spec.index ||
      this.nodeOf[target] !== this.nodeOf[caller.spec.index]
    ) {
      throw new ModelContractError(
        `${caller.spec.id} made a local call to ${this.p.scenario.actors[target]?.id ?? target}, which is not on its network node`,
      );
    }
    if (callee.model.onLocalCall === undefined)
      throw new ModelContractError(`${callee.spec.id} (${callee.spec.kind}) takes no local calls`);
    if (callee.status !== "running") return null;
    this.bind(callee);
    try {
      return callee.model.onLocalCall(callee.state, request, caller.spec.index, this);
    } finally {
      this.current = caller;
    }
  }

  actorIndex(id: string): number {
    const index = this.indexById.get(id);
    if (index === undefined) throw new ModelContractError(`no actor with id ${JSON.stringify(id)}`);
    return index;
  }

  route(dst: number): number {
    const actor = this.actor();
    if (dst !== actor.spec.index && this.nodeOf[dst] === this.nodeOf[actor.spec.index]) return LOCAL_PORT;
    const port = this.p.router.nextPort(actor.spec.index, dst);
    if (port < 0)
      throw new ModelContractError(`${actor.spec.id} has no route to actor ${this.p.scenario.actors[dst]?.id ?? dst}`);
    return port;
  }

  routeAll(dst: number): readonly number[] {
    return this.p.router.nextPorts(this.actor().spec.index, dst);
  }

  portFreeNs(portIndex: number): number {
    return this.delivery.portFreeNs(this.port(portIndex));
  }

  portUp(portIndex: number): boolean {
    return this.p.linkTable.links[this.port(portIndex).link]!.up;
  }

  portsUp(portIndices: readonly number[]): boolean {
    if (this.p.linkTable.down === 0) return true;
    for (let i = 0; i < portIndices.length; i++) if (!this.portUp(portIndices[i]!)) return false;
    return true;
  }

  portLink(portIndex: number): Readonly<LiveLink> {
    return this.p.linkTable.links[this.port(portIndex).link]!;
  }

  private port(portIndex: number): Port {
    const actor = this.actor();
    const port = actor.ports[portIndex];
    if (port === undefined) throw new ModelContractError(`${actor.spec.id} has no port ${portIndex}`);
    return port;
  }

  consume(packet: SimPacket): void {
    this.checkLive(packet, "consumed");
    endPacket(this.ended, packet);
    this.counters.consumed++;
    if (packet.traceparent !== "") this.trace(packet, "consume");
    const bits = packet.sizeBytes * 8 * packet.multiplicity;
    this.ledger.removed(this.actor().spec.index, ExchangeColumn.consumed, packet.species, packet.multiplicity, bits);
  }

  drop(packet: SimPacket, reason: string): void {
    this.checkLive(packet, "dropped");
    endPacket(this.ended, packet);
    this.counters.dropped++;
    if (packet.traceparent !== "") this.trace(packet, "drop", reason);
    this.ledger.drop(reason, packet.multiplicity);
    const bits = packet.sizeBytes * 8 * packet.multiplicity;
    this.ledger.removed(this.actor().spec.index, ExchangeColumn.dropped, packet.species, packet.multiplicity, bits);
  }

  eraseBits(bits: number): void {
    if (bits > 0) this.ledger.add(this.actor().spec.index, Tally.bits_erased, Math.round(bits));
  }

  count(name: string, value: number): void {
    const actor = this.actor();
    if (!(Number.isSafeInteger(value) && value >= 0))
      throw new ModelContractError(`${actor.spec.id} counted ${value} for ${name} (expected a non-negative integer)`);
    this.ledger.count(actor.spec.index, name, value);
  }

  countTransition(mechanism: string, fromState: number, toState: number, count = 1): void {
    this.ledger.transition(this.actor().spec.index, mechanism, fromState, toState, count);
  }

  countTransitionId(mechanism: number, fromState: number, toState: number, count = 1): void {
    this.ledger.transitionId(this.actor().spec.index, mechanism, fromState, toState, count);
  }

  split(packet: SimPacket, count: number): SimPacket {
    const actor = this.actor();
    if (!(Number.isSafeInteger(count) && count >= 1 && count <= packet.multiplicity))
      throw new ModelContractError(
        `${actor.spec.id} split ${count} off a packet of multiplicity ${packet.multiplicity}`,
      );
    if (count === packet.multiplicity) return packet;
    packet.multiplicity -= count;
    this.counters.injected++; // a new packet object (the conservation law counts objects); no real packet is created
    const part = { ...packet, id: actor.nextPacketId++, multiplicity: count };
    if (part.traceparent !== "") this.trace(part, "split"); // a traced journey has one more part in flight
    return part;
  }

  merge(into: SimPacket, part: SimPacket): void {
    if (into === part || into.flowId !== part.flowId || into.src !== part.src || into.species !== part.species)
      throw new ModelContractError(`${this.actor().spec.id} merged packets of different flows`);
    into.multiplicity += part.multiplicity;
    if (part.traceparent !== "") this.trace(part, "merge");
    this.p.counters.consumed++; // a packet object goes (the conservation law counts objects); no real packet is consumed
  }

  setPower(component: string, watts: number): void {
    this.meters.setPower(this.actor(), component, watts, this.currentNs);
  }

  setLevel(name: string, value: number): void {
    this.meters.setLevel(this.actor(), name, value, this.currentNs);
  }

  setLevelId(level: number, value: number): void {
    this.meters.setLevelId(this.actor(), level, value, this.currentNs);
  }

  addEnergy(component: string, joules: number): void {
    this.meters.addEnergy(this.actor(), component, joules);
  }

  schedule(delayNs: number, tag: number, arg = 0): number {
    const actor = this.actor();
    if (!(delayNs >= 0)) throw new ModelContractError(`${actor.spec.id} scheduled a timer ${delayNs} ns in the past`);
    const index = actor.spec.index;
    const timeNs = this.currentNs + timerDelayNs(actor, delayNs);
    this.queue.pushTimer(timeNs, index, actor.nextSeq++, tag, arg);
    return timeNs;
  }

  record(metric: string, value: number, weight = 1): void {
    this.recordId(metricNames.id(metric), value, weight);
  }

  recordId(metric: number, value: number, weight = 1): void {
    this.ledger.metrics.recordId(metric, this.groupId(this.actor().spec), value, weight);
  }

  /** The id of the actor's group (names.ts), cached by actor index for this process's name tables. */
  private groupId(spec: ActorSpec): number {
    if (this.namesToken !== NAMES_TOKEN) {
      this.groupIds.fill(-1); // restored from another process's checkpoint: its ids are not this process's
      this.namesToken = NAMES_TOKEN;
    }
    const id = this.groupIds[spec.index]!;
    return id >= 0 ? id : (this.groupIds[spec.index] = groupNames.id(spec.group));
  }

  private actor(): LocalActor {
    const actor = this.current;
    if (actor === null) throw new ModelContractError("actor context used outside an event");
    return actor;
  }
}
