/**
 * The engine shared by software components (service.ts, store.ts): a component runs on the CPU of the server it
 * is placed on (ActorSpec.placedOn). It has a FIFO request queue and `concurrency` service slots; each request
 * in service occupies `cpu` cores of the server, asked for and returned by a local call (host-cpu.ts), so the
 * server's utilisation and power include it. With the server's `core_sharing: dynamic` a request in a slot may wait
 * for its cores; its queue wait runs until it has them (core-line.ts). With the server's `account_lost_work`, work
 * lost in service (the server failed or went off, or the component crashed) is recorded as `wasted_energy_uj`
 * and `lost_core_ns`, like the server's own (lost-work.ts). Service takes the sampled work divided by the server's speed at the
 * start (a throttled server serves slower; a speed change mid-service does not rescale work already started).
 * After its own service a request makes its downstream `calls` (fan-out and fan-in, downstream-calls.ts) and is
 * then answered to its sender with a response of `response_bytes` (or the size the request asks for).
 *
 * Network: a component has no links. Packets for it travel to its server and are handed over on arrival; its own
 * packets leave through the server's NIC (topology.ts `networkNodes`). Packets between actors on one server are
 * delivered locally, at once.
 *
 * A kind (service, store) supplies a `ComponentKind`: what a request costs (`begin`) and what it changes when it
 * is done (`finish`), with its own plain-data `extra` state.
 */
import { z } from "zod";
import type { ActorContext, ActorModel } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { count } from "../../spec/units.ts";
import {
  callsSchema,
  dropWaitingParents,
  initialCallState,
  startCalls,
  takeCallResponse,
  type CallState,
} from "./downstream-calls.ts";
import { dequeue, dropWaiting, enqueue, newRequestQueue, waitingCount, type RequestQueue } from "./request-queue.ts";
import type { ComponentCpuCall, HostCpuReply, HostCpuRequest, LeaseCharge } from "./host-cpu.ts";
import { recordLost } from "./lost-work.ts";
import { answer, responseBytes } from "./response.ts";
import { lazy } from "../../spec/lazy.ts";

const cpuMessage = "expected a positive number of cores (whole millicores, e.g. 0.25)";

/** Fields every component kind has. */
export const componentFields = lazy(() => ({
  /** Requests in service at once; the rest wait in FIFO order. */
  concurrency: count(1, "expected a positive whole number of service slots").default(1),
  /** Cores of the server a request occupies while in service (fractions allowed, whole millicores). */
  cpu: z
    .number({ error: cpuMessage })
    .positive({ error: cpuMessage })
    .finite({ error: cpuMessage })
    .refine((c) => Math.abs(c * 1000 - Math.round(c * 1000)) < 1e-9, { error: cpuMessage })
    .default(1),
  /** Requests that may wait (not counting those in service); arrivals beyond it are dropped (`queue_full`). */
  queue_limit: count(0, "expected a non-negative whole number").optional(),
  calls: callsSchema,
}));

export interface ComponentCommon {
  concurrency: number;
  cpu: number;
  queue_limit?: number | undefined;
  calls: z.output<typeof callsSchema>;
}

/** What one kind of component does with a request. */
export interface ComponentKind<Params extends ComponentCommon, Extra> {
  kind: string;
  initialExtra(params: Params): Extra;
  /** At service start: the work in full-speed nanoseconds and an operation code kept for `finish`. */
  begin(params: Params, extra: Extra, request: SimPacket, ctx: ActorContext): { workNs: number; op: number };
  /** At service end: updates the kind's state; returns the response size in bytes. */
  finish(params: Params, extra: Extra, op: number, request: SimPacket, ctx: ActorContext): number;
}

interface Slot {
  request: SimPacket | null;
  arrivedNs: number;
  startedNs: number;
  doneNs: number;
  /** The server's CPU epoch when the work started (host-cpu.ts). */
  epoch: number;
  op: number;
  /** The request's work in full-speed ns, and whether it still waits for cores (dynamic sharing). */
  workNs: number;
  waitingCore: boolean;
}

export interface ComponentState<Params, Extra> {
  params: Params;
  server: number;
  millicores: number;
  queue: RequestQueue;
  slots: Slot[];
  busy: number;
  calls: CallState;
  extra: Extra;
}

const SERVICE_DONE = 1;
/** Slots freed inside a call of the server's are refilled in a timer at the same instant (no call back into it). */
const START_WAITING = 2;

function held(state: ComponentState<unknown, unknown>): number {
  return waitingCount(state.queue) + state.busy + state.calls.waiting;
}

function cpuCall(state: ComponentState<unknown, unknown>, request: HostCpuRequest, ctx: ActorContext): HostCpuReply {
  return (ctx.localCall(state.server, request) as HostCpuReply | null) ?? { ok: false, reason: "server_down" };
}

function respond(
  state: ComponentState<unknown, unknown>,
  request: SimPacket,
  sizeBytes: number,
  ctx: ActorContext,
): void {
  const before = held(state);
  ctx.countTransition("service", before + 1, before);
  answer(request, responseBytes(request, sizeBytes), ctx);
}

/** Work lost in service: what it had been charged, when the server accounts lost work. */
function recordCharge(charge: LeaseCharge | undefined, ctx: ActorContext): void {
  if (charge !== undefined) recordLost(charge, charge.coreNs, ctx);
}

/** The request is lost: counted as leaving the component by `reason`. */
function lose(state: ComponentState<unknown, unknown>, request: SimPacket, reason: string, ctx: ActorContext): void {
  const before = held(state);
  ctx.countTransition(reason, before + 1, before);
  ctx.drop(request, reason);
}

export function componentModel<Params extends ComponentCommon, Extra>(
  kind: ComponentKind<Params, Extra>,
): ActorModel<Params, ComponentState<Params, Extra>> {
  type State = ComponentState<Params, Extra>;

  /**
   * Starts `request` in slot `index`: at once when the server has its cores, later when they must be waited for
   * (dynamic sharing); drops it if the server cannot run it now.
   */
  function start(state: State, index: number, request: SimPacket, arrivedNs: number, ctx: ActorContext): void {
    const reply = cpuCall(state, { op: "acquire", millicores: state.millicores, slot: index }, ctx);
    if (!reply.ok) {
      lose(state, request, reply.reason, ctx);
      return;
    }
    const { workNs, op } = kind.begin(state.params, state.extra, request, ctx);
    const slot = state.slots[index]!;
    slot.request = request;
    slot.arrivedNs = arrivedNs;
    slot.op = op;
    slot.workNs = workNs;
    slot.waitingCore = reply.waiting === true;
    state.busy++;
    if (!slot.waitingCore) run(slot, index, reply.epoch, reply.speed, ctx);
  }

  /** The slot's work has its cores: it runs for its work at the server's speed. */
  function run(slot: Slot, index: number, epoch: number, speed: number, ctx: ActorContext): void {
    slot.startedNs = ctx.nowNs;
    slot.epoch = epoch;
    ctx.record("queue_wait_ns", ctx.nowNs - slot.arrivedNs);
    slot.doneNs = ctx.schedule(Math.max(1, Math.round(slot.workNs / speed)), SERVICE_DONE, index);
  }

  /** The server's call (dynamic sharing): a waiting slot got its cores, or lost its work to a failure. */
  function serverCall(state: State, call: ComponentCpuCall, ctx: ActorContext): void {
    const slot = state.slots[call.slot];
    if (slot === undefined || slot.request === null || !slot.waitingCore) return;
    slot.waitingCore = false;
    if (call.op === "granted") {
      run(slot, call.slot, call.epoch, call.speed, ctx);
      return;
    }
    const request = slot.request;
    slot.request = null;
    state.busy--;
    lose(state, request, call.reason, ctx);
    ctx.schedule(0, START_WAITING);
  }

  /** Fills free slots from the queue. */
  function startWaiting(state: State, ctx: ActorContext): void {
    for (
      let index = state.slots.findIndex((s) => s.request === null);
      index >= 0 && waitingCount(state.queue) > 0;
      index = state.slots.findIndex((s) => s.request === null)
    ) {
      const next = dequeue(state.queue)!;
      start(state, index, next.packet, next.arrivedNs, ctx);
    }
  }

  function serviceDone(state: State, index: number, ctx: ActorContext): void {
    const slot = state.slots[index]!;
    const request = slot.request;
    if (request === null || slot.doneNs !== ctx.nowNs) return; // dropped by a crash
    slot.request = null;
    state.busy--;
    const reply = cpuCall(state, { op: "release", millicores: state.millicores, epoch: slot.epoch, slot: index }, ctx);
    if (!reply.ok) {
      recordCharge(reply.charge, ctx); // the server failed or went off meanwhile
      lose(state, request, reply.reason, ctx);
    } else {
      ctx.record("service_time_ns", ctx.nowNs - slot.startedNs);
      const responseBytes = kind.finish(state.params, state.extra, slot.op, request, ctx);
      if (state.params.calls.length > 0) {
        // The held request remembers its response size until the calls are answered.
        if (request.replyBytes <= 0) request.replyBytes = responseBytes;
        startCalls(state.params.calls, state.calls, request, ctx);
      } else respond(state, request, responseBytes, ctx);
    }
    startWaiting(state, ctx);
  }

  return {
    kind: kind.kind,

    initial(params, ctx) {
      const server = ctx.self.placedOn;
      if (server === undefined) throw new Error(`${ctx.self.id}: a ${kind.kind} must be placed on a server`);
      const slots = Array.from(
        { length: params.concurrency },
        (): Slot => ({
          request: null,
          arrivedNs: 0,
          startedNs: 0,
          doneNs: 0,
          epoch: 0,
          op: 0,
          workNs: 0,
          waitingCore: false,
        }),
      );
      return {
        params,
        server,
        millicores: Math.round(params.cpu * 1000),
        queue: newRequestQueue(),
        slots,
        busy: 0,
        calls: initialCallState(params.calls, ctx),
        extra: kind.initialExtra(params),
      };
    },

    onPacket(state, packet, ctx) {
      if (packet.species === Species.SPECIES_RESPONSE) {
        const parent = takeCallResponse(state.params.calls, state.calls, packet, ctx);
        if (parent !== null) respond(state, parent, parent.replyBytes, ctx);
        return;
      }
      if (packet.species !== Species.SPECIES_REQUEST) {
        ctx.drop(packet, "unexpected_species");
        return;
      }
      const before = held(state);
      if (state.busy < state.slots.length && waitingCount(state.queue) === 0) {
        ctx.countTransition("arrival", before, before + 1);
        start(
          state,
          state.slots.findIndex((s) => s.request === null),
          packet,
          ctx.nowNs,
          ctx,
        );
        return;
      }
      enqueue(state.queue, packet, state.params.queue_limit, before, ctx);
    },

    onTimer(state, tag, arg, ctx) {
      if (tag === SERVICE_DONE) serviceDone(state, arg, ctx);
      else if (tag === START_WAITING) startWaiting(state, ctx);
    },

    onLocalCall(state, call, _from, ctx) {
      serverCall(state, call as ComponentCpuCall, ctx);
      return true; // heard (the runtime answers null for a component that is not running)
    },

    onCommand(state, command, _args, ctx) {
      if (command === "crash") {
        const before = held(state);
        dropWaiting(state.queue, "component_down", ctx);
        state.slots.forEach((slot, index) => {
          if (slot.request === null) return;
          ctx.drop(slot.request, "component_down");
          slot.request = null;
          if (slot.waitingCore) {
            slot.waitingCore = false;
            cpuCall(state, { op: "cancel", slot: index }, ctx);
            return;
          }
          // The work in service is lost: what it was charged, whether the server still had it or had lost it.
          const release = { op: "release", millicores: state.millicores, epoch: slot.epoch, slot: index } as const;
          recordCharge(cpuCall(state, release, ctx).charge, ctx);
        });
        state.busy = 0;
        dropWaitingParents(state.calls, "component_down", ctx);
        if (before > 0) ctx.countTransition("component_down", before, 0);
      } else if (command !== "recover") throw new Error(`${ctx.self.id}: a ${kind.kind} has no command "${command}"`);
    },

    queued: held,
  };
}
