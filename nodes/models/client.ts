/**
 * A client population. Open loop: requests leave by an arrival process (arrivals.ts) whatever the responses do.
 * Closed loop: `users` each think, send one request, and wait for its response (or its timeout) before thinking
 * again. Requests go to one target actor (a server or a load balancer); the round trip of each response is
 * recorded (`response_time_ns`), with `timeouts`, `late_responses` and `slo_misses` when those are configured.
 *
 * Retry: with `timeout` and `retry`, a request that times out (lost to a failure, or just slow) is sent again
 * after a backoff, `backoff · multiplier^(k−1)` before the k-th retry (at most `max_backoff`), up to `attempts`
 * retries; the retry continues the request's flow, so its response time counts from the first attempt. After the
 * last retry times out the request is `abandoned`. A response of an earlier attempt that arrives while a retry is
 * outstanding answers the request (at-least-once); the retry's own response then counts as late.
 */
import { z } from "zod";
import type { ActorContext, ActorModel, NewPacket } from "../runtime/actor.ts";
import { Species } from "../runtime/packet.ts";
import { count, duration, size } from "../../spec/units.ts";
import { describe, MAX_LOAD_FACTOR } from "../../spec/limits.ts";
import {
  initialArrivalState,
  nextArrival,
  openLoopProcess,
  type ArrivalDraw,
  type ArrivalState,
  type OpenLoopProcess,
} from "./arrivals.ts";
import { durationDistribution, sampleBytes, sampleNs, sizeDistribution } from "./distributions.ts";
import { metricId } from "../runtime/names.ts";
import { ZERO_NS } from "../runtime/time-fields.ts";
import { lazy } from "../../spec/lazy.ts";

// Handles of the metrics recorded on every request (names.ts).
const REQUESTS_SENT = metricId("requests_sent");
const RESPONSE_TIME = metricId("response_time_ns");
const SLO_MISSES = metricId("slo_misses");

/** Think timers carry epoch × USER_SLOTS + user, so a load change or recovery can void the ones drawn before. */
const USER_SLOTS = 1 << 20;

const closedLoop = lazy(() =>
  z
    .object({
      process: z.literal("closed"),
      users: count(1).refine((n) => n < USER_SLOTS, { error: `expected fewer than ${USER_SLOTS} users` }),
      /** Time a user waits between a response (or timeout) and its next request. */
      think_time: durationDistribution,
    })
    .strict(),
);

const arrivals = lazy(() =>
  z.discriminatedUnion("process", [...openLoopProcess, closedLoop], {
    error: 'expected "process": one of poisson, mmpp, diurnal, trace, closed',
  }),
);

/** The open-loop processes a running client can switch to (`set_arrivals`): those with a rate to scale. */
export const replacementArrivals = lazy(() =>
  z.discriminatedUnion("process", [openLoopProcess[0], openLoopProcess[1], openLoopProcess[2]], {
    error: 'expected "process": one of poisson, mmpp, diurnal',
  }),
);

export const clientParams = lazy(() =>
  z
    .object({
      /** Id of the actor that serves the requests. */
      target: z.string({ error: "expected the id of an actor" }).min(1, { error: "expected the id of an actor" }),
      arrivals,
      request_bytes: sizeDistribution().prefault(200),
      response_bytes: size().default(1000),
      /** A request unanswered after this long counts as a timeout; a later response is only counted as late. */
      timeout: duration().optional(),
      /** Service-level objective: responses slower than this (and timeouts) are recorded as `slo_misses`. */
      slo: z.object({ response_time: duration() }).strict().optional(),
      retry: z
        .object({
          attempts: count(1),
          backoff: duration(),
          multiplier: z
            .number({ error: "expected a factor of at least 1" })
            .min(1, { error: "expected a factor of at least 1" })
            .max(1000, { error: "expected a factor of at most 1000" })
            .default(2),
          max_backoff: duration().optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .refine((p) => p.retry === undefined || p.timeout !== undefined, {
      error: "retry needs a timeout (how the client learns a request was lost)",
      path: ["retry"],
    }),
);
export type ClientParams = z.output<typeof clientParams>;

export const clientCommands = lazy(() => ({
  /**
   * Load injection: multiplies the open-loop arrival rates by `factor`; a closed loop runs round(users × factor)
   * users (at least one): added users start thinking now, removed ones stop after their current request.
   */
  scale_load: z
    .object({
      factor: z
        .number({ error: "expected a positive factor" })
        .positive({ error: "expected a positive factor" })
        .max(MAX_LOAD_FACTOR, { error: `expected a factor ${describe.factor}` }),
    })
    .strict(),
  /**
   * Replaces an open-loop client's arrival process (its rate curve) from now on: args are a poisson, mmpp or
   * diurnal process as in the scenario's `arrivals` (durations with units or in seconds). The load factor stays:
   * it multiplies the new curve. Diurnal curves keep absolute time (peak_at is a time since the run began);
   * an MMPP starts in a phase drawn from its stationary distribution. Arrivals drawn before are voided.
   */
  set_arrivals: replacementArrivals,
}));

interface ClientState {
  params: ClientParams;
  target: number;
  targetPort: number;
  /** The open-loop process in force (the scenario's until `set_arrivals`), null for a closed loop. */
  spec: OpenLoopProcess | null;
  arrivals: ArrivalState | null;
  /** Trace row of the pending arrival (-1 otherwise). */
  pendingRow: number;
  /** Bumped on load changes and recovery, so timers drawn before are ignored. */
  epoch: number;
  /** Requests awaiting a response (only tracked with a timeout or a closed loop): flow id -> user (-1 open loop). */
  outstanding: Record<number, number>;
  /** Closed loop: users 0..activeUsers-1 take part; `cycling[u]` while user u thinks or waits for a response. */
  activeUsers: number;
  cycling: boolean[];
  /** With `retry`: what it takes to send each unanswered request again, by flow id. */
  sentOf: Record<number, SentRequest>;
  /** Requests that timed out and wait for their retry: flow id -> user (-1 open loop). */
  retrying: Record<number, number>;
}

interface SentRequest {
  bytes: number;
  kind: number;
  createdNs: number;
  retries: number;
}

const ARRIVAL = 1;
const THINK_DONE = 2;
const TIMEOUT = 3;
const RETRY = 4;

function openLoop(params: ClientParams): OpenLoopProcess | null {
  return params.arrivals.process === "closed" ? null : params.arrivals;
}

function traceRows(state: ClientState) {
  return state.spec?.process === "trace" ? state.spec.rows : null;
}

function users(params: ClientParams): number {
  return params.arrivals.process === "closed" ? params.arrivals.users : 0;
}

/** The draw `scheduleArrival` reads at once (one object for every client: no allocation per arrival). */
const draw: ArrivalDraw = { atNs: ZERO_NS, arrival: false, row: -1 };

function scheduleArrival(state: ClientState, ctx: ActorContext): void {
  const spec = state.spec;
  if (spec === null || state.arrivals === null) return;
  for (;;) {
    if (!nextArrival(spec, state.arrivals, ctx.nowNs, ctx.rng, draw)) return;
    state.pendingRow = draw.row;
    if (!draw.arrival && draw.atNs === ctx.nowNs) continue; // a phase change due now needs no event of its own
    ctx.schedule(draw.atNs - ctx.nowNs, ARRIVAL, draw.arrival ? state.epoch : -state.epoch - 1);
    return;
  }
}

/** A user (re)starts a cycle with its think time, unless a load change has retired it. */
function think(state: ClientState, user: number, ctx: ActorContext): void {
  if (state.params.arrivals.process !== "closed") return;
  state.cycling[user] = user < state.activeUsers;
  if (!state.cycling[user]) return;
  ctx.schedule(sampleNs(state.params.arrivals.think_time, ctx.rng), THINK_DONE, state.epoch * USER_SLOTS + user);
}

/**
 * What `sendRequest` asks createPacket for, filled anew on each call: createPacket reads it before it returns and
 * keeps nothing of it, so one object serves every request (no object per request).
 */
const requestInit = {
  dst: 0,
  species: Species.SPECIES_REQUEST,
  sizeBytes: 0,
  replyBytes: 0,
  kind: 0,
} satisfies NewPacket;

function sendRequest(state: ClientState, user: number, ctx: ActorContext): void {
  const { params } = state;
  const rows = traceRows(state);
  const row = state.pendingRow >= 0 && rows !== null ? rows[state.pendingRow]! : null;
  const init = requestInit;
  init.dst = state.target;
  init.sizeBytes = row?.bytes ?? sampleBytes(params.request_bytes, ctx.rng);
  init.replyBytes = params.response_bytes;
  init.kind = row === null ? 0 : state.arrivals!.kinds[state.pendingRow]!;
  const request = ctx.createPacket(init);
  if (params.retry !== undefined)
    state.sentOf[request.flowId] = { bytes: request.sizeBytes, kind: request.kind, createdNs: ctx.nowNs, retries: 0 };
  track(state, request.flowId, user, ctx);
  ctx.send(request, state.targetPort);
  ctx.recordId(REQUESTS_SENT, 1);
}

/** Tracks a request sent for `user` (-1 open loop) until its response or timeout. */
function track(state: ClientState, flowId: number, user: number, ctx: ActorContext): void {
  const { timeout } = state.params;
  if (timeout !== undefined || user >= 0) state.outstanding[flowId] = user;
  if (timeout !== undefined) ctx.schedule(timeout, TIMEOUT, flowId);
}

/** A request timed out: retried after its backoff while retries are left, else given up. */
function timedOut(state: ClientState, flowId: number, user: number, ctx: ActorContext): void {
  ctx.record("timeouts", 1);
  const retry = state.params.retry;
  const sent = state.sentOf[flowId];
  if (retry !== undefined && sent !== undefined && sent.retries < retry.attempts) {
    state.retrying[flowId] = user;
    const backoffNs = Math.min(
      retry.backoff * retry.multiplier ** sent.retries,
      retry.max_backoff ?? Number.POSITIVE_INFINITY,
    );
    ctx.schedule(Math.round(backoffNs), RETRY, flowId);
    return;
  }
  delete state.sentOf[flowId];
  if (retry !== undefined) ctx.record("abandoned", 1);
  if (state.params.slo !== undefined) ctx.recordId(SLO_MISSES, 1);
  if (user >= 0) think(state, user, ctx);
}

/** Sends a timed-out request again, in its own flow. */
function sendRetry(state: ClientState, flowId: number, ctx: ActorContext): void {
  const user = state.retrying[flowId];
  const sent = state.sentOf[flowId];
  if (user === undefined || sent === undefined) return; // voided by a recovery
  delete state.retrying[flowId];
  sent.retries++;
  const request = ctx.createPacket({
    dst: state.target,
    species: Species.SPECIES_REQUEST,
    sizeBytes: sent.bytes,
    replyBytes: state.params.response_bytes,
    kind: sent.kind,
    flowId,
    flowCreatedNs: sent.createdNs,
  });
  track(state, flowId, user, ctx);
  ctx.send(request, state.targetPort);
  ctx.record("retries", 1);
}

function restart(state: ClientState, ctx: ActorContext): void {
  state.outstanding = {};
  state.sentOf = {};
  state.retrying = {};
  state.cycling = [];
  scheduleArrival(state, ctx);
  for (let user = 0; user < state.activeUsers; user++) think(state, user, ctx);
}

export const clientModel: ActorModel<ClientParams, ClientState> = {
  kind: "client",

  initial(params, ctx) {
    const target = ctx.actorIndex(params.target);
    const spec = openLoop(params);
    const state: ClientState = {
      params,
      target,
      targetPort: ctx.route(target),
      spec,
      arrivals: spec === null ? null : initialArrivalState(spec, ctx.rng),
      pendingRow: -1,
      epoch: 0,
      outstanding: {},
      activeUsers: users(params),
      cycling: [],
      sentOf: {},
      retrying: {},
    };
    restart(state, ctx);
    return state;
  },

  onTimer(state, tag, arg, ctx) {
    if (tag === ARRIVAL) {
      if (arg !== state.epoch && arg !== -state.epoch - 1) return; // drawn before a load change
      if (arg === state.epoch) sendRequest(state, -1, ctx);
      scheduleArrival(state, ctx);
    } else if (tag === THINK_DONE) {
      if (Math.floor(arg / USER_SLOTS) !== state.epoch) return;
      const user = arg % USER_SLOTS;
      if (user < state.activeUsers) sendRequest(state, user, ctx);
      else state.cycling[user] = false;
    } else if (tag === TIMEOUT) {
      const user = state.outstanding[arg];
      if (user === undefined) return; // answered in time
      delete state.outstanding[arg];
      timedOut(state, arg, user, ctx);
    } else if (tag === RETRY) sendRetry(state, arg, ctx);
  },

  onPacket(state, packet, ctx) {
    if (packet.species !== Species.SPECIES_RESPONSE) {
      ctx.drop(packet, "unexpected_species");
      return;
    }
    ctx.consume(packet);
    let user = -1;
    if (state.params.timeout !== undefined || state.params.arrivals.process === "closed") {
      const waiting = state.outstanding[packet.flowId];
      if (waiting === undefined) {
        ctx.record("late_responses", 1);
        return;
      }
      delete state.outstanding[packet.flowId];
      delete state.sentOf[packet.flowId];
      user = waiting;
    }
    const responseNs = ctx.nowNs - packet.flowCreatedNs;
    ctx.recordId(RESPONSE_TIME, responseNs);
    if (state.params.slo !== undefined && responseNs > state.params.slo.response_time) ctx.recordId(SLO_MISSES, 1);
    if (user >= 0) think(state, user, ctx);
  },

  onCommand(state, command, args, ctx) {
    if (command === "scale_load") {
      const { factor } = clientCommands.scale_load.parse(args);
      if (state.params.arrivals.process === "closed") {
        state.activeUsers = Math.max(1, Math.min(USER_SLOTS - 1, Math.round(state.params.arrivals.users * factor)));
        for (let user = 0; user < state.activeUsers; user++) if (!state.cycling[user]) think(state, user, ctx);
        return;
      }
      if (state.arrivals === null || state.spec?.process === "trace")
        throw new Error(`${ctx.self.id}: scale_load needs a poisson, mmpp, diurnal or closed-loop client`);
      state.arrivals.factor = factor;
      state.epoch++;
      scheduleArrival(state, ctx);
    } else if (command === "set_arrivals") {
      const spec = clientCommands.set_arrivals.parse(args);
      if (state.arrivals === null || state.spec === null || state.spec.process === "trace")
        throw new Error(`${ctx.self.id}: set_arrivals needs a poisson, mmpp or diurnal client`);
      const factor = state.arrivals.factor;
      state.spec = spec;
      state.arrivals = initialArrivalState(spec, ctx.rng);
      state.arrivals.factor = factor;
      // An MMPP's first sojourn is drawn from its start; it runs from now.
      state.arrivals.phaseEndNs += ctx.nowNs;
      state.pendingRow = -1;
      state.epoch++;
      scheduleArrival(state, ctx);
    } else if (command === "recover") {
      state.epoch++;
      restart(state, ctx);
    } else if (command !== "crash") throw new Error(`${ctx.self.id}: the client has no command "${command}"`);
  },

  queued() {
    return 0;
  },
};
