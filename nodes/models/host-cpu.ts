/**
 * The CPU a server lends to the software components placed on it, and the local-call protocol between them
 * (ActorContext.localCall: synchronous, no simulated time, always on one host).
 *
 * A component asks its server for `millicores` when a request starts service and gives them back when it ends.
 * The server adds the cores in use by components to its own busy cores when it computes utilisation, so its
 * CPU power (and energy) include the components' work exactly. Cores are counted in integer millicores, so sums
 * are exact. A component's cores are reserved at placement time (scenario/component-placement.ts checks that
 * the reservations on a server fit its cores), so the server never refuses for lack of cores; the server's own
 * requests (kind `server` traffic) share the same cores and utilisation is capped at 1 if both oversubscribe.
 *
 * Refusals: an off, failed or booting server refuses to start work (the component drops the request with the
 * reason). When the server goes off or fails it forgets the components' cores and bumps its `epoch`: a component
 * whose work started in an earlier epoch learns at release that the work was lost, and drops the request then.
 */

export interface HostCpu {
  /** Millicores in use by components right now. */
  millicores: number;
  /** Bumped whenever the server loses what it runs (off, failed). */
  epoch: number;
  /** Why the last epoch ended ("server_off", "server_failed"). */
  lostReason: string;
}

export type HostCpuRequest =
  | { op: "acquire"; millicores: number }
  | { op: "release"; millicores: number; epoch: number };

/** `speed`: the server's current speed relative to full speed (throttling, P-states); service takes work / speed. */
export type HostCpuReply = { ok: true; epoch: number; speed: number } | { ok: false; reason: string };

export function newHostCpu(): HostCpu {
  return { millicores: 0, epoch: 0, lostReason: "" };
}

/** The server lost everything it held: components' work in progress is gone. */
export function loseComponentWork(cpu: HostCpu, reason: string): void {
  cpu.millicores = 0;
  cpu.epoch++;
  cpu.lostReason = reason;
}

/** CPU utilisation of a server with `ownBusyCores` busy on its own requests, out of `cores` (capped at 1). */
export function cpuUtilisation(cpu: HostCpu, ownBusyCores: number, cores: number): number {
  return Math.min(1, (ownBusyCores * 1000 + cpu.millicores) / (cores * 1000));
}

/**
 * Answers a component's request. `refusal` is the drop reason when the server cannot run work now (null when it
 * can); `speed` its current speed.
 */
export function answerHostCpu(cpu: HostCpu, request: unknown, refusal: string | null, speed: number): HostCpuReply {
  const r = request as HostCpuRequest;
  if (r.op === "acquire") {
    if (refusal !== null) return { ok: false, reason: refusal };
    cpu.millicores += r.millicores;
    return { ok: true, epoch: cpu.epoch, speed };
  }
  if (r.op === "release") {
    if (r.epoch !== cpu.epoch) return { ok: false, reason: cpu.lostReason };
    cpu.millicores -= r.millicores;
    return { ok: true, epoch: cpu.epoch, speed };
  }
  throw new Error(`unknown host CPU request ${JSON.stringify(request)}`);
}
