/**
 * The energy of work a server loses (`account_lost_work: true`): the CPU and GPU power the work in service adds,
 * P(busy) − P(idle) with the mode and P-state as they are, is shared among the requests in service in equal
 * shares. With software components' work on the same cores (host-cpu.ts leases), the CPU part is shared in
 * proportion to the cores each holds (a request of the server's own holds one core), so the charges add up to the
 * draw the work adds, never more (server-work.ts). The draw only changes at the server's events, so
 * charging at the start of each event what the shares were since the last one is exact. When the server loses
 * requests in service (off, failure), it records what they were charged as `wasted_energy_uj` and their core
 * time as `lost_core_ns`: energy spent on work that has to be done again (clients that retry, docs/summary.md).
 */
import type { ActorContext } from "../runtime/actor.ts";

/** A piece of work in service: what it has been charged so far. */
export interface Charged {
  energyJ: number;
}

export interface LostWork {
  lastNs: number;
  /** Watts each request in service is charged now. */
  wattsEach: number;
  /** Watts each core held by components' work (host-cpu.ts leases) is charged now. */
  wattsPerLeaseCore: number;
}

export function newLostWork(): LostWork {
  return { lastNs: 0, wattsEach: 0, wattsPerLeaseCore: 0 };
}

/**
 * Charges the requests in service, and the components' leases, for the time since the last event (call at the
 * start of every event).
 */
export function chargeWork(
  lost: LostWork,
  inService: readonly Charged[],
  leases: Readonly<Record<string, Charged & { millicores: number }>>,
  nowNs: number,
): void {
  const dtS = (nowNs - lost.lastNs) * 1e-9;
  lost.lastNs = nowNs;
  if (dtS <= 0) return;
  if (lost.wattsEach !== 0) for (const work of inService) work.energyJ += lost.wattsEach * dtS;
  if (lost.wattsPerLeaseCore !== 0)
    for (const lease of Object.values(leases))
      lease.energyJ += ((lost.wattsPerLeaseCore * lease.millicores) / 1000) * dtS;
}

/**
 * From now on the requests in service add `dynamicW` together, and each core components' work holds adds
 * `perLeaseCoreW` (call whenever the draw is set).
 */
export function shareDraw(lost: LostWork, dynamicW: number, inService: number, perLeaseCoreW = 0): void {
  lost.wattsEach = inService > 0 ? dynamicW / inService : 0;
  lost.wattsPerLeaseCore = perLeaseCoreW;
}

/** Records work lost in service: its energy (µJ) and the core time (ns) it had (a server's or a component's). */
export function recordLost(work: Charged, coreNs: number, ctx: ActorContext): void {
  ctx.record("wasted_energy_uj", Math.round(work.energyJ * 1e6));
  ctx.record("lost_core_ns", Math.round(coreNs));
}
