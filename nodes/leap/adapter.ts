/**
 * Runs a kind's leap behaviour as an ordinary actor model, so the runtime, the wire and the ledgers stay as in
 * exact mode. With the quantum set to the step, every packet sent inside a window is delivered at its end (the
 * next step boundary); each leaping actor acts once per step, at its middle, on what was delivered since its last
 * step (its inbox coalesced: coalesce.ts). One actor (the anchor) also ticks at every boundary, so windows start on step boundaries even when nothing
 * is in flight.
 */
import type { ActorContext, ActorModel, LeapBehaviour, LeapStep } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { coalesce } from "./coalesce.ts";

/** Timer tags of the adapter, far from the small tags models use. */
const MID = 0x4c45_4150;
const BOUNDARY = MID + 1;

interface LeapActorState {
  inner: unknown;
  inbox: SimPacket[];
  /**
   * Packets handed over locally (a component and its server) at a mid-step before this actor acted at it: they
   * wait for the next step, so a local hand-over takes one step of pipeline, as a link does (ports.ts).
   */
  deferred: SimPacket[];
  /** The next mid-step this actor acts at; timers before it are stale (resumed or duplicated) and ignored. */
  nextMidNs: number;
  nextBoundaryNs: number;
}

/** The first mid-step at or after `nowNs`. */
export function midAtOrAfter(nowNs: number, stepNs: number): number {
  const half = stepNs / 2;
  return Math.ceil((nowNs - half) / stepNs) * stepNs + half;
}

export function leapModel(
  kind: string,
  behaviour: LeapBehaviour,
  leap: LeapStep,
  anchor: boolean,
): ActorModel<unknown, LeapActorState> {
  const armMid = (state: LeapActorState, ctx: ActorContext) => {
    state.nextMidNs = midAtOrAfter(ctx.nowNs + 1, leap.stepNs);
    ctx.schedule(state.nextMidNs - ctx.nowNs, MID);
  };
  const armBoundary = (state: LeapActorState, ctx: ActorContext, atOrAfterNs: number) => {
    if (!anchor) return;
    state.nextBoundaryNs = Math.ceil(atOrAfterNs / leap.stepNs) * leap.stepNs;
    ctx.schedule(state.nextBoundaryNs - ctx.nowNs, BOUNDARY);
  };
  return {
    kind,
    initial(params, ctx) {
      const state: LeapActorState = {
        inner: behaviour.initial(params, ctx, leap),
        inbox: [],
        deferred: [],
        nextMidNs: 0,
        nextBoundaryNs: 0,
      };
      armMid(state, ctx);
      armBoundary(state, ctx, 0);
      return state;
    },
    onPacket(state, packet, ctx) {
      if (ctx.nowNs === state.nextMidNs) state.deferred.push(packet);
      else state.inbox.push(packet);
    },
    onTimer(state, tag, arg, ctx) {
      if (tag === MID) {
        if (ctx.nowNs < state.nextMidNs) return;
        armMid(state, ctx);
        const inbox = state.inbox;
        state.inbox = state.deferred;
        state.deferred = [];
        behaviour.step(state.inner, coalesce(inbox, ctx), ctx, leap);
      } else if (tag === BOUNDARY) {
        if (ctx.nowNs < state.nextBoundaryNs) return;
        armBoundary(state, ctx, ctx.nowNs + 1);
      } else behaviour.onTimer?.(state.inner, tag, arg, ctx);
    },
    onCommand(state, command, args, ctx) {
      if (command === "crash") {
        for (const packet of state.inbox.concat(state.deferred)) ctx.drop(packet, "actor_down");
        state.inbox = [];
        state.deferred = [];
      }
      if (behaviour.onCommand !== undefined) behaviour.onCommand(state.inner, command, args, ctx);
      else if (command !== "crash" && command !== "recover")
        throw new Error(`${ctx.self.id}: the ${kind} has no command "${command}" in leap mode`);
      if (command === "recover") {
        armMid(state, ctx);
        armBoundary(state, ctx, ctx.nowNs);
      }
    },
    onLocalCall(state, request, from, ctx) {
      if (behaviour.onLocalCall === undefined)
        throw new Error(`${ctx.self.id}: the ${kind} takes no local calls in leap mode`);
      return behaviour.onLocalCall(state.inner, request, from, ctx);
    },
    queued(state) {
      return state.inbox.length + state.deferred.length + behaviour.queued(state.inner);
    },
  };
}
