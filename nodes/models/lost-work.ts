/**
 * The energy of work a server loses (`account_lost_work: true`): every request in service is charged the CPU and
 * GPU power its own work adds, P(busy) − P(busy = 0) with everything else (components' cores, mode, P-state)
 * as it is, in equal shares among the requests in service. The draw only changes at the server's events, so
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
}

export function newLostWork(): LostWork {
  return { lastNs: 0, wattsEach: 0 };
}

/** Charges the requests in service for the time since the last event (call at the start of every event). */
export function chargeWork(lost: LostWork, inService: readonly Charged[], nowNs: number): void {
  const dtS = (nowNs - lost.lastNs) * 1e-9;
  lost.lastNs = nowNs;
  if (dtS <= 0 || lost.wattsEach === 0) return;
  for (const work of inService) work.energyJ += lost.wattsEach * dtS;
}

/** From now on the requests in service add `dynamicW` together (call whenever the draw is set). */
export function shareDraw(lost: LostWork, dynamicW: number, inService: number): void {
  lost.wattsEach = inService > 0 ? dynamicW / inService : 0;
}

/** Records a request lost in service: its energy (µJ) and the core time (ns) it had. */
export function recordLost(work: Charged, coreNs: number, ctx: ActorContext): void {
  ctx.record("wasted_energy_uj", Math.round(work.energyJ * 1e6));
  ctx.record("lost_core_ns", Math.round(coreNs));
}
