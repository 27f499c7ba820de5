/**
 * An actor a hybrid run keeps exact (scenario/leap-hybrid.ts: whole servers fed by clients and balancers) among
 * actors that leap. It runs its exact model inside the leap run's windows (the step), with two translations at
 * its boundary:
 *
 * - **Counts in.** A count delivered at a step boundary stands for m requests of that step. Given its count, a
 *   Poisson process's arrival times are independent and uniform over the interval, so the count's requests are
 *   released one by one at uniform times in the step after the boundary: the exact model sees a Poisson arrival
 *   process of the step's rate (the counts are Poisson draws of the senders' rates). A leaping receiver acts on
 *   the count at the step's middle; a request released u into the step has its flow clock moved by
 *   u − step/2, so its virtual age (now − flowCreatedNs) on release is the age a leaping receiver would read.
 * - **Single packets out.** What the exact model sends (responses, one each) is delivered at the next step
 *   boundary (the window's end) and handled by the leaping receiver at its next mid-step; the packet's flow clock
 *   is moved so that its age there is its age on its real arrival: each hop's own delay (the exact wire:
 *   the NIC's queue, serialization, latency) enters the client's response time, not the pipeline. A delay fault's
 *   jitter (drawn inside the runtime's transmission) is not added: a small bias on jittered links only.
 *
 * Bias: the released arrivals are Poisson whatever the upstream stream's shape (a round-robin balancer's every
 * n-th arrival is smoother); a stream's rate changes within a step are flattened to the step's mean.
 */
import { LOCAL_PORT, type ActorContext, type ActorModel } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { serializationNs } from "../runtime/transmission.ts";
import { midAtOrAfter } from "./adapter.ts";

/** Timer tag of a release, far from the small tags models use (and from the adapter's). */
const RELEASE = 0x4c45_4150 + 16;

interface Pending {
  atNs: number;
  packet: SimPacket;
}

export interface ExactInLeapState {
  inner: unknown;
  /** Requests of delivered counts waiting for their arrival time, in time order from `head` on. */
  pending: Pending[];
  /** The first entry of `pending` not released yet (released ones are cut off when new ones come). */
  head: number;
}

/** `model` as an exact actor among leaping ones, for a run of `stepNs` steps. */
export function exactInLeap(model: ActorModel, stepNs: number): ActorModel<unknown, ExactInLeapState> {
  const contexts = new WeakMap<ActorContext, ActorContext>();
  /** The shard's context with `send` moving the flow clock (a proxy: every other member is the context's own). */
  const outward = (ctx: ActorContext): ActorContext => {
    let wrapped = contexts.get(ctx);
    if (wrapped !== undefined) return wrapped;
    const send = (packet: SimPacket, port: number) => {
      if (port !== LOCAL_PORT) {
        const link = ctx.portLink(port);
        const now = ctx.nowNs;
        const arriveNs = Math.max(now, ctx.portFreeNs(port)) + serializationNs(packet.sizeBytes, link) + link.latencyNs;
        const deliverNs = Math.max(arriveNs, (Math.floor(now / stepNs) + 1) * stepNs);
        // The receiver acts at its first mid-step after the delivery (one that falls on it defers: adapter.ts).
        packet.flowCreatedNs += midAtOrAfter(deliverNs + 1, stepNs) - arriveNs;
      }
      ctx.send(packet, port);
    };
    const bound = new Map<PropertyKey, unknown>();
    wrapped = new Proxy(ctx, {
      get(target, key) {
        if (key === "send") return send;
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        let method = bound.get(key);
        if (method === undefined) bound.set(key, (method = value.bind(target)));
        return method;
      },
    });
    contexts.set(ctx, wrapped);
    return wrapped;
  };
  const unreleased = (state: ExactInLeapState) => state.pending.slice(state.head);
  return {
    kind: model.kind,
    initial(params, ctx) {
      return { inner: model.initial(params, outward(ctx)), pending: [], head: 0 };
    },
    onPacket(state, packet, ctx) {
      // One request per release: the count's requests at uniform times over the step from now. Their virtual
      // age is read at the mid-step a leaping receiver would act at (now + step/2 for a delivery at a boundary).
      const ageAtNs = midAtOrAfter(ctx.nowNs + 1, stepNs);
      const pending = unreleased(state);
      for (let left = packet.multiplicity; left > 0; left--) {
        const one = left > 1 ? ctx.split(packet, 1) : packet;
        const offsetNs = Math.floor(ctx.rng.uniform() * stepNs);
        one.flowCreatedNs += ctx.nowNs + offsetNs - ageAtNs;
        pending.push({ atNs: ctx.schedule(offsetNs, RELEASE), packet: one });
      }
      state.pending = pending.sort((a, b) => a.atNs - b.atNs); // stable: equal times keep their order
      state.head = 0;
    },
    onTimer(state, tag, arg, ctx) {
      if (tag !== RELEASE) {
        model.onTimer(state.inner, tag, arg, outward(ctx));
        return;
      }
      const pending = state.pending;
      while (state.head < pending.length && pending[state.head]!.atNs <= ctx.nowNs)
        model.onPacket(state.inner, pending[state.head++]!.packet, outward(ctx));
      if (state.head === pending.length) {
        state.pending = [];
        state.head = 0;
      }
    },
    onCommand(state, command, args, ctx) {
      // A crashed actor loses its timers: requests not yet released would have arrived while it is down.
      if (command === "crash") {
        for (const p of unreleased(state)) ctx.drop(p.packet, "actor_down");
        state.pending = [];
        state.head = 0;
      }
      model.onCommand?.(state.inner, command, args, outward(ctx));
    },
    onLocalCall(state, request, from, ctx) {
      if (model.onLocalCall === undefined) throw new Error(`${ctx.self.id}: the ${model.kind} takes no local calls`);
      return model.onLocalCall(state.inner, request, from, outward(ctx));
    },
    queued(state) {
      return model.queued(state.inner) + state.pending.length - state.head;
    },
  };
}

/** A kind with both leaping and exact actors: each actor runs the model its index selects, chosen at start. */
export function hybridModel(
  leap: ActorModel,
  exact: ActorModel,
  exactActors: ReadonlySet<number>,
): ActorModel<unknown, { exact: boolean; state: unknown }> {
  const pick = (s: { exact: boolean }) => (s.exact ? exact : leap);
  return {
    kind: leap.kind,
    initial(params, ctx) {
      const isExact = exactActors.has(ctx.self.index);
      return { exact: isExact, state: (isExact ? exact : leap).initial(params, ctx) };
    },
    onPacket: (s, packet, ctx) => pick(s).onPacket(s.state, packet, ctx),
    onTimer: (s, tag, arg, ctx) => pick(s).onTimer(s.state, tag, arg, ctx),
    onCommand: (s, command, args, ctx) => pick(s).onCommand?.(s.state, command, args, ctx),
    onLocalCall(s, request, from, ctx) {
      const model = pick(s);
      if (model.onLocalCall === undefined) throw new Error(`${ctx.self.id}: the ${model.kind} takes no local calls`);
      return model.onLocalCall(s.state, request, from, ctx);
    },
    queued: (s) => pick(s).queued(s.state),
  };
}
