/**
 * A switch in leap mode: a packet (a count) takes the equal-cost next hops that are up as ECMP would take its
 * flows: a large count (at least SPLIT_MIN per port) is spread over them by a multinomial split with equal weights;
 * a smaller one follows one port chosen by its flow hash, as a flow does in exact mode (counts of different
 * flows and steps take different ports), so packets do not multiply at every tier of a fat-tree. It then leaves
 * by its output port's queue (ports.ts: quasi-steady, or a fluid with tail drop at the buffer). Power: chassis and
 * ports as in exact mode, energy per bit for every packet sent.
 */
import type { ActorContext, LeapBehaviour } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { flowHash, switchModel, type SwitchParams } from "../models/switch.ts";
import { multinomial } from "../runtime/sampling.ts";
import { newPortQueues, StepOutbox, type PortQueues } from "./ports.ts";

/** Real packets per port below which a count is not split over equal-cost ports. */
const SPLIT_MIN = 1000;

const weightsOfOne: number[][] = [];
/** [1, 1, .., 1] of length n, shared (multinomial only reads it). */
function equalWeights(n: number): number[] {
  return (weightsOfOne[n] ??= new Array<number>(n).fill(1));
}

function allUp(ports: readonly number[], ctx: ActorContext): boolean {
  for (const port of ports) if (!ctx.portUp(port)) return false;
  return true;
}

/** The ports that are up, or the first one when all are down (sent anyway and dropped as link_down). */
function upOrFirst(candidates: readonly number[], ctx: ActorContext): readonly number[] {
  const up = candidates.filter((p) => ctx.portUp(p));
  return up.length > 0 ? up : candidates.slice(0, 1);
}

interface LeapSwitchState {
  params: SwitchParams;
  ports: PortQueues;
}

export const switchLeap: LeapBehaviour<SwitchParams, LeapSwitchState> = {
  initial(params, ctx) {
    switchModel.initial(params, ctx); // sets the constant draw
    return { params, ports: newPortQueues(ctx.ports.length) };
  },

  step(state, inbox, ctx, leap) {
    const out = new StepOutbox();
    const perBit = state.params.power?.energy_per_bit_j ?? 0;
    const forward = (packet: SimPacket, count: number, port: number) => {
      const part = ctx.split(packet, count);
      if (perBit > 0 && ctx.portUp(port)) ctx.addEnergy("ports_dynamic", perBit * part.sizeBytes * 8 * count);
      out.add(part, port);
    };
    for (const packet of inbox) {
      if (packet.dst === ctx.self.index) {
        ctx.drop(packet, "addressed_to_switch");
        continue;
      }
      const candidates = ctx.routeAll(packet.dst);
      if (candidates.length === 0) {
        ctx.drop(packet, "no_route");
        continue;
      }
      // The common case, one port (a single path, or every equal-cost port but one down), allocates nothing.
      const ports = allUp(candidates, ctx) ? candidates : upOrFirst(candidates, ctx);
      const m = packet.multiplicity;
      if (ports.length === 1) forward(packet, m, ports[0]!);
      else if (m >= SPLIT_MIN * ports.length) {
        const shares = multinomial(m, equalWeights(ports.length), ctx.rng);
        for (let i = 0; i < shares.length; i++) if (shares[i]! > 0) forward(packet, shares[i]!, ports[i]!);
      } else forward(packet, m, ports[flowHash(packet, ctx.self.index) % ports.length]!);
    }
    out.flush(ctx, leap, state.ports, state.params.buffer);
  },

  onCommand(_state, command, _args, ctx) {
    if (command !== "crash" && command !== "recover")
      throw new Error(`${ctx.self.id}: the switch has no command "${command}"`);
  },

  queued() {
    return 0;
  },
};
