/**
 * Timeouts and retries of a leaping client. A response count's delay D (its requests share one drawn delay) says
 * whether its requests timed out: an attempt sent at s (time since the request's first attempt) is answered at
 * s + D when D <= timeout; otherwise it timed out at s + timeout and, while retries are left, the count is sent
 * again as a retry count whose attempt starts at s' = s + timeout + backoff (its flow's virtual clock starts s'
 * before its send, so its response time counts from the first attempt, as in exact mode).
 *
 * A timed-out attempt's own response still comes, at s + D: as in exact mode it answers the request when it
 * arrives while a later attempt is outstanding and before that attempt's response, and is late otherwise. Only
 * the earliest such response can answer, so a retry count carries one pending arrival time; the others count
 * as late when the retry is made.
 *
 * Approximations (docs/leap.md): a retry's delay is an independent draw of the path's law, where in exact mode a
 * request that timed out at a congested queue tends to meet it congested again (fewer repeated timeouts here);
 * the client learns of a timeout when the late response reaches it, so the retry leaves some steps of pipeline
 * after its virtual send time (its load reaches the servers that much later); requests lost on the way are not
 * timed out or retried (no response comes back to judge them by); responses are counted when their request's
 * fate is decided, not when they arrive; a retry of a trace row is sent with the mean of request_bytes.
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import type { ClientParams } from "../models/client.ts";

/** The attempt a retry count stands for (absent: a first attempt). Plain data, for state snapshots. */
export interface RetryAttempt {
  /** Retries before this attempt. */
  retries: number;
  /** When it was sent (virtually), since the request's first attempt, ns. */
  startNs: number;
  /** When an earlier attempt's response arrives, since the first attempt (ns), or -1 when none can answer. */
  pendingNs: number;
  /** Requests of the count not heard of yet. */
  remaining: number;
  bytes: number;
  kind: number;
}

/** A retry count to send now. */
export interface RetryCount {
  count: number;
  attempt: RetryAttempt;
}

/**
 * What a response count decides, recorded on `ctx`: its answer time (ns since the first attempt, -1 when not
 * answered), and a retry to send, if any. `requestBytes` is the size a first attempt's retry is sent with.
 */
export function judgeResponse(
  params: ClientParams,
  attempts: Record<number, RetryAttempt>,
  packet: SimPacket,
  requestBytes: number,
  ctx: ActorContext,
): { retry: RetryCount | null; answeredNs: number } {
  const m = packet.multiplicity;
  const total = ctx.nowNs - packet.flowCreatedNs;
  const attempt = attempts[packet.flowId];
  if (attempt !== undefined && (attempt.remaining -= m) <= 0) delete attempts[packet.flowId];
  const startNs = attempt?.startNs ?? 0;
  const pending = attempt?.pendingNs ?? -1;
  const timeout = params.timeout ?? Number.POSITIVE_INFINITY;
  const answer = (atNs: number, late: number) => {
    ctx.record("response_time_ns", atNs, m);
    if (late > 0) ctx.record("late_responses", 1, late);
    if (params.slo !== undefined && atNs > params.slo.response_time) ctx.record("slo_misses", 1, m);
    return { retry: null, answeredNs: atNs };
  };
  if (total - startNs <= timeout) {
    // Answered by this attempt, unless an earlier attempt's response came first.
    return pending >= 0 && pending < total ? answer(pending, m) : answer(total, pending >= 0 ? m : 0);
  }
  if (pending >= 0 && pending < startNs + timeout) return answer(pending, m);
  ctx.record("timeouts", 1, m);
  const retry = params.retry;
  const retries = attempt?.retries ?? 0;
  if (retry === undefined || retries >= retry.attempts) {
    ctx.record("late_responses", 1, pending >= 0 ? 2 * m : m);
    if (retry !== undefined) ctx.record("abandoned", 1, m);
    if (params.slo !== undefined) ctx.record("slo_misses", 1, m);
    return { retry: null, answeredNs: -1 };
  }
  const backoff = Math.min(retry.backoff * retry.multiplier ** retries, retry.max_backoff ?? Number.POSITIVE_INFINITY);
  const nextStart = startNs + timeout + Math.round(backoff);
  // Responses still to come: this one and a pending earlier one; the earliest after the retry leaves may answer.
  const candidates = pending >= 0 ? [pending, total] : [total];
  const inTime = candidates.filter((t) => t >= nextStart);
  const nextPending = inTime.length > 0 ? Math.min(...inTime) : -1;
  const late = candidates.length - (nextPending >= 0 ? 1 : 0);
  if (late > 0) ctx.record("late_responses", 1, late * m);
  ctx.record("retries", 1, m);
  return {
    retry: {
      count: m,
      attempt: {
        retries: retries + 1,
        startNs: nextStart,
        pendingNs: nextPending,
        remaining: m,
        bytes: attempt?.bytes ?? requestBytes,
        kind: packet.kind,
      },
    },
    answeredNs: -1,
  };
}
