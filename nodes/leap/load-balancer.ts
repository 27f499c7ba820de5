/**
 * A load balancer in leap mode: a request count is split over the replicas (round robin and least outstanding
 * as equal shares, the remainder rotating; random as a multinomial), forwarded as proxied copies, and answered to
 * its sender as the replicas' responses come back, part by part. It holds the original requests meanwhile, as in
 * exact mode. Forwarding takes no time; the flow's virtual clock goes on through the copies.
 *
 * The copies carry their stream's shape for the replicas' waiting-time laws (stream-rates.ts): round robin gives
 * each of n replicas every n-th arrival (interarrival SCV c_a²/n of the incoming c_a²: a sum of n interarrival
 * times), random thins the incoming stream (1 − 1/n + c_a²/n: Poisson stays Poisson) and least outstanding
 * joins the shortest queue, which the replicas model as one pool of n.
 */
import type { ActorContext, LeapBehaviour } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import type { LoadBalancerParams } from "../models/load-balancer.ts";
import { multinomial } from "../runtime/sampling.ts";
import { newPortQueues, StepOutbox, type PortQueues } from "./ports.ts";
import { arrivalShape, observeStream, totalRatePerNs, type ArrivalShape, type StreamRates } from "./stream-rates.ts";

interface LeapBalancerState {
  params: LoadBalancerParams;
  replicas: number[];
  next: number;
  /** Proxied copy's flow id -> the original request (its remaining multiplicity is what is still unanswered). */
  held: Record<number, SimPacket>;
  heldCount: number;
  ports: PortQueues;
  /** The request streams coming in: each replica's stream rate is their sum over the replicas. */
  streams: StreamRates;
}

function shares(state: LeapBalancerState, m: number, ctx: ActorContext): number[] {
  const n = state.replicas.length;
  if (state.params.policy === "random")
    return multinomial(
      m,
      state.replicas.map(() => 1),
      ctx.rng,
    );
  const out = state.replicas.map(() => Math.floor(m / n));
  for (let k = 0; k < m % n; k++) out[(state.next + k) % n]!++;
  state.next = (state.next + (m % n)) % n;
  return out;
}

/** The shape of the stream to each replica, from the incoming streams' shape. */
function replicaShape(policy: LoadBalancerParams["policy"], n: number, incoming: ArrivalShape): ArrivalShape {
  if (n < 2) return incoming;
  switch (policy) {
    case "round_robin":
      return { ca2: incoming.ca2 / n, pool: 0 };
    case "random":
      return { ca2: 1 + (incoming.ca2 - 1) / n, pool: 0 }; // 1 − 1/n + c_a²/n, exactly 1 for Poisson
    case "least_outstanding":
      return { ca2: 1, pool: n };
  }
}

/** `perReplicaRatePerS`: the expected rate of the stream to each replica (every policy shares equally on average). */
function forward(
  state: LeapBalancerState,
  request: SimPacket,
  perReplicaRatePerS: number,
  shape: ArrivalShape,
  out: StepOutbox,
  ctx: ActorContext,
): void {
  const parts = shares(state, request.multiplicity, ctx);
  // One original per copy, so each copy's responses answer exactly its own part.
  const originals = parts.map((k) => (k === 0 ? null : ctx.split(request, k)));
  parts.forEach((k, i) => {
    const original = originals[i];
    if (original == null) return;
    const dst = state.replicas[i]!;
    const copy = ctx.createPacket({
      dst,
      species: Species.SPECIES_REQUEST,
      sizeBytes: original.sizeBytes,
      replyBytes: original.replyBytes,
      kind: original.kind,
      traceparent: original.traceparent,
      flowCreatedNs: original.flowCreatedNs,
      multiplicity: k,
      streamRatePerS: perReplicaRatePerS,
      streamArrivalScv: shape.ca2,
      streamPool: shape.pool,
    });
    state.held[copy.flowId] = original;
    state.heldCount++;
    out.add(copy, ctx.route(dst));
  });
}

function relay(state: LeapBalancerState, response: SimPacket, out: StepOutbox, ctx: ActorContext): void {
  const original = state.held[response.flowId];
  if (original === undefined || response.multiplicity > original.multiplicity) {
    ctx.drop(response, "orphan_response");
    return;
  }
  const part = ctx.split(original, response.multiplicity);
  if (part === original) {
    delete state.held[response.flowId];
    state.heldCount--;
  }
  ctx.consume(response);
  ctx.consume(part);
  const answer = ctx.createPacket({
    dst: part.src,
    species: Species.SPECIES_RESPONSE,
    sizeBytes: response.sizeBytes,
    flowId: part.flowId,
    flowCreatedNs: response.flowCreatedNs,
    kind: part.kind,
    traceparent: part.traceparent,
    multiplicity: part.multiplicity,
  });
  out.add(answer, ctx.route(part.src));
}

export const loadBalancerLeap: LeapBehaviour<LoadBalancerParams, LeapBalancerState> = {
  initial(params, ctx) {
    return {
      params,
      replicas: params.replicas.map((id) => ctx.actorIndex(id)),
      next: 0,
      held: {},
      heldCount: 0,
      ports: newPortQueues(ctx.ports.length),
      streams: {},
    };
  },

  step(state, inbox, ctx, leap) {
    const out = new StepOutbox();
    for (const packet of inbox)
      if (packet.species === Species.SPECIES_REQUEST) observeStream(state.streams, packet, ctx.nowNs);
    const incoming = totalRatePerNs(state.streams, ctx.nowNs, leap.stepNs);
    const perReplicaRatePerS = incoming === null ? 0 : (incoming * 1e9) / state.replicas.length;
    const shape = replicaShape(state.params.policy, state.replicas.length, arrivalShape(state.streams));
    for (const packet of inbox) {
      if (packet.species === Species.SPECIES_REQUEST) forward(state, packet, perReplicaRatePerS, shape, out, ctx);
      else if (packet.species === Species.SPECIES_RESPONSE) relay(state, packet, out, ctx);
      else ctx.drop(packet, "unexpected_species");
    }
    out.flush(ctx, leap, state.ports);
  },

  onCommand(state, command, _args, ctx) {
    if (command === "crash") {
      for (const key of Object.keys(state.held)) ctx.drop(state.held[Number(key)]!, "balancer_down");
      state.held = {};
      state.heldCount = 0;
    } else if (command !== "recover") throw new Error(`${ctx.self.id}: the load balancer has no command "${command}"`);
  },

  queued(state) {
    return state.heldCount;
  },
};
