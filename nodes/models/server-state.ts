/**
 * The state a server keeps (server.ts describes the model): its mode, speed, the cores (or GPUs) and what they
 * serve, the waiting line, and what it lends to components.
 */
import type { SimPacket } from "../runtime/packet.ts";
import type { CallState } from "./downstream-calls.ts";
import type { HostCpu } from "./host-cpu.ts";
import type { LostWork } from "./lost-work.ts";
import type { PsSet } from "./processor-sharing.ts";
import { waitingCount, type RequestQueue } from "./request-queue.ts";
import type { ServerLimits } from "./server-limits.ts";
import type { ServerMode, ServerParams } from "./server-params.ts";

/** One core (or GPU). Work is kept in full-speed nanoseconds so a speed change mid-service rescales the rest. */
export interface Unit {
  request: SimPacket | null;
  arrivedNs: number;
  startedNs: number;
  lastNs: number;
  remainingWorkNs: number;
  doneNs: number;
  /** Energy charged to the request in service (lost-work.ts). */
  energyJ: number;
}

export interface ServerState {
  params: ServerParams;
  mode: ServerMode;
  pstate: number;
  /** Current speed relative to full speed. */
  speed: number;
  /** Requests waiting for a free core. */
  queue: RequestQueue;
  units: Unit[];
  /** Requests in service (with processor sharing: every request held, all in `ps`). */
  busy: number;
  ps: PsSet;
  /** Bumped whenever a boot starts or is cut short, so a stale boot timer is ignored. */
  bootEpoch: number;
  calls: CallState;
  /** Cores used by the software components placed on this server (host-cpu.ts). */
  cpu: HostCpu;
  /** Inlet-temperature limit and power cap (server-limits.ts). */
  limits: ServerLimits;
  /** Energy charged to the work in service, with `account_lost_work` (lost-work.ts). */
  lostWork: LostWork | null;
  /** The state last set as a level (`state:<name>` is 1 while in it; "" before the first): server-levels.ts. */
  levelState: string;
  /** The utilisation_ppm, waiting and held levels last set (-1 before the first): server-levels.ts. */
  levelsSet: [utilisationPpm: number, waiting: number, held: number];
}

export const SERVICE_DONE = 1;
export const BOOT_DONE = 2;
export const SHUTDOWN_DONE = 3;

export const DROP_REASON: Partial<Record<ServerMode, string>> = {
  off: "server_off",
  failed: "server_failed",
  booting: "server_booting",
  shutting_down: "server_shutting_down",
};

/** Requests held: waiting, in service, and waiting for downstream responses (the queue length of queueing theory). */
export function serverQueued(state: ServerState): number {
  return waitingCount(state.queue) + state.busy + state.calls.waiting;
}
