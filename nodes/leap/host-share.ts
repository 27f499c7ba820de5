/**
 * The CPU a leaping server lends to the leaping components placed on it: leap mode's form of host-cpu.ts. Once a
 * step, by local calls (synchronous, on one host), a component asks its server whether it runs and how fast
 * (`leap_host`) and then tells it the law of its busy slots over the step (`leap_load`). The server's CPU draw is
 * the mean of its power curve over the joint law of its own busy cores and every component's busy cores, taken
 * as independent (each is the stationary law of its own queue): the exact time average when the queues are
 * independent, as with reserved cores.
 *
 * Dynamic core sharing (`core_sharing: dynamic`): the power comes from the pool of cores instead, whose busy cores
 * follow the M/M/C law (C = cores) at the total offered load (the stations' mean busy cores): its mean is that
 * total, as in exact mode, where work waits for cores rather than exceeding them (independent laws would put
 * mass above C, which the curve caps, and understate the energy). The cores are shared per step by the other stations' mean use
 * (their utilisations of the last step). A component's queue gets min(concurrency, ⌊cores/cpu⌋,
 * max(1, round(free/cpu))) slots, where free is the server's cores less the mean cores its own requests and the
 * other components hold; the server's own queue likewise gets max(1, round(cores − components' mean cores)) units.
 * Exact for a component alone on its server (or the server alone); with several stations busy, one station's
 * waits follow the others' mean use, not its fluctuations (the one FIFO line of exact mode is not modelled),
 * which understates waits when the others' use is bursty.
 */
import { stateLaw } from "./queue-laws.ts";

/** A component's queue over the last step: probability of k busy slots, and the millicores a slot holds. */
export interface ComponentLoad {
  slotLaw: number[];
  millicores: number;
}

export type LeapHostRequest = { op: "leap_host" } | ({ op: "leap_load" } & ComponentLoad);

/**
 * `freeMillicores`: the server's cores less the mean use of everything else on it; `coreMillicores`: all its
 * cores (dynamic sharing).
 */
export type LeapHostReply =
  | { ok: true; speed: number; dynamic: boolean; coreMillicores: number; freeMillicores: number }
  | { ok: false; reason: string };

/** Loads by component actor index (a plain record, so state snapshots stay plain data). */
export type ComponentLoads = Record<number, ComponentLoad>;

export function meanBusy(law: readonly number[]): number {
  let mean = 0;
  law.forEach((p, k) => (mean += p * k));
  return mean;
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
