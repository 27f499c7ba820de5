/**
 * Downstream calls (a call graph's fan-out and fan-in): after its own service, a request sends one request to
 * every call target at once and is answered only when all their responses are back. The parent request stays
 * held meanwhile (it counts as queued), without holding a core.
 */
import { z } from "zod";
import type { ActorContext } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count, size } from "../../scenario/units.ts";
import { sampleBytes, sizeDistribution } from "./distributions.ts";

export const callSchema = z
  .object({
    /** Actor id of the callee (a server, or a load balancer in front of replicas). */
    target: z.string({ error: "expected the id of an actor" }).min(1, { error: "expected the id of an actor" }),
    request_bytes: sizeDistribution().prefault(200),
    response_bytes: size().default(1000),
    /** Parallel requests to this target per parent request. */
    count: count(1).default(1),
  })
  .strict();
export const callsSchema = z.array(callSchema, { error: "expected a list of calls" }).default([]);
export type Call = z.output<typeof callSchema>;

/** Parents waiting for responses, keyed by a per-actor parent number; children map their flow id to it. */
export interface CallState {
  targets: number[];
  parents: Record<number, { request: SimPacket; pending: number }>;
  parentOfFlow: Record<number, number>;
  nextParent: number;
  waiting: number;
}

export function initialCallState(calls: readonly Call[], ctx: ActorContext): CallState {
  return { targets: calls.map((c) => ctx.actorIndex(c.target)), parents: {}, parentOfFlow: {}, nextParent: 0, waiting: 0 };
}

/** Sends every call of `request` and keeps it until the responses are in. */
export function startCalls(calls: readonly Call[], st: CallState, request: SimPacket, ctx: ActorContext): void {
  const parent = st.nextParent++;
  let pending = 0;
  calls.forEach((call, i) => {
    for (let n = 0; n < call.count; n++) {
      const dst = st.targets[i]!;
      const child = ctx.createPacket({ dst, species: Species.SPECIES_REQUEST, sizeBytes: sampleBytes(call.request_bytes, ctx.rng), replyBytes: call.response_bytes, kind: request.kind, traceparent: request.traceparent });
      st.parentOfFlow[child.flowId] = parent;
      pending++;
      ctx.send(child, ctx.route(dst));
    }
  });
  st.parents[parent] = { request, pending };
  st.waiting++;
}

/**
 * Takes a response to a call: consumes it and returns the parent request once its last response arrived (null
 * while others are pending). A response whose parent is gone (dropped by a failure) is dropped as an orphan.
 */
export function takeCallResponse(st: CallState, response: SimPacket, ctx: ActorContext): SimPacket | null {
  const parent = st.parentOfFlow[response.flowId];
  if (parent === undefined) {
    ctx.drop(response, "orphan_response");
    return null;
  }
  delete st.parentOfFlow[response.flowId];
  ctx.consume(response);
  const entry = st.parents[parent];
  if (entry === undefined) return null;
  if (--entry.pending > 0) return null;
  delete st.parents[parent];
  st.waiting--;
  return entry.request;
}

/** Drops every parent still waiting (the server lost power); their late responses become orphans. */
export function dropWaitingParents(st: CallState, reason: string, ctx: ActorContext): void {
  for (const key of Object.keys(st.parents)) ctx.drop(st.parents[Number(key)]!.request, reason);
  st.parents = {};
  st.parentOfFlow = {};
  st.waiting = 0;
}
