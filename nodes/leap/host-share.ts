/**
 * The CPU a leaping server lends to the leaping components placed on it: leap mode's form of host-cpu.ts. Once a
 * step, by local calls (synchronous, on one host), a component asks its server whether it runs and how fast
 * (`leap_host`) and then tells it the law of its busy slots over the step (`leap_load`). The server's CPU draw is
 * the mean of its power curve over the joint law of its own busy cores and every component's busy cores, taken
 * as independent (each is the stationary law of its own queue): the exact time average when the queues are
 * independent, as with reserved cores.
 *
 * Dynamic core sharing (`core_sharing: dynamic`): the power comes from the pool of cores instead, whose busy
 * cores follow the M/M/C law (C = cores) at the total offered load (the stations' mean busy cores): its mean is
 * that total, as in exact mode, where work waits for cores rather than exceeding them (independent laws would put
 * mass above C, which the curve caps, and understate the energy). The cores are shared per step by the other
 * stations' mean use (their utilisations of the last step): a component's queue gets min(concurrency,
 * ⌊cores/cpu⌋, max(1, round(free/cpu))) slots, where free is the server's cores less the mean cores its own
 * requests and the other components hold; the server's own queue likewise gets max(1, round(cores − components'
 * mean cores)) units. A request waits as in the pool (poolStation) when that wait is the longer, else as in its
 * station's own law.
 */
import { meanWait, stateLaw, type Station } from "./queue-laws.ts";

/** A component's queue over the last step: probability of k busy slots, and the millicores a slot holds. */
export interface ComponentLoad {
  slotLaw: number[];
  millicores: number;
  /** Its arrival rate λ̂ (per ns). */
  ratePerNs: number;
}

export type LeapHostRequest = { op: "leap_host" } | ({ op: "leap_load" } & ComponentLoad);

/**
 * `freeMillicores`: the server's cores less the mean use of everything else on it; `coreMillicores`: all its
 * cores (dynamic sharing).
 */
export type LeapHostReply =
  | { ok: true; speed: number; dynamic: boolean; coreMillicores: number; freeMillicores: number; others: PoolLoad }
  | { ok: false; reason: string };

/** What stations put on a pool of cores: mean busy cores, and requests per ns weighted by the cores each needs. */
export interface PoolLoad {
  cores: number;
  coreRatePerNs: number;
}

/**
 * The pool a station's requests wait in under dynamic sharing, exact mode's one FIFO line for the cores: an
 * M/M/C queue (C = the server's cores) at the total offered load, every request counted as its cores' worth of
 * one-core requests, served at the work-weighted mean rate. Its Erlang C wait stands for the station's when it is
 * the longer of the two (the cores, not the station's own slots, are what requests wait for); null otherwise, or
 * when the pool is overloaded (the station's own law applies then).
 */
export function poolStation(own: Station, ownCores: number, others: PoolLoad, coreCount: number): Station | null {
  const offered = (own.lambda / own.mu) * ownCores + others.cores;
  const rate = own.lambda * ownCores + others.coreRatePerNs;
  if (!(offered > 0) || offered >= coreCount) return null;
  const pool = { c: coreCount, lambda: rate, mu: rate / offered, cs2: own.cs2, room: Number.POSITIVE_INFINITY };
  return meanWait(pool) > meanWait(own) ? pool : null;
}

/** Loads by component actor index (a plain record, so state snapshots stay plain data). */
export type ComponentLoads = Record<number, ComponentLoad>;

export function meanBusy(law: readonly number[]): number {
  let mean = 0;
  law.forEach((p, k) => (mean += p * k));
  return mean;
}

/** The pool load of the components other than `except`. */
export function componentsPoolLoad(loads: ComponentLoads, except = -1): PoolLoad {
  let coreRatePerNs = 0;
  for (const key of Object.keys(loads)) {
    if (Number(key) === except) continue;
    const load = loads[Number(key)]!;
    coreRatePerNs += (load.ratePerNs * load.millicores) / 1000;
  }
  return { cores: componentsMeanMillicores(loads, except) / 1000, coreRatePerNs };
}

/** Mean millicores the components other than `except` hold. */
export function componentsMeanMillicores(loads: ComponentLoads, except = -1): number {
  let total = 0;
  for (const key of Object.keys(loads)) {
    if (Number(key) === except) continue;
    const load = loads[Number(key)]!;
    total += meanBusy(load.slotLaw) * load.millicores;
  }
  return total;
}

/** Law of the millicores all components hold together (independent queues): millicores → probability. */
export function componentMillicoreLaw(loads: ComponentLoads): Map<number, number> {
  let law = new Map<number, number>([[0, 1]]);
  for (const key of Object.keys(loads)) {
    const load = loads[Number(key)]!;
    const next = new Map<number, number>();
    for (const [m, p] of law)
      load.slotLaw.forEach((q, k) => {
        if (q === 0) return;
        const total = m + k * load.millicores;
        next.set(total, (next.get(total) ?? 0) + p * q);
      });
    law = next;
  }
  return law;
}

/** Law of the busy cores of a pool of `cores` at `offeredCores` mean demand: min(n, C) under M/M/C; all busy at or above C. */
export function poolLaw(cores: number, offeredCores: number): number[] {
  if (offeredCores >= cores) return new Array<number>(cores).fill(0).concat(1);
  const law = stateLaw({ c: cores, lambda: offeredCores, mu: 1, cs2: 1, room: Number.POSITIVE_INFINITY });
  const busy = law.slice(0, cores);
  busy.push(Math.max(0, 1 - busy.reduce((a, b) => a + b, 0)));
  return busy;
}

/** Units a station gets under dynamic sharing: `need` millicores each, at most `limit`, from `free` on average. */
export function sharedUnits(limit: number, coreMillicores: number, need: number, free: number): number {
  return Math.min(limit, Math.max(1, Math.floor(coreMillicores / need)), Math.max(1, Math.round(free / need)));
}
