/**
 * The levels behind a server's per-server time series (results tables, metrics): utilisation in parts per million,
 * requests waiting, requests held (waiting, in service, awaiting downstream) and the state it is in.
 */
import type { ActorContext } from "../runtime/actor.ts";
import type { ServerState } from "./server-state.ts";
import { cpuUtilisation } from "./host-cpu.ts";
import { waitingCount } from "./request-queue.ts";
import { onGpus, slowed } from "./server-power.ts";
import { levelId } from "../runtime/names.ts";

// Handles of the levels set after every event (names.ts).
const UTILISATION = levelId("utilisation_ppm");
const WAITING = levelId("waiting");
const HELD = levelId("held");

/** The fraction of the serving units (cores, or GPUs when requests run on them) in use; 0 unless running. */
function utilisation(state: ServerState): number {
  if (state.mode !== "on" && state.mode !== "throttled") return 0;
  return onGpus(state.params)
    ? state.busy / state.params.gpus!.count
    : cpuUtilisation(state.cpu.millicores, state.busy, state.params.cores);
}

/** The state a per-server time series shows: the mode, with "throttled" also while a limit slows the server. */
function stateName(state: ServerState): string {
  return state.mode === "on" && slowed(state) ? "throttled" : state.mode;
}

/** Sets the levels after every change; `held` is the server's own count of requests it holds. */
export function trackLevels(state: ServerState, held: number, ctx: ActorContext): void {
  // Called after every event of the server, where most events change one level at most: a level is set only
  // when it differs from the value set last (the meter ignores an equal value anyway), which skips the meter's
  // lookup by name on the hot path. `levelsSet` mirrors the meter's values, so it is exact.
  const set = state.levelsSet;
  const ppm = Math.round(utilisation(state) * 1e6);
  if (ppm !== set[0]) ctx.setLevelId(UTILISATION, (set[0] = ppm));
  const waiting = waitingCount(state.queue);
  if (waiting !== set[1]) ctx.setLevelId(WAITING, (set[1] = waiting));
  if (held !== set[2]) ctx.setLevelId(HELD, (set[2] = held));
  const name = stateName(state);
  if (name === state.levelState) return;
  if (state.levelState !== "") ctx.setLevel(`state:${state.levelState}`, 0);
  ctx.setLevel(`state:${name}`, 1);
  state.levelState = name;
}
