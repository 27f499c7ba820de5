/**
 * A server with a FIFO request queue and `cores` identical cores: an M/G/c station. A request is held from its
 * arrival until its service ends, then consumed and answered with a response to its source.
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { size } from "../../scenario/units.ts";
import { durationDistribution, sampleNs } from "./distributions.ts";

export const serverParams = z
  .object({
    cores: z.number({ error: "expected a positive whole number of cores" }).int({ error: "expected a positive whole number of cores" }).positive({ error: "expected a positive whole number of cores" }).default(1),
    service: durationDistribution,
    /** Requests that may wait (not counting those in service); arrivals beyond it are dropped. */
    queue_limit: z.number({ error: "expected a non-negative whole number" }).int({ error: "expected a non-negative whole number" }).nonnegative({ error: "expected a non-negative whole number" }).optional(),
    /** Response size when the request does not ask for one. */
    response_bytes: size().default(1000),
  })
  .strict();
export type ServerParams = z.output<typeof serverParams>;

interface ServerState {
  params: ServerParams;
  /** Waiting requests and their arrival times; `head` is the index of the oldest. */
  waiting: SimPacket[];
  arrivedNs: number[];
  head: number;
  /** Request in service on each core (null when the core is idle), with its start time. */
  inService: (SimPacket | null)[];
  startedNs: number[];
}

const SERVICE_DONE = 1;

function startService(state: ServerState, core: number, request: SimPacket, arrivedNs: number, ctx: ActorContext): void {
  state.inService[core] = request;
  state.startedNs[core] = ctx.nowNs;
  ctx.record("queue_wait_ns", ctx.nowNs - arrivedNs);
  ctx.schedule(sampleNs(state.params.service, ctx.rng), SERVICE_DONE, core);
}

export const serverModel: ActorModel<ServerParams, ServerState> = {
  kind: "server",

  initial(params) {
    return { params, waiting: [], arrivedNs: [], head: 0, inService: new Array<SimPacket | null>(params.cores).fill(null), startedNs: new Array<number>(params.cores).fill(0) };
  },

  onPacket(state, packet, ctx) {
    if (packet.species !== Species.SPECIES_REQUEST) {
      ctx.drop(packet, "unexpected_species");
      return;
    }
    const before = serverQueued(state);
    const idle = state.inService.indexOf(null);
    if (idle >= 0) {
      ctx.countTransition("arrival", before, before + 1);
      startService(state, idle, packet, ctx.nowNs, ctx);
      return;
    }
    const limit = state.params.queue_limit;
    if (limit !== undefined && state.waiting.length - state.head >= limit) {
      ctx.drop(packet, "queue_full");
      return;
    }
    ctx.countTransition("arrival", before, before + 1);
    state.waiting.push(packet);
    state.arrivedNs.push(ctx.nowNs);
  },

  onTimer(state, tag, core, ctx) {
    if (tag !== SERVICE_DONE) return;
    const request = state.inService[core]!;
    const before = serverQueued(state);
    ctx.countTransition("service", before, before - 1);
    state.inService[core] = null;
    ctx.record("busy_core_ns", ctx.nowNs - state.startedNs[core]!);
    ctx.consume(request);
    const response = ctx.createPacket({
      dst: request.src,
      species: Species.SPECIES_RESPONSE,
      sizeBytes: request.replyBytes > 0 ? request.replyBytes : state.params.response_bytes,
      flowId: request.flowId,
      flowCreatedNs: request.flowCreatedNs,
      kind: request.kind,
      traceparent: request.traceparent,
    });
    ctx.send(response, ctx.route(request.src));
    if (state.head < state.waiting.length) {
      const next = state.waiting[state.head]!;
      const arrivedNs = state.arrivedNs[state.head]!;
      state.head++;
      if (state.head > 1024 && state.head * 2 > state.waiting.length) {
        state.waiting = state.waiting.slice(state.head);
        state.arrivedNs = state.arrivedNs.slice(state.head);
        state.head = 0;
      }
      startService(state, core, next, arrivedNs, ctx);
    }
  },

  queued: serverQueued,
};

/** Requests held: waiting plus in service (the queue length of queueing theory). */
function serverQueued(state: ServerState): number {
  let busy = 0;
  for (const r of state.inService) if (r !== null) busy++;
  return state.waiting.length - state.head + busy;
}
