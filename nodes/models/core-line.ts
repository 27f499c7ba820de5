/**
 * Dynamic core sharing (`core_sharing: dynamic`, host-cpu.ts): the server's own requests and the work of the
 * components placed on it take cores from one pool, in one FIFO line. A request of the server's own needs a whole
 * core (none when it is served on the GPUs); a component's request needs its `cpu`. Work starts at once only when
 * nothing waits before it and its cores are free; otherwise it waits, and every time cores free up the line is
 * served in order of arrival (the server's own request first on a tie) for as long as its head fits.
 *
 * A component learns of its grant by a local call from the server. A core freed inside a component's own call
 * (its release) is granted in a timer of the server's at the same instant, so the server never calls a component
 * back from within that component's call.
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { dequeue, waitingCount } from "./request-queue.ts";
import { grantLease, leaseKey, ownHostCpu, type ComponentCpuCall, type CoreAdmission } from "./host-cpu.ts";
import { onGpus } from "./server-power.ts";
import type { ServerState } from "./server-state.ts";

/** The server's timer tag of a grant round. */
export const GRANT_CORES = 5;

export function sharesCoresDynamically(state: ServerState): boolean {
  return state.params.core_sharing === "dynamic";
}

/** Millicores one request of the server's own holds. */
function ownMillicores(state: ServerState): number {
  return onGpus(state.params) ? 0 : 1000;
}

function freeMillicores(state: ServerState): number {
  return state.params.cores * 1000 - (onGpus(state.params) ? 0 : state.busy * 1000) - state.cpu.millicores;
}

/** Whether anything waits for cores (the server's own requests count only when they need cores). */
function lineEmpty(state: ServerState): boolean {
  return state.cpu.waiting.length === 0 && (ownMillicores(state) === 0 || waitingCount(state.queue) === 0);
}

/** Whether work of `millicores` may start now. */
function mayStart(state: ServerState, millicores: number): boolean {
  return !sharesCoresDynamically(state) || (lineEmpty(state) && freeMillicores(state) >= millicores);
}

/** Whether a request of the server's own may take the free unit now (always with reserved cores or on GPUs). */
export function ownMayStart(state: ServerState): boolean {
  return ownMillicores(state) === 0 || mayStart(state, ownMillicores(state));
}

export function admission(state: ServerState): CoreAdmission {
  return { canStart: (millicores) => mayStart(state, millicores) };
}

/** Cores were released inside a component's call: a grant round at this instant, in a timer of the server's. */
export function scheduleGrants(state: ServerState, ctx: ActorContext): void {
  if (!sharesCoresDynamically(state) || lineEmpty(state) || state.cpu.grantScheduled) return;
  ownHostCpu(state).grantScheduled = true;
  ctx.schedule(0, GRANT_CORES);
}

/**
 * Serves the line while its head fits; `startOwn` starts one of the server's own requests on a free unit. Call in
 * the server's own events only. Returns whether anything started (the draw changed).
 */
export function grantCores(
  state: ServerState,
  startOwn: (request: { packet: SimPacket; arrivedNs: number }) => void,
  ctx: ActorContext,
): boolean {
  if (state.cpu.grantScheduled) state.cpu.grantScheduled = false; // never set on the shared idle one
  if (!sharesCoresDynamically(state)) return false;
  let started = false;
  for (;;) {
    const lease = state.cpu.waiting[0];
    const own =
      ownMillicores(state) > 0 && waitingCount(state.queue) > 0 ? state.queue.arrivedNs[state.queue.head]! : null;
    if (lease === undefined && own === null) return started;
    const ownFirst = own !== null && (lease === undefined || own <= lease.sinceNs);
    const need = ownFirst ? ownMillicores(state) : lease!.millicores;
    if (freeMillicores(state) < need) return started;
    if (ownFirst) {
      startOwn(dequeue(state.queue)!);
      started = true;
      continue;
    }
    grantLease(state.cpu, lease!.component, lease!.slot, lease!.millicores, ctx.nowNs);
    const call: ComponentCpuCall = { op: "granted", slot: lease!.slot, epoch: state.cpu.epoch, speed: state.speed };
    if (ctx.localCall(lease!.component, call) === null) {
      // The component is not running (paused): its work keeps its place; the next release retries.
      state.cpu.millicores -= lease!.millicores;
      delete state.cpu.leases[leaseKey(lease!.component, lease!.slot)];
      return started;
    }
    state.cpu.waiting.shift();
    started = true;
  }
}

/** The server lost its components' waiting work (off, failure): each component hears it at once. */
export function tellLost(
  waited: readonly { component: number; slot: number }[],
  reason: string,
  ctx: ActorContext,
): void {
  for (const w of waited) {
    const call: ComponentCpuCall = { op: "lost", slot: w.slot, reason };
    ctx.localCall(w.component, call);
  }
}
