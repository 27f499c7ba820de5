/**
 * A store-and-forward switch. Every port has an output queue in front of its wire: a packet goes out at once
 * when the wire is idle and nothing waits, otherwise it waits (FIFO) while the bytes waiting fit the port's
 * buffer, and is dropped at the tail (`buffer_full`) when they would not. Serialization (size / bandwidth) and
 * latency are the link's, applied by the runtime when the switch hands a packet to the wire; a packet arrives
 * here only once its last bit has, so forwarding is store-and-forward.
 *
 * Forwarding takes the shortest paths; among equal-cost next hops (fat-tree, leaf-spine) it picks one per flow
 * by a hash of (flow, source, destination, this switch), so a flow keeps its path and switches at different
 * tiers do not make correlated choices (ECMP polarisation). Ports whose link is down are avoided while another
 * equal-cost port is up.
 *
 * Power: chassis + per connected port (constant) + energy per bit sent, added per packet so it is exact.
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { newPortEnergy, spreadTransmission, transmissionDone, TX_DONE, type PortEnergy } from "./port-energy.ts";
import { joules, size, watts } from "../../spec/units.ts";
import { mix32 } from "../runtime/rng.ts";
import { mechanismId } from "../runtime/names.ts";
import { lazy } from "../../spec/lazy.ts";

// Handles of the mechanisms counted on every queued packet (names.ts).
const ARRIVAL = mechanismId("arrival");
const DEPARTURE = mechanismId("departure");

export const switchParams = lazy(() =>
  z
    .object({
      /** Output buffer of each port, in bytes (the packet on the wire does not count). */
      buffer: size().default(1024 * 1024),
      power: z
        .object({
          chassis_w: watts().default(0),
          per_active_port_w: watts().default(0),
          energy_per_bit_j: joules().default(0),
        })
        .strict()
        .optional(),
    })
    .strict(),
);
export type SwitchParams = z.output<typeof switchParams>;

/** Packets waiting at one port, from `head` on; the slots before it are cleared as their packets go out. */
interface PortFifo {
  packets: (SimPacket | undefined)[];
  head: number;
}

/**
 * The ports' output queues as columns: forwarding a packet to an idle port (most packets) reads one number of a
 * compact array, not a queue object per port.
 */
interface SwitchState {
  params: SwitchParams;
  /** Joules per bit sent (0: no per-bit energy). */
  perBitJ: number;
  /** Per port: how many packets wait. */
  waiting: Int32Array;
  /** Per port: their bytes (the packet on the wire does not count). */
  waitingBytes: Float64Array;
  /** Per port: 1 while a PORT_FREE timer is pending. */
  armed: Uint8Array;
  /** Per port: the waiting packets, made when the port first has some. */
  fifos: (PortFifo | undefined)[];
  held: number;
  /** Per-bit energy of the transmissions in progress, spread over their serialization (port-energy.ts). */
  portEnergy: PortEnergy;
}

const PORT_FREE = 1;

/** Deterministic flow hash salted with the switch's index. */
export function flowHash(packet: SimPacket, salt: number): number {
  let h = mix32(salt ^ 0x9e3779b9);
  h = mix32(h ^ (packet.flowId >>> 0) ^ Math.floor(packet.flowId / 0x1_0000_0000));
  h = mix32(h ^ packet.src);
  return mix32(h ^ packet.dst);
}

/** The output port for a packet: one of the equal-cost next hops, chosen by flow hash; -1 when there is none. */
function choosePort(packet: SimPacket, ctx: ActorContext): number {
  const candidates = ctx.routeAll(packet.dst);
  if (candidates.length <= 1) return candidates[0] ?? -1;
  const hash = flowHash(packet, ctx.self.index);
  if (ctx.portsUp(candidates)) return candidates[hash % candidates.length]!;
  const up = candidates.filter((p) => ctx.portUp(p));
  return up.length === 0 ? candidates[hash % candidates.length]! : up[hash % up.length]!; // all down: dropped as link_down
}

function transmit(state: SwitchState, packet: SimPacket, port: number, ctx: ActorContext): void {
  const perBit = state.perBitJ;
  const up = perBit > 0 && ctx.portUp(port); // a packet on a down link is dropped and spends nothing
  ctx.send(packet, port);
  if (up) spreadTransmission(state.portEnergy, port, perBit * packet.sizeBytes * 8 * packet.multiplicity, ctx);
}

/** Sends waiting packets while the port's wire is idle; arms a timer for when it frees up otherwise. */
function drain(state: SwitchState, port: number, ctx: ActorContext): void {
  const fifo = state.fifos[port];
  if (fifo === undefined) return;
  while (fifo.head < fifo.packets.length && ctx.portFreeNs(port) <= ctx.nowNs) {
    // A sent packet must not stay referenced: a port whose queue never empties would otherwise keep every packet it
    // sent since the last compaction alive through young-generation collections (see request-queue.ts).
    const packet = fifo.packets[fifo.head]!;
    fifo.packets[fifo.head++] = undefined;
    state.waiting[port]!--;
    state.waitingBytes[port]! -= packet.sizeBytes;
    state.held--;
    ctx.countTransitionId(DEPARTURE, state.held + 1, state.held);
    transmit(state, packet, port, ctx);
  }
  if (fifo.head === fifo.packets.length) {
    fifo.packets.length = 0;
    fifo.head = 0;
  } else if (fifo.head > 1024 && fifo.head * 2 > fifo.packets.length) {
    fifo.packets = fifo.packets.slice(fifo.head);
    fifo.head = 0;
  }
  if (fifo.head < fifo.packets.length && state.armed[port] === 0) {
    state.armed[port] = 1;
    ctx.schedule(ctx.portFreeNs(port) - ctx.nowNs, PORT_FREE, port);
  }
}

export const switchModel: ActorModel<SwitchParams, SwitchState> = {
  kind: "switch",

  initial(params, ctx) {
    const power = params.power;
    if (power !== undefined) ctx.setPower("chassis", power.chassis_w + power.per_active_port_w * ctx.ports.length);
    const ports = ctx.ports.length;
    return {
      params,
      perBitJ: power?.energy_per_bit_j ?? 0,
      waiting: new Int32Array(ports),
      waitingBytes: new Float64Array(ports),
      armed: new Uint8Array(ports),
      fifos: new Array<PortFifo | undefined>(ports).fill(undefined),
      held: 0,
      portEnergy: newPortEnergy(ctx.ports.length),
    };
  },

  onPacket(state, packet, ctx) {
    if (packet.dst === ctx.self.index) {
      ctx.drop(packet, "addressed_to_switch");
      return;
    }
    const port = choosePort(packet, ctx);
    if (port < 0) {
      ctx.drop(packet, "no_route");
      return;
    }
    if (state.waiting[port] === 0 && ctx.portFreeNs(port) <= ctx.nowNs) {
      transmit(state, packet, port, ctx);
      return;
    }
    if (state.waitingBytes[port]! + packet.sizeBytes > state.params.buffer) {
      ctx.drop(packet, "buffer_full");
      return;
    }
    const fifo = (state.fifos[port] ??= { packets: [], head: 0 });
    fifo.packets.push(packet);
    state.waiting[port]!++;
    state.waitingBytes[port]! += packet.sizeBytes;
    state.held++;
    ctx.countTransitionId(ARRIVAL, state.held - 1, state.held);
    drain(state, port, ctx);
  },

  onTimer(state, tag, port, ctx) {
    if (tag === TX_DONE) transmissionDone(state.portEnergy, port, ctx);
    if (tag !== PORT_FREE) return;
    state.armed[port] = 0;
    drain(state, port, ctx);
  },

  onCommand(state, command, _args, ctx) {
    if (command === "crash") {
      // The buffers lose their contents; pending timers are lost while the switch is down.
      for (const fifo of state.fifos)
        if (fifo !== undefined)
          for (let i = fifo.head; i < fifo.packets.length; i++) ctx.drop(fifo.packets[i]!, "switch_down");
      state.fifos.fill(undefined);
      state.waiting.fill(0);
      state.waitingBytes.fill(0);
      state.armed.fill(0);
      state.held = 0;
      state.portEnergy.watts.fill(0); // their TX_DONE timers are lost with the rest
      if (state.perBitJ > 0) ctx.setPower("ports_dynamic", 0);
    } else if (command !== "recover") throw new Error(`${ctx.self.id}: the switch has no command "${command}"`);
  },

  queued(state) {
    return state.held;
  },
};
