/**
 * Downstream calls (a call graph's fan-out and fan-in): after its own service, a request calls its targets stage
 * by stage: the calls of one stage go out at once (parallel fan-out), the next stage once every response of the
 * previous one is back (sequential), and the request is answered after the last stage. The parent request stays
 * held meanwhile (it counts as queued), without holding a core.
 */
import { z } from "zod";
import type { ActorContext } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count, size } from "../../spec/units.ts";
import { sampleBytes, sizeDistribution } from "./distributions.ts";
import { lazy } from "../../spec/lazy.ts";

export const callSchema = lazy(() =>
  z
    .object({
      /** Actor id of the callee (a server, or a load balancer in front of replicas). */
      target: z.string({ error: "expected the id of an actor" }).min(1, { error: "expected the id of an actor" }),
      request_bytes: sizeDistribution().prefault(200),
      response_bytes: size().default(1000),
      /** Parallel requests to this target per parent request. */
      count: count(1).default(1),
      /** Calls of the same stage run in parallel; stage n + 1 starts when all of stage n have answered. */
      stage: count(0, "expected a non-negative whole number").default(0),
    })
    .strict(),
);
export const callsSchema = lazy(() => z.array(callSchema, { error: "expected a list of calls" }).default([]));
export type Call = z.output<typeof callSchema>;

/** Parents waiting for responses, keyed by a per-actor parent number; children map their flow id to it. */
export interface CallState {
  targets: number[];
  /** The distinct stage numbers, ascending. */
  stages: number[];
  /** Each waiting parent: its request, responses still due in its current stage, and that stage's position. */
  parents: Record<number, { request: SimPacket; pending: number; stage: number }>;
  parentOfFlow: Record<number, number>;
  nextParent: number;
  waiting: number;
}

/**
 * The call state of every actor without calls: nothing ever changes it (startCalls runs only with calls, a
 * response finds no parent, dropping parents with none waiting changes nothing), so all share one, frozen so
 * that a change would fail loudly.
 */
const NO_CALLS: CallState = Object.freeze({
  targets: Object.freeze([]),
  stages: Object.freeze([]),
  parents: Object.freeze({}),
  parentOfFlow: Object.freeze({}),
  nextParent: 0,
  waiting: 0,
}) as unknown as CallState;

export function initialCallState(calls: readonly Call[], ctx: ActorContext): CallState {
  if (calls.length === 0) return NO_CALLS;
  const stages = [...new Set(calls.map((c) => c.stage))].sort((a, b) => a - b);
  return {
    targets: calls.map((c) => ctx.actorIndex(c.target)),
    stages,
    parents: {},
    parentOfFlow: {},
    nextParent: 0,
    waiting: 0,
  };
}

/** Sends the first stage's calls of `request` and keeps it until the last stage's responses are in. */
export function startCalls(calls: readonly Call[], st: CallState, request: SimPacket, ctx: ActorContext): void {
  const parent = st.nextParent++;
  const entry = { request, pending: 0, stage: 0 };
  st.parents[parent] = entry;
  st.waiting++;
  sendStage(calls, st, parent, entry, ctx);
}

function sendStage(
  calls: readonly Call[],
  st: CallState,
  parent: number,
  entry: CallState["parents"][number],
  ctx: ActorContext,
): void {
  const { request } = entry;
  const stage = st.stages[entry.stage];
  calls.forEach((call, i) => {
    if (call.stage !== stage) return;
    for (let n = 0; n < call.count; n++) {
      const dst = st.targets[i]!;
      const child = ctx.createPacket({
        dst,
        species: Species.SPECIES_REQUEST,
        sizeBytes: sampleBytes(call.request_bytes, ctx.rng),
        replyBytes: call.response_bytes,
        kind: request.kind,
        traceparent: request.traceparent,
      });
      st.parentOfFlow[child.flowId] = parent;
      entry.pending++;
      ctx.send(child, ctx.route(dst));
    }
  });
}

/**
 * Takes a response to a call: consumes it, starts the next stage when this one is complete, and returns the
 * parent request once its last stage is (null while responses are pending). A response whose parent is gone
 * (dropped by a failure) is dropped as an orphan.
 */
export function takeCallResponse(
  calls: readonly Call[],
  st: CallState,
  response: SimPacket,
  ctx: ActorContext,
): SimPacket | null {
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
  if (entry.stage + 1 < st.stages.length) {
    entry.stage++;
    sendStage(calls, st, parent, entry, ctx);
    return null;
  }
  delete st.parents[parent];
  st.waiting--;
  return entry.request;
}

/** Drops every parent still waiting (the server lost power); their late responses become orphans. */
export function dropWaitingParents(st: CallState, reason: string, ctx: ActorContext): void {
  if (st.waiting === 0) return; // no parent, so no child's flow either: nothing to drop or forget
  for (const key of Object.keys(st.parents)) ctx.drop(st.parents[Number(key)]!.request, reason);
  st.parents = {};
  st.parentOfFlow = {};
  st.waiting = 0;
}
