/**
 * A software component (service, store: nodes/models/component.ts) in leap mode. Its `concurrency` slots and FIFO
 * queue are a fast subsystem (station.ts): an M/G/c station with c = concurrency (under the server's
 * `core_sharing: dynamic`, the slots the cores left by the others' mean use allow: host-share.ts), service rate
 * the server's speed over the mean work (a mixture of the kind's operations: a store's reads and writes), and
 * the Allen–Cunneen wait for non-exponential work (queue-laws.ts). Once a step, by local calls, the component asks
 * its server whether it runs and how fast, and reports the law of its busy slots, from which the server draws its
 * CPU power (the component's energy is the server's, as in exact mode).
 *
 * A server that is off, failed or booting refuses the step's requests (dropped with the server's reason, as
 * exact mode drops work the server cannot start) and the component's fluid backlog; parents waiting for
 * downstream calls keep waiting, as in exact mode (they hold no cores). A crash of the component drops its
 * backlog and parents (`component_down`). Work is not lost mid-service: in a quasi-steady step every request is
 * served within the step, so faults act at step boundaries.
 */
import type { ActorContext, LeapBehaviour } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import type { ComponentCommon } from "../models/component.ts";
import { meanNs, meanOf, sampleNs, type Distribution } from "../models/distributions.ts";
import { responseBytes } from "../models/response.ts";
import { multinomial } from "../runtime/sampling.ts";
import { scv, type Station } from "./queue-laws.ts";
import { newPortQueues, StepOutbox, type PortQueues } from "./ports.ts";
import {
  dropLeapParents,
  heldGroups,
  newLeapCalls,
  startLeapCalls,
  takeLeapResponses,
  type LeapCalls,
} from "./calls.ts";
import { dropQueue, newLeapQueue, stepQueue, type LeapQueue, type QueueOwner } from "./station.ts";
import { poolStation, sharedUnits, type LeapHostReply, type LeapHostRequest, type PoolLoad } from "./host-share.ts";

/** One kind of operation a component serves: its share of requests, service time and response size. */
export interface LeapOperation {
  weight: number;
  service: Distribution;
  responseBytes: Distribution;
}

/** What a kind of component does in leap mode: its operations, and what a served count of one changes. */
export interface LeapComponentKind<Params extends ComponentCommon, Extra> {
  operations(params: Params): LeapOperation[];
  initialExtra(params: Params): Extra;
  /** `part` (its multiplicity requests) of operation `op` finished its service. */
  finish(params: Params, extra: Extra, op: number, part: SimPacket, ctx: ActorContext): void;
}

interface LeapComponentState<Params, Extra> {
  params: Params;
  server: number;
  millicores: number;
  operations: LeapOperation[];
  /** Mean work (full-speed ns) and SCV of the operations' mixture. */
  meanWorkNs: number;
  workScv: number;
  speed: number;
  /** Slots this step (concurrency, or fewer under dynamic core sharing). */
  slots: number;
  /** Dynamic core sharing: the server's cores and what the others put on them this step (host-share.ts). */
  pool: { cores: number; others: PoolLoad } | null;
  queue: LeapQueue;
  ports: PortQueues;
  calls: LeapCalls;
  extra: Extra;
}

/** Mean and SCV of a mixture: E[S] = Σ wᵢE[Sᵢ], E[S²] = Σ wᵢE[Sᵢ]²(1 + c²ᵢ). */
function mixture(operations: readonly LeapOperation[]): { mean: number; scv: number } {
  let mean = 0;
  let second = 0;
  for (const op of operations) {
    const m = meanNs(op.service);
    mean += op.weight * m;
    second += op.weight * m * m * (1 + scv(op.service));
  }
  return { mean, scv: second / (mean * mean) - 1 };
}

function hostCall(state: LeapComponentState<unknown, unknown>, request: LeapHostRequest, ctx: ActorContext) {
  return (ctx.localCall(state.server, request) as LeapHostReply | null) ?? { ok: false, reason: "server_down" };
}

/** Tells the server the busy-slot law of the step (its CPU draw follows). */
function reportLoad(state: LeapComponentState<unknown, unknown>, ctx: ActorContext): void {
  const load = { slotLaw: state.queue.busyLaw, millicores: state.millicores, ratePerNs: state.queue.lambdaPerNs };
  hostCall(state, { op: "leap_load", ...load }, ctx);
}

export function componentLeap<Params extends ComponentCommon, Extra>(
  kind: LeapComponentKind<Params, Extra>,
): LeapBehaviour<Params, LeapComponentState<Params, Extra>> {
  type State = LeapComponentState<Params, Extra>;

  function station(state: State, lambdaPerNs: number): Station {
    return {
      c: state.slots,
      lambda: lambdaPerNs,
      mu: state.speed / state.meanWorkNs,
      cs2: state.workScv,
      room: state.params.queue_limit ?? Number.POSITIVE_INFINITY,
    };
  }

  function answer(request: SimPacket, sizeBytes: number, heldNs: number, out: StepOutbox, ctx: ActorContext): void {
    ctx.consume(request);
    const response = ctx.createPacket({
      dst: request.src,
      species: Species.SPECIES_RESPONSE,
      sizeBytes: responseBytes(request, sizeBytes),
      flowId: request.flowId,
      flowCreatedNs: request.flowCreatedNs,
      kind: request.kind,
      traceparent: request.traceparent,
      multiplicity: request.multiplicity,
    });
    out.add(response, ctx.route(request.src), heldNs);
  }

  /** A served part of operation `op`: the kind's state changes, then the calls or the response. */
  function done(state: State, op: number, part: SimPacket, heldNs: number, out: StepOutbox, ctx: ActorContext) {
    kind.finish(state.params, state.extra, op, part, ctx);
    const bytes = Math.max(1, Math.round(meanOf(state.operations[op]!.responseBytes)));
    if (state.params.calls.length === 0) {
      answer(part, bytes, heldNs, out, ctx);
      return;
    }
    if (part.replyBytes <= 0) part.replyBytes = bytes; // the held parent remembers its response size
    startLeapCalls(state.params.calls, state.calls, part, heldNs, state.queue.lambdaPerNs * 1e9, out, ctx);
  }

  function owner(state: State, out: StepOutbox, ctx: ActorContext): QueueOwner {
    const weights = state.operations.map((o) => o.weight);
    return {
      station: (lambda) => station(state, lambda),
      ps: false,
      waitStation: (s) =>
        state.pool === null ? s : (poolStation(s, state.millicores / 1000, state.pool.others, state.pool.cores) ?? s),
      serve(part, waitNs, stretch, shiftNs) {
        ctx.record("queue_wait_ns", waitNs, part.multiplicity);
        // The part's requests go to the operations by a multinomial draw; each share gets its own service draw.
        const shares = weights.length === 1 ? [part.multiplicity] : multinomial(part.multiplicity, weights, ctx.rng);
        let rest = part.multiplicity;
        shares.forEach((n, op) => {
          if (n === 0) return;
          const piece = n === rest ? part : ctx.split(part, n);
          rest -= n;
          const serviceNs = (sampleNs(state.operations[op]!.service, ctx.rng) / state.speed) * stretch;
          ctx.record("service_time_ns", serviceNs, n);
          done(state, op, piece, waitNs + serviceNs + shiftNs, out, ctx);
        });
      },
    };
  }

  return {
    initial(params, ctx) {
      const server = ctx.self.placedOn;
      if (server === undefined) throw new Error(`${ctx.self.id}: a component must be placed on a server`);
      const operations = kind.operations(params);
      const work = mixture(operations);
      return {
        params,
        server,
        millicores: Math.round(params.cpu * 1000),
        operations,
        meanWorkNs: work.mean,
        workScv: work.scv,
        speed: 1,
        slots: params.concurrency,
        pool: null,
        queue: newLeapQueue(),
        ports: newPortQueues(ctx.ports.length),
        calls: newLeapCalls(params.calls, ctx),
        extra: kind.initialExtra(params),
      };
    },

    step(state, inbox, ctx, leap) {
      const host = hostCall(state, { op: "leap_host" }, ctx);
      const arrivals: SimPacket[] = [];
      const responses: SimPacket[] = [];
      for (const packet of inbox) {
        if (packet.species === Species.SPECIES_RESPONSE) responses.push(packet);
        else if (packet.species !== Species.SPECIES_REQUEST) ctx.drop(packet, "unexpected_species");
        else if (!host.ok) ctx.drop(packet, host.reason);
        else arrivals.push(packet);
      }
      const out = new StepOutbox();
      for (const parent of takeLeapResponses(state.params.calls, state.calls, responses, out, ctx))
        answer(parent, parent.replyBytes, 0, out, ctx);
      if (host.ok) {
        state.speed = host.speed;
        const { concurrency } = state.params;
        state.pool = host.dynamic ? { cores: host.coreMillicores / 1000, others: host.others } : null;
        state.slots = host.dynamic
          ? sharedUnits(concurrency, host.coreMillicores, state.millicores, host.freeMillicores)
          : concurrency;
        stepQueue(state.queue, owner(state, out, ctx), arrivals, ctx, leap);
      } else dropQueue(state.queue, host.reason, ctx);
      reportLoad(state, ctx);
      out.flush(ctx, leap, state.ports);
    },

    onCommand(state, command, _args, ctx) {
      if (command === "crash") {
        dropQueue(state.queue, "component_down", ctx);
        dropLeapParents(state.calls, "component_down", ctx);
        reportLoad(state, ctx);
      } else if (command !== "recover") throw new Error(`${ctx.self.id}: a component has no command "${command}"`);
    },

    queued(state) {
      return state.queue.backlog.length + heldGroups(state.calls);
    },
  };
}
