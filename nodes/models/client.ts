/**
 * An open-loop client population: requests leave as a Poisson process whatever the responses do, go to one
 * target actor, and come back as responses whose round-trip time is recorded (`response_time_ns`).
 */
import { z } from "zod";
import type { ActorModel } from "../runtime/actor.ts";
import { Species } from "../runtime/packet.ts";
import { ratePerSecond, size } from "../../scenario/units.ts";

export const clientParams = z
  .object({
    /** Id of the actor that serves the requests. */
    target: z.string({ error: "expected the id of an actor" }).min(1, { error: "expected the id of an actor" }),
    arrivals: z.object({ process: z.literal("poisson", { error: 'expected "poisson"' }), rate_per_s: ratePerSecond() }).strict(),
    request_bytes: size().default(200),
    response_bytes: size().default(1000),
  })
  .strict();
export type ClientParams = z.output<typeof clientParams>;

interface ClientState {
  params: ClientParams;
  target: number;
  targetPort: number;
  meanGapNs: number;
}

const NEXT_REQUEST = 1;

export const clientModel: ActorModel<ClientParams, ClientState> = {
  kind: "client",

  initial(params, ctx) {
    const target = ctx.actorIndex(params.target);
    const meanGapNs = 1e9 / params.arrivals.rate_per_s;
    ctx.schedule(ctx.rng.exponential(1 / meanGapNs), NEXT_REQUEST);
    return { params, target, targetPort: ctx.route(target), meanGapNs };
  },

  onTimer(state, tag, _arg, ctx) {
    if (tag !== NEXT_REQUEST) return;
    const request = ctx.createPacket({
      dst: state.target,
      species: Species.SPECIES_REQUEST,
      sizeBytes: state.params.request_bytes,
      replyBytes: state.params.response_bytes,
    });
    ctx.send(request, state.targetPort);
    ctx.record("requests_sent", 1);
    ctx.schedule(ctx.rng.exponential(1 / state.meanGapNs), NEXT_REQUEST);
  },

  onPacket(_state, packet, ctx) {
    if (packet.species !== Species.SPECIES_RESPONSE) {
      ctx.drop(packet, "unexpected_species");
      return;
    }
    ctx.record("response_time_ns", ctx.nowNs - packet.flowCreatedNs);
    ctx.consume(packet);
  },

  queued() {
    return 0;
  },
};
