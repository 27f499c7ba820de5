/** Answering a request: the response continues the request's flow (id, start time, kind, trace) back to its source. */
import type { ActorContext } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";

/** The response size a request asks for, else the model's default. */
export function responseBytes(request: SimPacket, defaultBytes: number): number {
  return request.replyBytes > 0 ? request.replyBytes : defaultBytes;
}

/** Consumes `request` here and sends its response of `sizeBytes` towards the request's source. */
export function answer(request: SimPacket, sizeBytes: number, ctx: ActorContext): void {
  ctx.consume(request);
  const response = ctx.createPacket({
    dst: request.src,
    species: Species.SPECIES_RESPONSE,
    sizeBytes,
    flowId: request.flowId,
    flowCreatedNs: request.flowCreatedNs,
    kind: request.kind,
    traceparent: request.traceparent,
  });
  ctx.send(response, ctx.route(request.src));
}
