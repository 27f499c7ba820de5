/**
 * Downstream calls of a leaping server (the exact model's downstream-calls.ts, by counts). A count of m requests
 * whose service ended makes, per call of its first stage, one child count of m × `count` requests to the
 * target (a server, or a balancer in front of replicas), and is held as a parent group until the children's
 * responses are back; then the next stage, or the response.
 *
 * Responses come back as counts, possibly split over steps (the callee's fluid backlog, paths of different
 * length, the callee's sojourn samples) or thinned (losses). Each of the `count` parallel calls to a target is
 * a child count of its own (a slot), so each slot's parts carry their own delays. The group's parents complete as
 * their children return: with r_j responses in for slot j, min_j r_j parents have every child back. This pairs
 * the children that returned first across slots (exact without losses; with losses it completes somewhat more
 * parents than independent losses would). A parent whose child was lost waits for ever, as in exact mode (held,
 * counted as queued).
 *
 * Delays (the flow's virtual clock, ports.ts): the parents a response part completes take, for the stage, the
 * largest of the slots' latest round trips: the slowest of their parallel calls, one draw per slot, as in exact
 * mode. As for hops, the draws are independent: the callee's queue sees the children as a Poisson stream, while
 * in exact mode the `count` calls to one target arrive together (a batch: exact mode's waits there are longer).
 */
import type { ActorContext } from "../runtime/actor.ts";
import { Species, type SimPacket } from "../runtime/packet.ts";
import type { Call } from "../models/downstream-calls.ts";
import { meanOf } from "../models/distributions.ts";
import type { StepOutbox } from "./ports.ts";

interface ParentGroup {
  request: SimPacket;
  /** Parents of the group not yet answered (request.multiplicity, before it is split). */
  parents: number;
  /** Position in the stage list. */
  stage: number;
  /** Virtual time the parents have spent so far, up to the current stage's calls (ns). */
  elapsedNs: number;
  /** When the current stage's children were sent (ns). */
  sentNs: number;
  /** Per slot of the current stage: its child's flow, responses in, and the round trip of its latest part (ns). */
  children: number[];
  returned: number[];
  latestNs: number[];
  /** Parents of the group that have every child of the stage back. */
  completed: number;
  /** The parents' rate (per s), for the children's streams. */
  ratePerS: number;
}

export interface LeapCalls {
  targets: number[];
  /** Calls per parent to each target actor, all stages: a callee keeps one stream rate per caller. */
  perTarget: Record<number, number>;
  stages: number[];
  groups: Record<number, ParentGroup>;
  /** Child flow id → [group, slot]. */
  childOf: Record<number, [number, number]>;
  nextGroup: number;
}

export function newLeapCalls(calls: readonly Call[], ctx: ActorContext): LeapCalls {
  const targets = calls.map((c) => ctx.actorIndex(c.target));
  const perTarget: Record<number, number> = {};
  calls.forEach((c, i) => (perTarget[targets[i]!] = (perTarget[targets[i]!] ?? 0) + c.count));
  return {
    targets,
    perTarget,
    stages: [...new Set(calls.map((c) => c.stage))].sort((a, b) => a - b),
    groups: {},
    childOf: {},
    nextGroup: 0,
  };
}

/**
 * A count of requests finished its service `heldNs` after this step's middle (virtual): holds it as a parent
 * group and sends its first stage's calls. `ratePerS`: the parents' rate, so each child stream carries its own
 * (rate × count) for the callee's queue.
 */
export function startLeapCalls(
  calls: readonly Call[],
  st: LeapCalls,
  request: SimPacket,
  heldNs: number,
  ratePerS: number,
  out: StepOutbox,
  ctx: ActorContext,
): void {
  const key = st.nextGroup++;
  const group: ParentGroup = {
    request,
    parents: request.multiplicity,
    stage: 0,
    elapsedNs: ctx.nowNs - request.flowCreatedNs + heldNs,
    sentNs: ctx.nowNs,
    children: [],
    returned: [],
    latestNs: [],
    completed: 0,
    ratePerS,
  };
  st.groups[key] = group;
  sendStage(calls, st, key, group, out, ctx);
}

function sendStage(
  calls: readonly Call[],
  st: LeapCalls,
  key: number,
  group: ParentGroup,
  out: StepOutbox,
  ctx: ActorContext,
): void {
  const stage = st.stages[group.stage];
  group.sentNs = ctx.nowNs;
  group.children = [];
  group.returned = [];
  group.latestNs = [];
  group.completed = 0;
  calls.forEach((call, i) => {
    if (call.stage !== stage) return;
    const dst = st.targets[i]!;
    for (let n = 0; n < call.count; n++) {
      const child = ctx.createPacket({
        dst,
        species: Species.SPECIES_REQUEST,
        sizeBytes: Math.max(1, Math.round(meanOf(call.request_bytes))),
        replyBytes: call.response_bytes,
        kind: group.request.kind,
        traceparent: group.request.traceparent,
        multiplicity: group.parents,
        streamRatePerS: group.ratePerS * st.perTarget[dst]!,
      });
      st.childOf[child.flowId] = [key, group.returned.length];
      group.children.push(child.flowId);
      group.returned.push(0);
      group.latestNs.push(0);
      out.add(child, ctx.route(dst));
    }
  });
}

/**
 * Takes this step's responses to calls: consumes them, and returns the parents they complete (counts whose
 * virtual clock has the stage's delay in it) ready to be answered. Parents of a non-final stage go on to the
 * next stage's calls instead.
 */
export function takeLeapResponses(
  calls: readonly Call[],
  st: LeapCalls,
  responses: readonly SimPacket[],
  out: StepOutbox,
  ctx: ActorContext,
): SimPacket[] {
  const done: SimPacket[] = [];
  for (const response of responses) {
    const child = st.childOf[response.flowId];
    const group = child === undefined ? undefined : st.groups[child[0]];
    if (child === undefined || group === undefined) {
      ctx.drop(response, "orphan_response");
      continue;
    }
    const [key, slot] = child;
    group.returned[slot]! += response.multiplicity;
    group.latestNs[slot] = ctx.nowNs - response.flowCreatedNs;
    ctx.consume(response);
    const complete = Math.min(group.parents, ...group.returned);
    if (complete <= group.completed) continue;
    const part = ctx.split(group.request, complete - group.completed);
    group.completed = complete;
    const elapsedNs = group.elapsedNs + Math.max(...group.latestNs);
    if (part === group.request) forget(st, key, group);
    if (group.stage + 1 >= st.stages.length) {
      part.flowCreatedNs = ctx.nowNs - Math.round(elapsedNs);
      done.push(part);
    } else {
      // The completed parents go on to the next stage as a group of their own.
      const next = st.nextGroup++;
      const moved: ParentGroup = {
        ...group,
        request: part,
        parents: part.multiplicity,
        stage: group.stage + 1,
        elapsedNs,
      };
      st.groups[next] = moved;
      sendStage(calls, st, next, moved, out, ctx);
    }
  }
  return done;
}

/** A group whose parents all went on: its children's late parts (none, without duplicates) become orphans. */
function forget(st: LeapCalls, key: number, group: ParentGroup): void {
  delete st.groups[key];
  for (const flow of group.children) delete st.childOf[flow];
}

/** Drops every parent still waiting (the server lost power); their late responses become orphans. */
export function dropLeapParents(st: LeapCalls, reason: string, ctx: ActorContext): void {
  for (const key of Object.keys(st.groups)) ctx.drop(st.groups[Number(key)]!.request, reason);
  st.groups = {};
  st.childOf = {};
}

/** Parent groups held (packet objects). */
export function heldGroups(st: LeapCalls): number {
  return Object.keys(st.groups).length;
}
