/**
 * A server in leap mode: its request queue is a fast subsystem (station.ts), an M/G/c station given the server's
 * slow variables (state, P-state, throttling: the exact model's own state machine, commands and power curve).
 * Components placed on it (component.ts) report the law of their busy slots once a step by a local call
 * (host-share.ts); the CPU draw is the power curve's mean over the joint law of the server's own busy cores and
 * the components' cores, as the exact model's utilisation includes the components' work.
 */
import type { ActorContext, LeapBehaviour } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { DROP_REASON, onGpus, powerDraw, serverModel, type ServerParams, type ServerState } from "../models/server.ts";
import { meanNs, sampleNs } from "../models/distributions.ts";
import { responseBytes } from "../models/response.ts";
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
import {
  componentMillicoreLaw,
  componentsMeanMillicores,
  meanBusy,
  poolLaw,
  poolStation,
  componentsPoolLoad,
  sharedUnits,
  type ComponentLoads,
  type LeapHostReply,
  type LeapHostRequest,
} from "./host-share.ts";

interface LeapServerState {
  inner: ServerState;
  queue: LeapQueue;
  ports: PortQueues;
  calls: LeapCalls;
  /** The busy-slot laws of the components placed here (host-share.ts). */
  components: ComponentLoads;
}

function serviceOf(params: ServerParams) {
  return onGpus(params) ? params.gpus!.service! : params.service;
}

const dynamic = (params: ServerParams) => params.core_sharing === "dynamic";

function stationOf(state: LeapServerState, lambdaPerNs: number): Station {
  const params = state.inner.params;
  let units = onGpus(params) ? params.gpus!.count : params.cores;
  if (dynamic(params) && !onGpus(params)) {
    const free = params.cores * 1000 - componentsMeanMillicores(state.components);
    units = sharedUnits(units, params.cores * 1000, 1000, free);
  }
  const dist = serviceOf(params);
  return {
    c: units,
    lambda: lambdaPerNs,
    mu: state.inner.speed / meanNs(dist),
    cs2: scv(dist),
    room: params.queue_limit ?? Number.POSITIVE_INFINITY,
  };
}

function answer(request: SimPacket, heldNs: number, state: LeapServerState, out: StepOutbox, ctx: ActorContext): void {
  out.answer(request, responseBytes(request, state.inner.params.response_bytes), heldNs, ctx);
}

/** The queue's owner this step: service is drawn, recorded and followed by the calls or the response. */
function owner(state: LeapServerState, out: StepOutbox, ctx: ActorContext): QueueOwner {
  const params = state.inner.params;
  const dist = serviceOf(params);
  return {
    station: (lambda) => stationOf(state, lambda),
    ps: params.discipline === "ps",
    waitStation: (s) =>
      dynamic(params) && !onGpus(params)
        ? (poolStation(s, 1, componentsPoolLoad(state.components), params.cores) ?? s)
        : s,
    serve(part, waitNs, stretch, shiftNs) {
      ctx.record("queue_wait_ns", waitNs, part.multiplicity);
      ctx.record(onGpus(params) ? "busy_gpu_ns" : "busy_core_ns", meanNs(dist) / state.inner.speed, part.multiplicity);
      const heldNs = waitNs + (sampleNs(dist, ctx.rng) / state.inner.speed) * stretch + shiftNs;
      if (params.calls.length > 0)
        startLeapCalls(params.calls, state.calls, part, heldNs, state.queue.lambdaPerNs * 1e9, out, ctx);
      else answer(part, heldNs, state, out, ctx);
    },
  };
}

/**
 * Sets each component's draw to its mean over the busy laws: the exact time average of the power the exact model
 * would draw in the stationary queues (linear or not: SPECpower, P-states, GPUs).
 */
function setExpectedPower(state: LeapServerState, ctx: ActorContext): void {
  const totals = new Map<string, number>();
  const add = (p: number, busy: number, millicores: number) => {
    for (const [component, watts] of powerDraw(state.inner, busy, millicores))
      totals.set(component, (totals.get(component) ?? 0) + p * watts);
  };
  const params = state.inner.params;
  if (dynamic(params) && !onGpus(params)) {
    // One pool of cores (host-share.ts): its busy cores at the total offered load.
    const offered = meanBusy(state.queue.busyLaw) + componentsMeanMillicores(state.components) / 1000;
    poolLaw(params.cores, offered).forEach((p, k) => {
      if (p > 0 || k === 0) add(p, k, 0);
    });
  } else {
    const shared = componentMillicoreLaw(state.components);
    state.queue.busyLaw.forEach((p, k) => {
      if (p === 0 && k > 0) return;
      for (const [millicores, q] of shared) add(p * q, k, millicores);
    });
  }
  for (const [component, watts] of totals) ctx.setPower(component, Math.max(0, watts));
}

/** A component's local call (host-share.ts): whether the server runs and how fast; or its load of the step. */
function hostCall(state: LeapServerState, request: LeapHostRequest, from: number, ctx: ActorContext): LeapHostReply {
  if (request.op === "leap_load") {
    if (meanBusy(request.slotLaw) > 0)
      state.components[from] = {
        slotLaw: request.slotLaw,
        millicores: request.millicores,
        ratePerNs: request.ratePerNs,
      };
    else delete state.components[from];
    setExpectedPower(state, ctx);
    const others = { cores: 0, coreRatePerNs: 0 };
    return { ok: true, speed: state.inner.speed, dynamic: false, coreMillicores: 0, freeMillicores: 0, others };
  }
  const refused = DROP_REASON[state.inner.mode];
  if (refused !== undefined) return { ok: false, reason: refused };
  const params = state.inner.params;
  const own = onGpus(params) ? 0 : meanBusy(state.queue.busyLaw) * 1000;
  const free = params.cores * 1000 - own - componentsMeanMillicores(state.components, from);
  const coreMillicores = params.cores * 1000;
  const others = componentsPoolLoad(state.components, from);
  if (!onGpus(params)) {
    others.cores += own / 1000;
    others.coreRatePerNs += state.queue.lambdaPerNs;
  }
  const speed = state.inner.speed;
  return { ok: true, speed, dynamic: dynamic(params), coreMillicores, freeMillicores: free, others };
}

export const serverLeap: LeapBehaviour<ServerParams, LeapServerState> = {
  initial(params, ctx) {
    return {
      inner: serverModel.initial(params, ctx) as ServerState,
      queue: newLeapQueue(),
      ports: newPortQueues(ctx.ports.length),
      calls: newLeapCalls(params.calls, ctx),
      components: {},
    };
  },

  step(state, inbox, ctx, leap) {
    const refused = DROP_REASON[state.inner.mode];
    const arrivals: SimPacket[] = [];
    const responses: SimPacket[] = [];
    for (const packet of inbox) {
      if (packet.species === Species.SPECIES_RESPONSE) responses.push(packet);
      else if (packet.species !== Species.SPECIES_REQUEST) ctx.drop(packet, "unexpected_species");
      else if (refused !== undefined) ctx.drop(packet, refused);
      else arrivals.push(packet);
    }
    const out = new StepOutbox();
    for (const parent of takeLeapResponses(state.inner.params.calls, state.calls, responses, out, ctx))
      answer(parent, 0, state, out, ctx);
    if (refused !== undefined) {
      out.flush(ctx, leap, state.ports);
      return;
    }
    stepQueue(state.queue, owner(state, out, ctx), arrivals, ctx, leap);
    setExpectedPower(state, ctx);
    out.flush(ctx, leap, state.ports);
  },

  onTimer(state, tag, arg, ctx) {
    serverModel.onTimer(state.inner, tag, arg, ctx);
    setExpectedPower(state, ctx);
  },

  onCommand(state, command, args, ctx) {
    serverModel.onCommand!(state.inner, command, args, ctx);
    const refused = DROP_REASON[state.inner.mode];
    if (refused !== undefined) {
      dropQueue(state.queue, refused, ctx);
      dropLeapParents(state.calls, refused, ctx);
      state.components = {};
    }
    setExpectedPower(state, ctx);
  },

  onLocalCall(state, request, from, ctx) {
    return hostCall(state, request as LeapHostRequest, from, ctx);
  },

  queued(state) {
    return state.queue.backlog.length + heldGroups(state.calls);
  },
};
