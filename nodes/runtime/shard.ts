/**
 * A shard: the actors one host runs, its event queue, and the packets it owes other hosts.
 *
 * `runWindow(start, end)` executes every local event with time < end in key order. A packet's delivery time is
 * never inside the window it was sent in: with a quantum at most the smallest latency that holds by itself; with
 * a larger quantum the delivery is delayed to the window's end for every packet, local or remote (a rule of the
 * model, so results do not depend on placement), and the added delay is reported.
 */
import { LOCAL_PORT, type ActorContext, type ActorModel, type ModelLookup, type NewPacket } from "./actor.ts";
import { EventQueue, EventType, type SimEvent } from "./event-queue.ts";
import { IntervalLedger, type IntervalData } from "./interval-ledger.ts";
import { LinkTable } from "./link-table.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { SimPacket } from "./packet.ts";
import { PowerMeter } from "./power.ts";
import { sampleTraceparent } from "./trace-sampling.ts";
import { CLOCK_DRIFT_COMMAND, clockRate } from "./clock-drift.ts";
import { Xoshiro128 } from "./rng.ts";
import { Router } from "./routing.ts";
import { networkNodes, portsByActor, type ActorSpec, type LinkSpec, type Port, type ResolvedScenario } from "./topology.ts";

/** A model broke a rule of the runtime (a bug in the model, not a simulated failure). */
export class ModelContractError extends Error {
  override name = "ModelContractError";
}

interface LocalActor {
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
  /** running; down (crashed: arriving packets are dropped, timers lost); paused (events wait for resume). */
  status: "running" | "down" | "paused";
  deferred: SimEvent[];
  /** Rate of the actor's own clock against simulated time (1 + drift): its timers fire after delay / clockRate. */
  clockRate: number;
}

/** Cumulative packet accounting of the shard. */
export interface ShardCounters {
  injected: number;
  consumed: number;
  dropped: number;
  queued: number;
  inFlightLocal: number;
  sentRemote: number;
  receivedRemote: number;
}

export interface WindowResult {
  window: number;
  events: number;
  /** Outgoing packets per destination host (only hosts that get any). */
  outbox: Map<number, SimEvent[]>;
  /** Earliest pending event of this shard, counting packets it just sent to other hosts; -1 if none. */
  nextEventNs: number;
  counters: ShardCounters;
  /** Metrics intervals that closed before this window started, in order. */
  intervals: IntervalData[];
  addedDelayNs: number;
}

export class Shard implements ActorContext {
  readonly hostIndex: number;
  private readonly scenario: ResolvedScenario;
  private readonly hostOf: readonly number[];
  private readonly queue = new EventQueue();
  private readonly actors = new Map<number, LocalActor>();
  private readonly router: Router;
  /** Network node of every actor: itself, or a component's server (topology.ts `networkNodes`). */
  private readonly nodeOf: Int32Array;
  private readonly indexById: Map<string, number>;
  private readonly linkBusyUntilNs: Float64Array;
  private readonly linkTable: LinkTable;
  /** Packet events held for paused actors (still in flight for the conservation law). */
  private deferredPackets = 0;
  /** Actors that handled an event since their queued count was last read. */
  private touchedActors: LocalActor[] = [];
  private readonly ledger = new IntervalLedger();
  private readonly powered: LocalActor[] = [];
  private readonly intervalNs: number;
  /** The metrics interval the shard is recording into. */
  private currentInterval = 0;
  private readonly counters: ShardCounters = { injected: 0, consumed: 0, dropped: 0, queued: 0, inFlightLocal: 0, sentRemote: 0, receivedRemote: 0 };
  private outbox = new Map<number, SimEvent[]>();
  private outboxMinNs = Number.POSITIVE_INFINITY;
  private windowEndNs = 0;
  private addedDelayNs = 0;
  private current: LocalActor | null = null;
  private currentNs = 0;
  private sendingAllowed = false;

  constructor(scenario: ResolvedScenario, hostOf: readonly number[], hostIndex: number, models: ModelLookup) {
    this.scenario = scenario;
    this.hostOf = hostOf;
    this.hostIndex = hostIndex;
    const portsOf = portsByActor(scenario);
    this.nodeOf = networkNodes(scenario.actors);
    this.router = new Router(portsOf, this.nodeOf);
    this.indexById = new Map(scenario.actors.map((a) => [a.id, a.index]));
    this.linkBusyUntilNs = new Float64Array(scenario.links.length * 2);
    this.linkTable = new LinkTable(scenario.links);
    this.intervalNs = scenario.run.metricsIntervalNs;
    for (const spec of scenario.actors) {
      if (hostOf[spec.index] !== hostIndex) continue;
      this.actors.set(spec.index, {
        spec,
        model: models(spec.kind),
        state: undefined,
        rng: Xoshiro128.seeded(scenario.run.seed, spec.id),
        ports: portsOf[this.nodeOf[spec.index]!]!, // a component sends through its server's NIC
        nextSeq: 0,
        nextPacketId: 0,
        lastQueued: 0,
        touched: false,
        power: null,
        status: "running",
        deferred: [],
        clockRate: 1,
      });
    }
  }

  runsActor(index: number): boolean {
    return this.actors.has(index);
  }

  get actorCount(): number {
    return this.actors.size;
  }

  /** Builds every local actor's initial state (in actor-index order) at time 0. */
  init(): void {
    for (const actor of [...this.actors.values()].sort((x, y) => x.spec.index - y.spec.index)) {
      this.current = actor;
      this.currentNs = 0;
      actor.state = actor.model.initial(actor.spec.params, this);
      actor.touched = true;
      this.touchedActors.push(actor);
    }
    this.current = null;
    this.refreshQueued();
  }

  nextEventNs(): number {
    return this.queue.peekTime();
  }

  /** Adds packets another host sent to this shard's actors. */
  mergeRemote(events: readonly SimEvent[]): void {
    for (const event of events) {
      if (this.hostOf[event.dst] !== this.hostIndex) {
        throw new ModelContractError(`packet for actor ${event.dst} delivered to host ${this.hostIndex}, which does not run it`);
      }
      this.queue.push(event);
    }
    this.counters.receivedRemote += events.length;
  }

  runWindow(window: number, startNs: number, endNs: number, commands: readonly dctwin.v1.Command.$Properties[] = []): WindowResult {
    const intervals = this.closeIntervals(startNs, false);
    this.windowEndNs = endNs;
    this.sendingAllowed = true;
    for (const command of commands) this.applyCommand(command, startNs);
    let events = 0;
    for (let event = this.queue.popBefore(endNs); event !== undefined; event = this.queue.popBefore(endNs)) {
      events++;
      if (event.timeNs < startNs) throw new ModelContractError(`event at ${event.timeNs} ns is before window start ${startNs} ns`);
      const actor = this.actors.get(event.dst)!;
      this.enter(actor, event.timeNs);
      if (actor.status !== "running") {
        this.holdOrLose(actor, event);
        continue;
      }
      if (event.type === EventType.packet) actor.model.onPacket(actor.state, event.packet!, this);
      else actor.model.onTimer(actor.state, event.tag, event.arg, this);
    }
    this.current = null;
    this.sendingAllowed = false;
    this.ledger.events += events;
    this.refreshQueued();
    this.counters.inFlightLocal = this.queue.packetsInFlight + this.deferredPackets;

    const local = this.queue.peekTime();
    const remote = this.outboxMinNs === Number.POSITIVE_INFINITY ? -1 : this.outboxMinNs;
    const nextEventNs = local < 0 ? remote : remote < 0 ? local : Math.min(local, remote);
    const result: WindowResult = {
      window,
      events,
      outbox: this.outbox,
      nextEventNs,
      counters: { ...this.counters },
      intervals,
      addedDelayNs: this.addedDelayNs,
    };
    this.outbox = new Map();
    this.outboxMinNs = Number.POSITIVE_INFINITY;
    this.addedDelayNs = 0;
    return result;
  }

  /** The run ends at `endNs`: closes every interval up to it (the last one partially) and reports them. */
  finish(endNs: number): { intervals: IntervalData[]; counters: ShardCounters } {
    this.counters.inFlightLocal = this.queue.packetsInFlight + this.deferredPackets; // batches merged since the last window
    return { intervals: this.closeIntervals(endNs, true), counters: { ...this.counters } };
  }

  /**
   * Closes every interval that ends at or before `tNs` (and, when `final`, the one `tNs` falls in). Powered
   * actors accrue energy up to each boundary, including intervals in which nothing happened.
   */
  private closeIntervals(tNs: number, final: boolean): IntervalData[] {
    const closed: IntervalData[] = [];
    for (;;) {
      const boundary = (this.currentInterval + 1) * this.intervalNs;
      const partial = final && boundary > tNs && tNs > this.currentInterval * this.intervalNs;
      if (boundary > tNs && !partial) break;
      const until = partial ? tNs : boundary;
      const energy: IntervalData["energy"] = [];
      for (const actor of this.powered) {
        actor.power!.accrue(until);
        for (const [component, joules] of actor.power!.drain()) energy.push({ actor: actor.spec.index, component, joules });
      }
      if (energy.length > 0 || !this.ledger.isEmpty()) closed.push(this.ledger.drain(this.currentInterval, energy));
      this.currentInterval++;
      if (partial) break;
    }
    return closed;
  }

  /** Applies one command at `nowNs` (window start): link changes everywhere, actor commands where the actor runs. */
  private applyCommand(command: dctwin.v1.Command.$Properties, nowNs: number): void {
    if (command.link != null) {
      this.linkTable.apply(command.link);
      return;
    }
    const c = command.actor;
    if (c == null) throw new ModelContractError(`command ${command.seq} has no target`);
    const actor = this.actors.get(c.actor ?? -1);
    if (actor === undefined) return; // another host runs it
    this.enter(actor, nowNs);
    const args: unknown = c.argsJson ? JSON.parse(c.argsJson) : {};
    switch (c.command) {
      case "crash":
        actor.model.onCommand?.(actor.state, "crash", args, this); // the model drops what it held
        actor.status = "down";
        break;
      case "recover":
        if (actor.status === "down") {
          actor.status = "running";
          actor.model.onCommand?.(actor.state, "recover", args, this); // the model restarts its timers
        }
        break;
      case "pause":
        if (actor.status === "running") actor.status = "paused";
        break;
      case "resume":
        if (actor.status === "paused") {
          actor.status = "running";
          // Held events happen now, in their original key order.
          for (const event of actor.deferred) {
            if (event.type === EventType.packet) this.deferredPackets--;
            this.queue.push({ ...event, timeNs: nowNs });
          }
          actor.deferred = [];
        }
        break;
      case CLOCK_DRIFT_COMMAND:
        actor.clockRate = clockRate(args);
        break;
      default:
        if (actor.model.onCommand === undefined) throw new ModelContractError(`${actor.spec.id} (${actor.spec.kind}) has no command "${c.command}"`);
        actor.model.onCommand(actor.state, c.command ?? "", args, this);
    }
    this.current = null;
  }

  /** An event for an actor that is not running: a paused actor keeps it for later, a crashed one loses it. */
  private holdOrLose(actor: LocalActor, event: SimEvent): void {
    if (actor.status === "paused") {
      actor.deferred.push(event);
      if (event.type === EventType.packet) this.deferredPackets++;
    } else if (event.type === EventType.packet) {
      this.drop(event.packet!, "actor_down");
    }
  }

  private enter(actor: LocalActor, nowNs: number): void {
    this.current = actor;
    this.currentNs = nowNs;
    if (!actor.touched) {
      actor.touched = true;
      this.touchedActors.push(actor);
    }
  }

  // ---- ActorContext, bound to the actor whose event is running -------------------------------------------

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
    this.ledger.tally(actor.spec.index, "packets_injected", 1);
    this.ledger.exchange(actor.spec.index, init.species, "created");
    const run = this.scenario.run;
    const traceparent = init.traceparent ?? (init.flowId === undefined ? sampleTraceparent(run.traceSampleRatio, run.seed, actor.spec.index, id) : "");
    const packet: SimPacket = {
      id,
      flowId: init.flowId ?? id,
      species: init.species,
      src: actor.spec.index,
      dst: init.dst,
      sizeBytes: init.sizeBytes,
      multiplicity: init.multiplicity ?? 1,
      createdNs: this.currentNs,
      hops: 0,
      kind: init.kind ?? 0,
      flowCreatedNs: init.flowCreatedNs ?? this.currentNs,
      replyBytes: init.replyBytes ?? 0,
      traceparent,
    };
    if (traceparent !== "") this.trace(packet, "create");
    return packet;
  }

  /** Records a step of a sampled journey. */
  private trace(packet: SimPacket, kind: "create" | "consume" | "drop", reason = ""): void {
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
    });
  }

  send(packet: SimPacket, portIndex: number): void {
    const actor = this.actor();
    if (!this.sendingAllowed) throw new ModelContractError(`${actor.spec.id} sent a packet outside an event (only timers may be set up in initial())`);
    if (portIndex === LOCAL_PORT) {
      this.sendLocal(actor, packet);
      return;
    }
    const port = actor.ports[portIndex];
    if (port === undefined) throw new ModelContractError(`${actor.spec.id} has no port ${portIndex}`);
    const link = this.linkTable.links[port.link]!;
    const direction = port.link * 2 + (port.reverse ? 1 : 0);
    if (!link.up) {
      this.ledger.countLink(direction, packet.sizeBytes, true, packet.species);
      this.drop(packet, "link_down");
      return;
    }
    const departNs = Math.max(this.currentNs, this.linkBusyUntilNs[direction]!);
    const doneNs = departNs + serializationNs(packet.sizeBytes, link);
    this.linkBusyUntilNs[direction] = doneNs;
    if (link.loss > 0 && actor.rng.uniform() < link.loss) {
      this.ledger.countLink(direction, packet.sizeBytes, true, packet.species);
      this.drop(packet, "link_loss");
      return;
    }
    this.ledger.countLink(direction, packet.sizeBytes, false, packet.species);
    packet.hops++;
    const jitterNs = link.jitterNs > 0 ? Math.floor(actor.rng.uniform() * link.jitterNs) : 0;
    const arriveNs = doneNs + link.latencyNs + jitterNs;
    const deliverNs = Math.max(arriveNs, this.windowEndNs);
    this.addedDelayNs += deliverNs - arriveNs;
    if (packet.traceparent !== "") {
      this.ledger.traceEvents.push({ traceparent: packet.traceparent, kind: "hop", timeNs: departNs, actor: actor.spec.index, toActor: port.neighbor, link: port.link, arriveNs: deliverNs, packetId: packet.id, packetSrc: packet.src, species: packet.species, sizeBytes: packet.sizeBytes, reason: "" });
    }
    // Arriving at a server's NIC, a packet for one of its components goes straight to that component.
    const to = this.nodeOf[packet.dst] === port.neighbor ? packet.dst : port.neighbor;
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
    const host = this.hostOf[to]!;
    if (host === this.hostIndex) {
      this.queue.push(event);
      return;
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
    if (dst === actor.spec.index || this.nodeOf[dst] !== this.nodeOf[actor.spec.index] || !this.actors.has(dst)) {
      throw new ModelContractError(`${actor.spec.id} sent a packet locally to ${this.scenario.actors[dst]?.id ?? dst}, which is not on its network node`);
    }
    this.queue.push({ timeNs: this.currentNs, dst, src: actor.spec.index, seq: actor.nextSeq++, type: EventType.packet, packet, link: -1, tag: 0, arg: 0 });
  }

  localCall(target: number, request: unknown): unknown {
    const caller = this.actor();
    const callee = this.actors.get(target);
    if (callee === undefined || target === caller.spec.index || this.nodeOf[target] !== this.nodeOf[caller.spec.index]) {
      throw new ModelContractError(`${caller.spec.id} made a local call to ${this.scenario.actors[target]?.id ?? target}, which is not on its network node`);
    }
    if (callee.model.onLocalCall === undefined) throw new ModelContractError(`${callee.spec.id} (${callee.spec.kind}) takes no local calls`);
    if (callee.status !== "running") return null;
    const nowNs = this.currentNs;
    this.enter(callee, nowNs);
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
    const port = this.router.nextPort(actor.spec.index, dst);
    if (port < 0) throw new ModelContractError(`${actor.spec.id} has no route to actor ${this.scenario.actors[dst]?.id ?? dst}`);
    return port;
  }

  routeAll(dst: number): readonly number[] {
    return this.router.nextPorts(this.actor().spec.index, dst);
  }

  portFreeNs(portIndex: number): number {
    return this.linkBusyUntilNs[this.direction(portIndex)]!;
  }

  portUp(portIndex: number): boolean {
    return this.linkTable.links[this.port(portIndex).link]!.up;
  }

  private port(portIndex: number): Port {
    const actor = this.actor();
    const port = actor.ports[portIndex];
    if (port === undefined) throw new ModelContractError(`${actor.spec.id} has no port ${portIndex}`);
    return port;
  }

  private direction(portIndex: number): number {
    const port = this.port(portIndex);
    return port.link * 2 + (port.reverse ? 1 : 0);
  }

  consume(packet: SimPacket): void {
    this.counters.consumed++;
    if (packet.traceparent !== "") this.trace(packet, "consume");
    const actor = this.actor().spec.index;
    const bits = packet.sizeBytes * 8 * packet.multiplicity;
    this.ledger.tally(actor, "packets_removed", 1);
    this.ledger.exchange(actor, packet.species, "consumed");
    this.ledger.tally(actor, "bits_delivered", bits);
    this.ledger.tally(actor, "bits_erased", bits);
  }

  drop(packet: SimPacket, reason: string): void {
    this.counters.dropped++;
    if (packet.traceparent !== "") this.trace(packet, "drop", reason);
    this.ledger.drop(reason);
    const actor = this.actor().spec.index;
    this.ledger.tally(actor, "packets_removed", 1);
    this.ledger.exchange(actor, packet.species, "dropped");
    this.ledger.tally(actor, "bits_erased", packet.sizeBytes * 8 * packet.multiplicity);
  }

  eraseBits(bits: number): void {
    if (bits > 0) this.ledger.tally(this.actor().spec.index, "bits_erased", Math.round(bits));
  }

  count(name: string, value: number): void {
    const actor = this.actor();
    if (!(Number.isSafeInteger(value) && value >= 0)) throw new ModelContractError(`${actor.spec.id} counted ${value} for ${name} (expected a non-negative integer)`);
    this.ledger.count(actor.spec.index, name, value);
  }

  countTransition(mechanism: string, fromState: number, toState: number): void {
    this.ledger.transition(this.actor().spec.index, mechanism, fromState, toState);
  }

  setPower(component: string, watts: number): void {
    const actor = this.actor();
    if (!(watts >= 0 && Number.isFinite(watts))) throw new ModelContractError(`${actor.spec.id} set ${component} power to ${watts} W`);
    this.meter(actor).set(component, watts, this.currentNs);
  }

  addEnergy(component: string, joules: number): void {
    const actor = this.actor();
    if (!(joules >= 0 && Number.isFinite(joules))) throw new ModelContractError(`${actor.spec.id} added ${joules} J to ${component}`);
    this.meter(actor).add(component, joules);
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
    const timeNs = this.currentNs + Math.round(actor.clockRate === 1 ? delayNs : delayNs / actor.clockRate);
    this.queue.push({
      timeNs,
      dst: index,
      src: index,
      seq: actor.nextSeq++,
      type: EventType.timer,
      packet: null,
      link: -1,
      tag,
      arg,
    });
    return timeNs;
  }

  record(metric: string, value: number): void {
    this.ledger.metrics.record(metric, this.actor().spec.group, value);
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private actor(): LocalActor {
    const actor = this.current;
    if (actor === null) throw new ModelContractError("actor context used outside an event");
    return actor;
  }

  /** Updates the shard's queued total from the actors that ran since the last call. */
  private refreshQueued(): void {
    for (const actor of this.touchedActors) {
      const q = actor.model.queued(actor.state);
      this.counters.queued += q - actor.lastQueued;
      actor.lastQueued = q;
      actor.touched = false;
    }
    this.touchedActors = [];
  }
}

/** Time to put a packet on the wire: size / bandwidth, rounded up to whole nanoseconds. */
export function serializationNs(sizeBytes: number, link: LinkSpec): number {
  if (link.bandwidthBps <= 0) return 0;
  return Math.ceil((sizeBytes * 8 * 1e9) / link.bandwidthBps);
}
