/**
 * The ActorContext façade of a shard: what a model may do while one of its events runs, bound to that actor and
 * that instant. It turns the model's calls into the shard's bookkeeping (queue, outbox, ledger, counters).
 *
 * Delivery. With exact delivery a packet arrives when it arrives: inside the current window for an actor of this
 * host (the queue's key keeps the order a one-host run has), and never inside it for another host (the window is
 * at most the lookahead; a packet that would is a ModelContractError, so a wrong lookahead fails loudly). With a
 * quantum above the smallest latency every delivery waits for the window's end, and the added delay is reported.
 */
import { LOCAL_PORT, type ActorContext, type NewPacket } from "./actor.ts";
import { timerDelayNs, type LocalActor } from "./actor-lifecycle.ts";
import { EventType, type EventQueue, type SimEvent } from "./event-queue.ts";
import { ExchangeColumn, SPECIES_MASK, Tally, type IntervalLedger } from "./interval-ledger.ts";
import type { LinkTable } from "./link-table.ts";
import type { SimPacket } from "./packet.ts";
import { LevelMeter } from "./level-meter.ts";
import { PowerMeter } from "./power.ts";
import type { Xoshiro128 } from "./rng.ts";
import type { Router } from "./routing.ts";
import { sampleTraceparent } from "./trace-sampling.ts";
import { transmit, Transmit, type TransmitTimes } from "./transmission.ts";
import type { ActorSpec, Port, ResolvedScenario } from "./topology.ts";
import { ModelContractError, type ShardCounters } from "./shard-contract.ts";

/** The energy component of link ports (NICs, transceivers). */
export const PORT_POWER = "nic";

/** What the context works on: the shard's own structures, shared. */
export interface ShardParts {
  scenario: ResolvedScenario;
  hostOf: readonly number[];
  hostIndex: number;
  queue: EventQueue;
  actors: Map<number, LocalActor>;
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
  private readonly hostOf: readonly number[];
  private readonly hostIndex: number;
  private readonly exact: boolean;
  private readonly indexById: Map<string, number>;
  private readonly linkBusyUntilNs: Float64Array;
  private readonly times: TransmitTimes = { departNs: 0, doneNs: 0, arriveNs: 0, lost: 0 };
  /** Packets for other hosts sent this window, per destination host. */
  outbox = new Map<number, SimEvent[]>();
  outboxMinNs = Number.POSITIVE_INFINITY;
  addedDelayNs = 0;
  windowEndNs = 0;
  sendingAllowed = false;
  /** Actors that handled an event since their queued count was last read. */
  touchedActors: LocalActor[] = [];
  /** Actors with a power meter, in the order they got it. */
  readonly powered: LocalActor[] = [];
  /** Actors with a level meter, in the order they got it. */
  readonly levelled: LocalActor[] = [];
  private current: LocalActor | null = null;
  private currentNs = 0;

  constructor(parts: ShardParts) {
    this.p = parts;
    this.queue = parts.queue;
    this.ledger = parts.ledger;
    this.counters = parts.counters;
    this.nodeOf = parts.nodeOf;
    this.hostOf = parts.hostOf;
    this.hostIndex = parts.hostIndex;
    this.exact = parts.exact;
    this.indexById = new Map(parts.scenario.actors.map((a) => [a.id, a.index]));
    this.linkBusyUntilNs = new Float64Array(parts.scenario.links.length * 2);
  }

  /** Binds the context to `actor` at `nowNs` (until `leave`). */
  enter(actor: LocalActor, nowNs: number): void {
    this.current = actor;
    this.currentNs = nowNs;
    if (!actor.touched) {
      actor.touched = true;
      this.touchedActors.push(actor);
    }
  }

  leave(): void {
    this.current = null;
  }

  /** Hands over this window's outbox and starts a new one. */
  takeOutbox(): { outbox: Map<number, SimEvent[]>; minNs: number; addedDelayNs: number } {
    const taken = { outbox: this.outbox, minNs: this.outboxMinNs, addedDelayNs: this.addedDelayNs };
    this.outbox = new Map();
    this.outboxMinNs = Number.POSITIVE_INFINITY;
    this.addedDelayNs = 0;
    return taken;
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
    const ledger = this.ledger;
    ledger.add(actor.spec.index, Tally.packets_injected, multiplicity);
    ledger.add(actor.spec.index, ExchangeColumn.created + (init.species & SPECIES_MASK), multiplicity);
    const run = this.p.scenario.run;
    const traceparent =
      init.traceparent ??
      (init.flowId === undefined ? sampleTraceparent(run.traceSampleRatio, run.seed, actor.spec.index, id) : "");
    const packet: SimPacket = {
      id,
      flowId: init.flowId ?? id,
      species: init.species,
      src: actor.spec.index,
      dst: init.dst,
      sizeBytes: init.sizeBytes,
      multiplicity,
      createdNs: this.currentNs,
      hops: 0,
      kind: init.kind ?? 0,
      flowCreatedNs: init.flowCreatedNs ?? this.currentNs,
      replyBytes: init.replyBytes ?? 0,
      streamRatePerS: init.streamRatePerS ?? 0,
      traceparent,
    };
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

  send(packet: SimPacket, portIndex: number): void {
    const actor = this.actor();
    if (!this.sendingAllowed)
      throw new ModelContractError(
        `${actor.spec.id} sent a packet outside an event (only timers may be set up in initial())`,
      );
    if (portIndex === LOCAL_PORT) {
      this.sendLocal(actor, packet);
      return;
    }
    const port = actor.ports[portIndex];
    if (port === undefined) throw new ModelContractError(`${actor.spec.id} has no port ${portIndex}`);
    const link = this.p.linkTable.links[port.link]!;
    const direction = port.link * 2 + (port.reverse ? 1 : 0);
    const t = this.times;
    const outcome = transmit(
      link,
      this.linkBusyUntilNs[direction]!,
      this.currentNs,
      packet.sizeBytes,
      actor.rng,
      t,
      packet.multiplicity,
    );
    if (outcome !== Transmit.linkDown) {
      this.linkBusyUntilNs[direction] = t.doneNs;
      if (link.busyExtraW) this.portMeter(actor).spread(PORT_POWER, link.busyExtraW, t.departNs, t.doneNs);
    }
    if (outcome !== Transmit.sent) {
      this.ledger.countLink(direction, packet.sizeBytes, true, packet.species, packet.multiplicity);
      this.drop(packet, outcome === Transmit.linkDown ? "link_down" : "link_loss");
      return;
    }
    if (t.lost > 0) {
      // A count (leap mode) lost part of itself on the wire: that part is booked as exact mode books a lost packet.
      this.ledger.countLink(direction, packet.sizeBytes, true, packet.species, t.lost);
      this.drop(this.split(packet, t.lost), "link_loss");
    }
    this.ledger.countLink(direction, packet.sizeBytes, false, packet.species, packet.multiplicity);
    packet.hops++;
    const deliverNs = this.exact ? t.arriveNs : Math.max(t.arriveNs, this.windowEndNs);
    this.addedDelayNs += deliverNs - t.arriveNs;
    if (packet.traceparent !== "") {
      this.ledger.traceEvents.push({
        traceparent: packet.traceparent,
        kind: "hop",
        timeNs: t.departNs,
        actor: actor.spec.index,
        toActor: port.neighbor,
        link: port.link,
        arriveNs: deliverNs,
        packetId: packet.id,
        packetSrc: packet.src,
        species: packet.species,
        sizeBytes: packet.sizeBytes,
        reason: "",
        multiplicity: packet.multiplicity,
      });
    }
    // Arriving at a server's NIC, a packet for one of its components goes straight to that component.
    const to = this.nodeOf[packet.dst] === port.neighbor ? packet.dst : port.neighbor;
    const host = this.hostOf[to]!;
    if (host === this.hostIndex) {
      this.queue.pushPacket(deliverNs, to, actor.spec.index, actor.nextSeq++, packet, port.link);
      return;
    }
    const event: SimEvent = {
      timeNs: deliverNs,
      dst: to,
      src: actor.spec.index,
      seq: actor.nextSeq++,
      type: EventType.packet,
      packet,
      link: port.link,
      tag: 0,
      arg: 0,
    };
    if (deliverNs < this.windowEndNs) {
      throw new ModelContractError(
        `a packet from ${actor.spec.id} over link ${link.id} would reach host ${host} at ${deliverNs} ns, inside the window ending at ${this.windowEndNs} ns (the lookahead is wrong)`,
      );
    }
    let batch = this.outbox.get(host);
    if (batch === undefined) {
      batch = [];
      this.outbox.set(host, batch);
    }
    batch.push(event);
    this.counters.sentRemote++;
    if (deliverNs < this.outboxMinNs) this.outboxMinNs = deliverNs;
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
    this.enter(callee, this.currentNs);
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
    const port = this.port(portIndex);
    return this.linkBusyUntilNs[port.link * 2 + (port.reverse ? 1 : 0)]!;
  }

  portUp(portIndex: number): boolean {
    return this.p.linkTable.links[this.port(portIndex).link]!.up;
  }

  private port(portIndex: number): Port {
    const actor = this.actor();
    const port = actor.ports[portIndex];
    if (port === undefined) throw new ModelContractError(`${actor.spec.id} has no port ${portIndex}`);
    return port;
  }

  consume(packet: SimPacket): void {
    this.counters.consumed++;
    if (packet.traceparent !== "") this.trace(packet, "consume");
    const actor = this.actor().spec.index;
    const bits = packet.sizeBytes * 8 * packet.multiplicity;
    const ledger = this.ledger;
    ledger.add(actor, Tally.packets_removed, packet.multiplicity);
    ledger.add(actor, ExchangeColumn.consumed + (packet.species & SPECIES_MASK), packet.multiplicity);
    ledger.add(actor, Tally.bits_delivered, bits);
    ledger.add(actor, Tally.bits_erased, bits);
  }

  drop(packet: SimPacket, reason: string): void {
    this.counters.dropped++;
    if (packet.traceparent !== "") this.trace(packet, "drop", reason);
    this.ledger.drop(reason, packet.multiplicity);
    const actor = this.actor().spec.index;
    const ledger = this.ledger;
    ledger.add(actor, Tally.packets_removed, packet.multiplicity);
    ledger.add(actor, ExchangeColumn.dropped + (packet.species & SPECIES_MASK), packet.multiplicity);
    ledger.add(actor, Tally.bits_erased, packet.sizeBytes * 8 * packet.multiplicity);
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
    const actor = this.actor();
    if (!(watts >= 0 && Number.isFinite(watts)))
      throw new ModelContractError(`${actor.spec.id} set ${component} power to ${watts} W`);
    this.meter(actor).set(component, watts, this.currentNs);
  }

  setLevel(name: string, value: number): void {
    const actor = this.actor();
    if (!(Number.isSafeInteger(value) && value >= 0))
      throw new ModelContractError(`${actor.spec.id} set level ${name} to ${value} (expected a non-negative integer)`);
    if (actor.levels === null) {
      actor.levels = new LevelMeter();
      this.levelled.push(actor);
    }
    actor.levels.set(name, value, this.currentNs);
  }

  addEnergy(component: string, joules: number): void {
    const actor = this.actor();
    if (!(joules >= 0 && Number.isFinite(joules)))
      throw new ModelContractError(`${actor.spec.id} added ${joules} J to ${component}`);
    this.meter(actor).add(component, joules);
  }

  /** The meter of the port's owner: a component sends through its server's NIC, which the server powers. */
  private portMeter(actor: LocalActor): PowerMeter {
    return this.meter(this.p.actors.get(this.p.nodeOf[actor.spec.index]!)!);
  }

  /** At time 0: an actor that owns ports on powered links draws their idle power (scenario/link-power.ts). */
  powerPorts(actor: LocalActor): void {
    if (actor.spec.placedOn !== undefined) return; // its ports are its server's
    let idleW = 0;
    let powered = false;
    for (const port of actor.ports) {
      const w = this.p.scenario.links[port.link]!.idleW;
      if (w === undefined) continue;
      powered = true;
      idleW += w;
    }
    if (powered) this.meter(actor).set(PORT_POWER, idleW, 0);
  }

  private meter(actor: LocalActor): PowerMeter {
    if (actor.power === null) {
      actor.power = new PowerMeter();
      this.powered.push(actor);
    }
    return actor.power;
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
    this.ledger.metrics.record(metric, this.actor().spec.group, value, weight);
  }

  private actor(): LocalActor {
    const actor = this.current;
    if (actor === null) throw new ModelContractError("actor context used outside an event");
    return actor;
  }
}
