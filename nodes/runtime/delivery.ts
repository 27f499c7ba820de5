/**
 * Delivery of a shard's packets over links: the wire of every link direction (busy until), transmission
 * (transmission.ts), the arrival event, and the outbox of packets for other hosts.
 *
 * With exact delivery a packet arrives when it arrives: inside the current window for an actor of this host (the
 * queue's key keeps the order a one-host run has), and never inside it for another host (the window is at most
 * the lookahead; a packet that would is a ModelContractError, so a wrong lookahead fails loudly). With a quantum
 * above the smallest latency every delivery waits for the window's end, and the added delay is reported.
 */
import type { LocalActor } from "./actor-lifecycle.ts";
import { PORT_POWER, type ActorMeters } from "./actor-meters.ts";
import { EventType, type EventQueue, type SimEvent } from "./event-queue.ts";
import type { IntervalLedger } from "./interval-ledger.ts";
import type { LinkTable } from "./link-table.ts";
import type { SimPacket } from "./packet.ts";
import { ModelContractError, type ShardCounters } from "./shard-contract.ts";
import type { Port } from "./topology.ts";
import { transmit, Transmit, WIRE_FIELDS, WireField, writeWire, type TransmitTimes } from "./transmission.ts";
import { ZERO_NS } from "./time-fields.ts";

export interface DeliveryParts {
  queue: EventQueue;
  ledger: IntervalLedger;
  counters: ShardCounters;
  linkTable: LinkTable;
  meters: ActorMeters;
  /** The shard's actors by index (undefined where another host runs one): a port's owner pays its power. */
  byIndex: readonly (LocalActor | undefined)[];
  nodeOf: Int32Array;
  hostOf: readonly number[];
  hostIndex: number;
  exact: boolean;
}

export interface TakenOutbox {
  outbox: Map<number, SimEvent[]>;
  minNs: number;
  addedDelayNs: number;
}

/** Who drops the part of a count (leap mode) lost on the wire (the shard's context; a method, so no closure is kept). */
export interface LostParts {
  dropLostPart(packet: SimPacket, lost: number): void;
}

export class Delivery {
  private readonly p: DeliveryParts;
  /** Every link's row of parameters and wire times (transmission.ts), as of link-table version `wiresVersion`. */
  private readonly wires: Float64Array;
  private wiresVersion = -1;
  private readonly times: TransmitTimes = { departNs: ZERO_NS, doneNs: ZERO_NS, arriveNs: ZERO_NS, lost: 0 };
  /** Packets for other hosts sent this window, per destination host. */
  private outbox = new Map<number, SimEvent[]>();
  private outboxMinNs = Number.POSITIVE_INFINITY;
  private addedDelayNs = 0;
  windowEndNs = 0;

  constructor(parts: DeliveryParts) {
    this.p = parts;
    this.wires = new Float64Array(parts.linkTable.links.length * WIRE_FIELDS);
    this.refreshWires();
  }

  /** When the wire of the port's link direction is free again. */
  portFreeNs(port: Port): number {
    return this.wires[port.link * WIRE_FIELDS + WireField.busyUntilNs + (port.reverse ? 1 : 0)]!;
  }

  /** Copies the links' values after link commands changed them (the wires' times stay). */
  private refreshWires(): void {
    const table = this.p.linkTable;
    table.links.forEach((link, i) => writeWire(this.wires, i * WIRE_FIELDS, link));
    this.wiresVersion = table.version;
  }

  /**
   * Puts `packet` from `actor` on `port` at `nowNs` and queues its arrival (here or in the outbox). A packet that
   * is not sent (link down, lost on the wire) is counted on the link; the caller drops it. A count (leap mode) that
   * loses part of itself is counted too, and `parts` drops that part.
   */
  send(actor: LocalActor, port: Port, packet: SimPacket, nowNs: number, parts: LostParts): Transmit {
    const p = this.p;
    if (p.linkTable.version !== this.wiresVersion) this.refreshWires();
    const reverse = port.reverse ? 1 : 0;
    const direction = port.link * 2 + reverse;
    const row = port.link * WIRE_FIELDS;
    const t = this.times;
    const outcome = transmit(this.wires, row, reverse, nowNs, packet.sizeBytes, actor.rng, t, packet.multiplicity);
    const extraW = this.wires[row + WireField.busyExtraW]!;
    // A component sends through its server's NIC, which the server powers.
    if (outcome !== Transmit.linkDown && extraW !== 0)
      p.meters.power(p.byIndex[p.nodeOf[actor.spec.index]!]!).spread(PORT_POWER, extraW, t.departNs, t.doneNs);
    if (outcome !== Transmit.sent) {
      p.ledger.countLink(direction, packet.sizeBytes, true, packet.species, packet.multiplicity);
      return outcome;
    }
    if (t.lost > 0) {
      p.ledger.countLink(direction, packet.sizeBytes, true, packet.species, t.lost);
      parts.dropLostPart(packet, t.lost);
    }
    p.ledger.countLink(direction, packet.sizeBytes, false, packet.species, packet.multiplicity);
    packet.hops++;
    const deliverNs = p.exact ? t.arriveNs : Math.max(t.arriveNs, this.windowEndNs);
    this.addedDelayNs += deliverNs - t.arriveNs;
    if (packet.traceparent !== "") {
      p.ledger.traceEvents.push({
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
    const to = p.nodeOf[packet.dst] === port.neighbor ? packet.dst : port.neighbor;
    const host = p.hostOf[to]!;
    if (host === p.hostIndex) {
      p.queue.pushPacket(deliverNs, to, actor.spec.index, actor.nextSeq++, packet, port.link);
      return outcome;
    }
    if (deliverNs < this.windowEndNs) {
      throw new ModelContractError(
        `a packet from ${actor.spec.id} over link ${p.linkTable.links[port.link]!.id} would reach host ${host} at ${deliverNs} ns, inside the window ending at ${this.windowEndNs} ns (the lookahead is wrong)`,
      );
    }
    this.toHost(host, {
      timeNs: deliverNs,
      dst: to,
      src: actor.spec.index,
      seq: actor.nextSeq++,
      type: EventType.packet,
      packet,
      link: port.link,
      tag: 0,
      arg: 0,
    });
    return outcome;
  }

  /** Hands over this window's outbox and starts a new one. */
  takeOutbox(): TakenOutbox {
    const taken = { outbox: this.outbox, minNs: this.outboxMinNs, addedDelayNs: this.addedDelayNs };
    this.outbox = new Map();
    this.outboxMinNs = Number.POSITIVE_INFINITY;
    this.addedDelayNs = 0;
    return taken;
  }

  private toHost(host: number, event: SimEvent): void {
    let batch = this.outbox.get(host);
    if (batch === undefined) {
      batch = [];
      this.outbox.set(host, batch);
    }
    batch.push(event);
    this.p.counters.sentRemote++;
    if (event.timeNs < this.outboxMinNs) this.outboxMinNs = event.timeNs;
  }
}
