/**
 * A client population in leap mode: per step, the number of requests is Poisson with the rate curve integrated
 * over the step (exactly: constant, diurnal sinusoid, or MMPP phases switched at their own exponential times
 * inside the step), sent as one packet of that multiplicity. Responses are consumed per packet; the response
 * time is the flow's virtual-clock age (ports.ts), recorded with the packet's multiplicity.
 *
 * A closed loop (N users, think time Z) leaps by the interactive response-time law X = N/(Z + R): its rate is
 * the active users over the mean think time plus R̂, the mean response time of the responses returned so far
 * (smoothed over about RESPONSE_MEMORY of them; 0 before the first). Users are not held for the steps of the
 * pipeline a round trip takes here, only for its virtual time. The station sees the loop as an open Poisson stream
 * at rate X: exact as N grows at fixed load; at finite N the arrival theorem's (N − 1) population makes the true
 * waits a little shorter (about 2% at N = 100, ρ = 0.5).
 */
import type { ActorContext, LeapBehaviour, LeapStep } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import { clientCommands, type ClientParams } from "../models/client.ts";
import type { OpenLoopProcess } from "../models/arrivals.ts";
import { meanNs, meanOf } from "../models/distributions.ts";
import { poisson } from "../runtime/sampling.ts";
import { newPortQueues, StepOutbox, type PortQueues } from "./ports.ts";
import { judgeResponse, type RetryAttempt, type RetryCount } from "./retry.ts";
import { takeTraceRows, traceCursor, traceRatePerS, type TraceCursor } from "./trace-steps.ts";

type RateCurve = Exclude<OpenLoopProcess, { process: "trace" }> | ClosedLoop;

interface ClosedLoop {
  process: "closed";
  users: number;
  thinkNs: number;
}

/** Responses the closed loop's mean response time R̂ averages over (exponential smoothing by count). */
const RESPONSE_MEMORY = 1000;

interface LeapClientState {
  params: ClientParams;
  target: number;
  targetPort: number;
  spec: RateCurve | null;
  /** Trace replay: the rows left (spec is then null). */
  trace: TraceCursor | null;
  factor: number;
  /** MMPP: the current phase and when it ends (ns). */
  phase: number;
  phaseEndNs: number;
  /** Closed loop: R̂, the smoothed mean response time (ns). */
  meanResponseNs: number;
  ports: PortQueues;
  /** Retry counts in flight, by flow id, and the retries this step's responses asked for (retry.ts). */
  attempts: Record<number, RetryAttempt>;
  retries: RetryCount[];
}

/** Expected arrivals in [t0, t1) (ns) of the curve; MMPP phases advance (drawn from the stream) on the way. */
function integratedRate(spec: RateCurve, state: LeapClientState, t0: number, t1: number, ctx: ActorContext): number {
  const perNs = (ratePerS: number) => ratePerS / 1e9;
  switch (spec.process) {
    case "poisson":
      return perNs(spec.rate_per_s) * (t1 - t0);
    case "closed":
      // Active users as in exact mode: round(users × factor), at least one.
      return (Math.max(1, Math.round(spec.users * state.factor)) * (t1 - t0)) / (spec.thinkNs + state.meanResponseNs);
    case "diurnal": {
      const w = (2 * Math.PI) / spec.period;
      const swing = (spec.amplitude / w) * (Math.sin(w * (t1 - spec.peak_at)) - Math.sin(w * (t0 - spec.peak_at)));
      return perNs(spec.mean_rate_per_s) * (t1 - t0 + swing);
    }
    case "mmpp": {
      let total = 0;
      let t = t0;
      while (state.phaseEndNs < t1) {
        total += perNs(spec.phases[state.phase]!.rate_per_s) * Math.max(0, state.phaseEndNs - t);
        t = Math.max(t, state.phaseEndNs);
        state.phase = (state.phase + 1) % spec.phases.length;
        state.phaseEndNs += ctx.rng.exponential(1 / spec.phases[state.phase]!.mean_sojourn);
      }
      return total + perNs(spec.phases[state.phase]!.rate_per_s) * (t1 - t);
    }
  }
}

function startPhase(state: LeapClientState, ctx: ActorContext): void {
  if (state.spec?.process !== "mmpp") return;
  const phases = state.spec.phases;
  // The stationary phase (time share ∝ mean sojourn), then an exponential rest of it, as in exact mode.
  const total = phases.reduce((s, p) => s + p.mean_sojourn, 0);
  let u = ctx.rng.uniform() * total;
  state.phase = Math.max(
    0,
    phases.findIndex((p) => (u -= p.mean_sojourn) < 0),
  );
  state.phaseEndNs = ctx.nowNs + ctx.rng.exponential(1 / phases[state.phase]!.mean_sojourn);
}

function receive(state: LeapClientState, packet: SimPacket, ctx: ActorContext): void {
  if (packet.species !== Species.SPECIES_RESPONSE) {
    ctx.drop(packet, "unexpected_species");
    return;
  }
  ctx.consume(packet);
  const m = packet.multiplicity;
  const { answeredNs, retry } = judgeResponse(state.params, state.attempts, packet, requestBytes(state.params), ctx);
  if (retry !== null) state.retries.push(retry);
  if (answeredNs >= 0 && state.spec?.process === "closed")
    state.meanResponseNs += (m / (m + RESPONSE_MEMORY)) * (answeredNs - state.meanResponseNs);
}

const requestBytes = (params: ClientParams) => Math.max(1, Math.round(meanOf(params.request_bytes)));

/** Sends the retries the step's responses asked for, each in a flow of its own (retry.ts). */
function sendRetries(state: LeapClientState, out: StepOutbox, ctx: ActorContext, ratePerS: number): void {
  for (const { count, attempt } of state.retries) {
    const request = ctx.createPacket({
      dst: state.target,
      species: Species.SPECIES_REQUEST,
      sizeBytes: attempt.bytes,
      replyBytes: state.params.response_bytes,
      kind: attempt.kind,
      multiplicity: count,
      streamRatePerS: ratePerS,
    });
    // Its response time counts from the first attempt, startNs before this one.
    request.flowCreatedNs -= attempt.startNs;
    state.attempts[request.flowId] = attempt;
    out.add(request, state.targetPort);
  }
  state.retries = [];
}

/** Sends `n` requests as one packet; `ratePerS` is the source's propensity (the stream rate the servers see). */
function sendCount(
  state: LeapClientState,
  out: StepOutbox,
  ctx: ActorContext,
  n: number,
  ratePerS: number,
  bytes: number | undefined,
  kind: number,
): void {
  if (n === 0) return;
  const { params } = state;
  const request = ctx.createPacket({
    dst: state.target,
    species: Species.SPECIES_REQUEST,
    sizeBytes: bytes ?? requestBytes(params),
    replyBytes: params.response_bytes,
    kind,
    multiplicity: n,
    streamRatePerS: ratePerS,
  });
  ctx.record("requests_sent", 1, n);
  out.add(request, state.targetPort);
}

export const clientLeap: LeapBehaviour<ClientParams, LeapClientState> = {
  initial(params, ctx) {
    const arrivals = params.arrivals;
    const spec: RateCurve | null =
      arrivals.process === "trace"
        ? null
        : arrivals.process === "closed"
          ? { process: "closed", users: arrivals.users, thinkNs: meanNs(arrivals.think_time) }
          : arrivals;
    const target = ctx.actorIndex(params.target);
    const state: LeapClientState = {
      params,
      target,
      targetPort: ctx.route(target),
      spec,
      trace: arrivals.process === "trace" ? traceCursor(arrivals.rows) : null,
      factor: 1,
      phase: 0,
      phaseEndNs: 0,
      meanResponseNs: 0,
      ports: newPortQueues(ctx.ports.length),
      attempts: {},
      retries: [],
    };
    startPhase(state, ctx);
    return state;
  },

  step(state, inbox, ctx, leap: LeapStep) {
    for (const packet of inbox) receive(state, packet, ctx);
    const endNs = ctx.nowNs + leap.stepNs / 2;
    const out = new StepOutbox();
    // Every packet of the step carries the source's whole rate: fresh requests and retries (stream-rates.ts).
    const retried = state.retries.reduce((n, r) => n + r.count, 0);
    const perS = (expected: number) => ((expected + retried) / leap.stepNs) * 1e9;
    if (state.trace !== null) {
      // The trace's own rows of the step: exact counts, with their sizes and types, at the trace's local rate.
      const expected = (traceRatePerS(state.trace, ctx.nowNs, leap.stepNs) * leap.stepNs) / 1e9;
      for (const group of takeTraceRows(state.trace, endNs))
        sendCount(state, out, ctx, group.count, perS(expected), group.bytes, group.kind);
      sendRetries(state, out, ctx, perS(expected));
    } else if (state.spec !== null) {
      const expected =
        (state.spec.process === "closed" ? 1 : state.factor) *
        integratedRate(state.spec, state, endNs - leap.stepNs, endNs, ctx);
      sendCount(state, out, ctx, poisson(expected, ctx.rng), perS(expected), undefined, 0);
      sendRetries(state, out, ctx, perS(expected));
    }
    out.flush(ctx, leap, state.ports);
  },

  onCommand(state, command, args, ctx) {
    if (command === "scale_load") {
      if (state.trace !== null)
        throw new Error(`${ctx.self.id}: scale_load needs a poisson, mmpp, diurnal or closed-loop client`);
      state.factor = clientCommands.scale_load.parse(args).factor;
    } else if (command === "set_arrivals") {
      if (state.spec === null || state.spec.process === "closed")
        throw new Error(`${ctx.self.id}: set_arrivals needs a poisson, mmpp or diurnal client`);
      state.spec = clientCommands.set_arrivals.parse(args);
      startPhase(state, ctx);
    } else if (command !== "crash" && command !== "recover")
      throw new Error(`${ctx.self.id}: the client has no command "${command}"`);
  },

  queued() {
    return 0;
  },
};
