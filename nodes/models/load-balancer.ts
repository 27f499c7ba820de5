/**
 * A load balancer in front of replicas, as a proxy: it takes each request, sends a copy to one replica, and
 * answers the original sender when the replica's response comes back (so it sees every response, which
 * least-outstanding needs). Policies: round_robin, random (from its own stream), least_outstanding (fewest
 * requests in progress; ties rotate). Forwarding takes no time.
 */
import { z } from "zod";
import type { ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { answer } from "./response.ts";
import { lazy } from "../../spec/lazy.ts";

const POLICIES = ["round_robin", "random", "least_outstanding"] as const;

export const loadBalancerParams = lazy(() =>
  z
    .object({
      replicas: z
        .array(z.string({ error: "expected the id of an actor" }), { error: "expected a list of actor ids" })
        .min(1, { error: "expected at least one replica" }),
      policy: z.enum(POLICIES, { error: `expected one of ${POLICIES.join(", ")}` }).default("round_robin"),
    })
    .strict(),
);
export type LoadBalancerParams = z.output<typeof loadBalancerParams>;

interface LoadBalancerState {
  params: LoadBalancerParams;
  replicas: number[];
  outstanding: number[];
  next: number;
  /** Proxied flow id -> the original request and the replica it went to. */
  inProgress: Record<number, { request: SimPacket; replica: number }>;
  held: number;
}

function pick(state: LoadBalancerState, rng: { int(n: number): number }): number {
  const n = state.replicas.length;
  switch (state.params.policy) {
    case "round_robin": {
      const i = state.next;
      state.next = (i + 1) % n;
      return i;
    }
    case "random":
      return rng.int(n);
    case "least_outstanding": {
      // Ties rotate like round robin, so idle replicas share the load instead of the first taking it all.
      let best = state.next;
      for (let k = 1; k < n; k++) {
        const i = (state.next + k) % n;
        if (state.outstanding[i]! < state.outstanding[best]!) best = i;
      }
      state.next = (best + 1) % n;
      return best;
    }
    default: {
      const unreachable: never = state.params.policy;
      throw new Error(`unknown policy ${JSON.stringify(unreachable)}`);
    }
  }
}

export const loadBalancerModel: ActorModel<LoadBalancerParams, LoadBalancerState> = {
  kind: "load_balancer",

  initial(params, ctx) {
    const replicas = params.replicas.map((id) => ctx.actorIndex(id));
    return { params, replicas, outstanding: replicas.map(() => 0), next: 0, inProgress: {}, held: 0 };
  },

  onPacket(state, packet, ctx) {
    if (packet.species === Species.SPECIES_REQUEST) {
      const i = pick(state, ctx.rng);
      const dst = state.replicas[i]!;
      const copy = ctx.createPacket({
        dst,
        species: Species.SPECIES_REQUEST,
        sizeBytes: packet.sizeBytes,
        replyBytes: packet.replyBytes,
        kind: packet.kind,
        traceparent: packet.traceparent,
      });
      state.inProgress[copy.flowId] = { request: packet, replica: i };
      state.outstanding[i]!++;
      state.held++;
      ctx.send(copy, ctx.route(dst));
      return;
    }
    const entry = packet.species === Species.SPECIES_RESPONSE ? state.inProgress[packet.flowId] : undefined;
    if (entry === undefined) {
      ctx.drop(packet, packet.species === Species.SPECIES_RESPONSE ? "orphan_response" : "unexpected_species");
      return;
    }
    delete state.inProgress[packet.flowId];
    state.outstanding[entry.replica]!--;
    state.held--;
    ctx.consume(packet);
    answer(entry.request, packet.sizeBytes, ctx); // the replica's response, relayed as the balancer's own
  },

  onTimer() {},

  onCommand(state, command, _args, ctx) {
    if (command === "crash") {
      for (const key of Object.keys(state.inProgress))
        ctx.drop(state.inProgress[Number(key)]!.request, "balancer_down");
      state.inProgress = {};
      state.outstanding.fill(0);
      state.held = 0;
    } else if (command !== "recover") throw new Error(`${ctx.self.id}: the load balancer has no command "${command}"`);
  },

  queued(state) {
    return state.held;
  },
};
