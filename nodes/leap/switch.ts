/**
 * A switch in leap mode: a packet (a count) takes the equal-cost next hops that are up as ECMP would take its
 * flows: a large count (at least SPLIT_MIN per port) is spread over them by a multinomial split with equal weights;
 * a smaller one follows one port chosen by its flow hash, as a flow does in exact mode (counts of different
 * flows and steps take different ports), so packets do not multiply at every tier of a fat-tree. It then leaves
 * by its output port's queue (ports.ts: quasi-steady, or a fluid with tail drop at the buffer). Power: chassis and
 * ports as in exact mode, energy per bit for every packet sent.
 */
import type { LeapBehaviour } from "../runtime/actor.ts";
import { flowHash, switchModel, type SwitchParams } from "../models/switch.ts";
import { multinomial } from "../runtime/sampling.ts";
import { newPortQueues, StepOutbox, type PortQueues } from "./ports.ts";

/** Real packets per port below which a count is not split over equal-cost ports. */
const SPLIT_MIN = 1000;

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
    for (const packet of inbox) {
      if (packet.dst === ctx.self.index) {
        ctx.drop(packet, "addressed_to_switch");
        continue;
      }
      const candidates = ctx.routeAll(packet.dst);
      const up = candidates.filter((p) => ctx.portUp(p));
      const ports = up.length > 0 ? up : candidates.slice(0, 1); // all down: sent anyway and dropped as link_down
      if (ports.length === 0) {
        ctx.drop(packet, "no_route");
        continue;
      }
      let shares: number[];
      if (ports.length === 1) shares = [packet.multiplicity];
      else if (packet.multiplicity >= SPLIT_MIN * ports.length)
        shares = multinomial(
          packet.multiplicity,
          ports.map(() => 1),
          ctx.rng,
        );
      else {
        shares = ports.map(() => 0);
        shares[flowHash(packet, ctx.self.index) % ports.length] = packet.multiplicity;
      }
      shares.forEach((k, i) => {
        if (k === 0) return;
        const part = ctx.split(packet, k);
        if (perBit > 0 && ctx.portUp(ports[i]!)) ctx.addEnergy("ports_dynamic", perBit * part.sizeBytes * 8 * k);
        out.add(part, ports[i]!);
      });
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
