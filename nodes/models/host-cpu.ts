/**
 * The CPU a server lends to the software components placed on it, and the local-call protocol between them
 * (ActorContext.localCall: synchronous, no simulated time, always on one host).
 *
 * A component asks its server for `millicores` when a request starts service and gives them back when it ends.
 * The server adds the cores in use by components to its own busy cores when it computes utilisation, so its
 * CPU power (and energy) include the components' work exactly. Cores are counted in integer millicores, so sums
 * are exact. Two ways to share them (the server's `core_sharing`):
 *
 * - `reserved` (the default): a component's cores are reserved at placement time (scenario/component-placement.ts
 *   checks that the reservations on a server fit its cores), so the server never refuses for lack of cores; the
 *   server's own requests share the same cores and utilisation is capped at 1 if both oversubscribe.
 * - `dynamic`: nothing is reserved; a component's request takes its cores when they are free. When they are not
 *   (other components' work or the server's own requests hold them), it waits in one FIFO line with the server's
 *   own waiting requests, and the server grants it the cores later (core-line.ts), telling the component by a
 *   local call of its own (`granted`). Utilisation never exceeds 1.
 *
 * Refusals: an off, failed or booting server refuses to start work (the component drops the request with the
 * reason). When the server goes off or fails it forgets the components' cores and bumps its `epoch`: a component
 * whose work started in an earlier epoch learns at release that the work was lost, and drops the request then;
 * work still waiting for cores is lost at once (a `lost` call to its component).
 *
 * With the server's `account_lost_work`, each piece of component work in service (a lease, by component and slot)
 * is charged its share of the draw like the server's own requests (lost-work.ts); a release returns the charge, so
 * the component records what a failure or a crash wasted.
 */
import type { Charged } from "./lost-work.ts";

/** Component work holding cores now. */
export interface Lease extends Charged {
  millicores: number;
  startedNs: number;
}

/** Component work waiting for cores (dynamic sharing). */
export interface WaitingLease {
  component: number;
  slot: number;
  millicores: number;
  sinceNs: number;
}

export interface HostCpu {
  /** Millicores in use by components right now. */
  millicores: number;
  /** Bumped whenever the server loses what it runs (off, failed). */
  epoch: number;
  /** Why the last epoch ended ("server_off", "server_failed"). */
  lostReason: string;
  /** Work in service by lease key (component:slot), for requests that name their slot. */
  leases: Record<string, Lease>;
  /** What leases lost to the server's failure had been charged, until their component releases them. */
  lost: Record<string, { energyJ: number; coreNs: number }>;
  /** Dynamic sharing: component work waiting for cores, in the order it asked. */
  waiting: WaitingLease[];
  /** Dynamic sharing: a grant round is scheduled (core-line.ts). */
  grantScheduled: boolean;
}

export type HostCpuRequest =
  | { op: "acquire"; millicores: number; slot?: number }
  | { op: "release"; millicores: number; epoch: number; slot?: number }
  | { op: "cancel"; slot: number };

/** What a released lease had: its charged energy and core time (when the server accounts lost work). */
export interface LeaseCharge {
  energyJ: number;
  coreNs: number;
}

/**
 * `speed`: the server's current speed relative to full speed (throttling, P-states); service takes work / speed.
 * `waiting`: the work waits for cores (dynamic sharing); the server calls `granted` later. `charge`: on release,
 * what the work had been charged (only with `account_lost_work`).
 */
export type HostCpuReply =
  | { ok: true; epoch: number; speed: number; waiting?: true; charge?: LeaseCharge }
  | { ok: false; reason: string; charge?: LeaseCharge };

/** The server's calls to a component (dynamic sharing): its waiting work got its cores, or was lost. */
export type ComponentCpuCall =
  | { op: "granted"; slot: number; epoch: number; speed: number }
  | { op: "lost"; slot: number; reason: string };

export function newHostCpu(): HostCpu {
  return { millicores: 0, epoch: 0, lostReason: "", leases: {}, lost: {}, waiting: [], grantScheduled: false };
}

/**
 * The host CPU of every server before a component first asks it for cores or it first loses power: most servers
 * run no component, so they share this one (frozen: a change without `ownHostCpu` fails loudly).
 */
const IDLE_HOST_CPU: HostCpu = Object.freeze({
  ...newHostCpu(),
  leases: Object.freeze({}),
  lost: Object.freeze({}),
  waiting: Object.freeze([]) as unknown as WaitingLease[],
}) as HostCpu;

/** The shared host CPU of a server nothing has changed yet. */
export function idleHostCpu(): HostCpu {
  return IDLE_HOST_CPU;
}

/** The server's own host CPU, to change: made from the idle one the first time. */
export function ownHostCpu(server: { cpu: HostCpu }): HostCpu {
  if (server.cpu === IDLE_HOST_CPU) server.cpu = newHostCpu();
  return server.cpu;
}

export function leaseKey(component: number, slot: number): string {
  return `${component}:${slot}`;
}

/** The server lost everything it held: components' work in progress is gone. Returns the work that waited. */
export function loseComponentWork(cpu: HostCpu, reason: string, nowNs: number): WaitingLease[] {
  for (const [key, lease] of Object.entries(cpu.leases))
    cpu.lost[key] = { energyJ: lease.energyJ, coreNs: ((nowNs - lease.startedNs) * lease.millicores) / 1000 };
  cpu.leases = {};
  cpu.millicores = 0;
  cpu.epoch++;
  cpu.lostReason = reason;
  const waited = cpu.waiting;
  cpu.waiting = [];
  return waited;
}

/** CPU utilisation of a server with `ownBusyCores` busy on its own requests, out of `cores` (capped at 1). */
export function cpuUtilisation(componentMillicores: number, ownBusyCores: number, cores: number): number {
  return Math.min(1, (ownBusyCores * 1000 + componentMillicores) / (cores * 1000));
}

/** Gives `component`'s work its cores now. */
export function grantLease(cpu: HostCpu, component: number, slot: number, millicores: number, nowNs: number): void {
  cpu.millicores += millicores;
  cpu.leases[leaseKey(component, slot)] = { millicores, startedNs: nowNs, energyJ: 0 };
}

/** What the server decides about an acquire: start now, or wait (dynamic sharing). */
export interface CoreAdmission {
  /** Whether `millicores` can start now (always true with reserved cores). */
  canStart(millicores: number): boolean;
}

/**
 * Answers a component's request from `from`. `refusal` is the drop reason when the server cannot run work now
 * (null when it can); `speed` its current speed; `admission` says whether work may start now.
 */
export function answerHostCpu(
  cpu: HostCpu,
  request: unknown,
  from: number,
  nowNs: number,
  refusal: string | null,
  speed: number,
  admission: CoreAdmission,
): HostCpuReply {
  const r = request as HostCpuRequest;
  if (r.op === "acquire") {
    if (refusal !== null) return { ok: false, reason: refusal };
    if (r.slot === undefined) {
      cpu.millicores += r.millicores;
      return { ok: true, epoch: cpu.epoch, speed };
    }
    if (!admission.canStart(r.millicores)) {
      cpu.waiting.push({ component: from, slot: r.slot, millicores: r.millicores, sinceNs: nowNs });
      return { ok: true, epoch: cpu.epoch, speed, waiting: true };
    }
    grantLease(cpu, from, r.slot, r.millicores, nowNs);
    return { ok: true, epoch: cpu.epoch, speed };
  }
  if (r.op === "release") {
    const key = r.slot === undefined ? null : leaseKey(from, r.slot);
    if (r.epoch !== cpu.epoch) {
      const charge = key === null ? undefined : cpu.lost[key];
      if (key !== null) delete cpu.lost[key];
      return charge === undefined
        ? { ok: false, reason: cpu.lostReason }
        : { ok: false, reason: cpu.lostReason, charge };
    }
    cpu.millicores -= r.millicores;
    const lease = key === null ? undefined : cpu.leases[key];
    if (key === null || lease === undefined) return { ok: true, epoch: cpu.epoch, speed };
    delete cpu.leases[key];
    const coreNs = ((nowNs - lease.startedNs) * lease.millicores) / 1000;
    return { ok: true, epoch: cpu.epoch, speed, charge: { energyJ: lease.energyJ, coreNs } };
  }
  if (r.op === "cancel") {
    cpu.waiting = cpu.waiting.filter((w) => w.component !== from || w.slot !== r.slot);
    return { ok: true, epoch: cpu.epoch, speed };
  }
  throw new Error(`unknown host CPU request ${JSON.stringify(request)}`);
}
