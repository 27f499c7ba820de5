/** Answering a request: the response continues the request's flow (id, start time, kind, trace) back to its source. */
import type { ActorContext, NewPacket } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";

/** The response size a request asks for, else the model's default. */
export function responseBytes(request: SimPacket, defaultBytes: number): number {
  return request.replyBytes > 0 ? request.replyBytes : defaultBytes;
}

/**
 * What `respondTo` asks createPacket for, filled anew on each call: createPacket reads it before it returns and keeps
 * nothing of it, so one object serves every response (no object per response).
 */
const responseInit = {
  dst: 0,
  species: Species.SPECIES_RESPONSE,
  sizeBytes: 0,
  flowId: 0,
  flowCreatedNs: 0,
  kind: 0,
  traceparent: "",
  multiplicity: 1,
} satisfies NewPacket;

/**
 * Consumes `request` here and returns its response of `sizeBytes` (as many as the request stands for: a leap count's
 * multiplicity), addressed to the request's source and not yet sent.
 */
export function respondTo(request: SimPacket, sizeBytes: number, ctx: ActorContext): SimPacket {
  ctx.consume(request); // still readable until this event returns (packet.ts, ownership)
  const init = responseInit;
  init.dst = request.src;
  init.sizeBytes = sizeBytes;
  init.flowId = request.flowId;
  init.flowCreatedNs = request.flowCreatedNs;
  init.kind = request.kind;
  init.traceparent = request.traceparent;
  init.multiplicity = request.multiplicity;
  return ctx.createPacket(init);
}

/** Consumes `request` here and sends its response of `sizeBytes` towards the request's source. */
export function answer(request: SimPacket, sizeBytes: number, ctx: ActorContext): void {
  ctx.send(respondTo(request, sizeBytes, ctx), ctx.route(request.src));
}
