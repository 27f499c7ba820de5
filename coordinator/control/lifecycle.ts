/**
 * A controlled run's lifecycle as data: its states, the transitions between them, and which control calls are
 * legal in which state. Every check and state change of the controller goes through here.
 *
 *   waiting ──start──▶ starting ──first window──▶ running ◀──resume── paused
 *                          └──────────hold────────────┴──────hold──────▶┘
 *   any state that has not ended ──finish──▶ completed | interrupted | failed
 */
import { PreconditionError } from "../../spec/requests.ts";

export type RunState = "waiting" | "starting" | "running" | "paused" | "completed" | "interrupted" | "failed";

export type EndState = "completed" | "interrupted" | "failed";

const ENDED: readonly RunState[] = ["completed", "interrupted", "failed"];
const LIVE: readonly RunState[] = ["waiting", "starting", "running", "paused"];

/** The states each state may move to. */
export const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  waiting: ["starting", ...ENDED],
  starting: ["running", "paused", ...ENDED],
  running: ["paused", ...ENDED],
  paused: ["running", ...ENDED],
  completed: [],
  interrupted: [],
  failed: [],
};

/** The calls of the control API that depend on the state. */
export type ControlCall = "start" | "pause" | "resume" | "stop" | "injectFault" | "clearFault" | "changeLoad";

/**
 * The states in which each call is legal. Outside them a call is refused (PreconditionError: FAILED_PRECONDITION
 * on the API), except `stop`, which does nothing once the run has ended.
 */
export const LEGAL_CALLS: Readonly<Record<ControlCall, readonly RunState[]>> = {
  start: ["waiting"],
  pause: LIVE,
  resume: LIVE,
  stop: LIVE,
  injectFault: LIVE,
  clearFault: LIVE,
  changeLoad: LIVE,
};

export class Lifecycle {
  private current: RunState;

  constructor(initial: "waiting" | "starting") {
    this.current = initial;
  }

  get state(): RunState {
    return this.current;
  }

  get ended(): boolean {
    return ENDED.includes(this.current);
  }

  allows(call: ControlCall): boolean {
    return LEGAL_CALLS[call].includes(this.current);
  }

  /** Refuses `call` in the current state. */
  check(call: ControlCall): void {
    if (this.allows(call)) return;
    if (this.ended) throw new PreconditionError(`the run has ended (${this.current})`);
    throw new PreconditionError(`the run is ${this.current}, not ${LEGAL_CALLS[call].join(" or ")}`);
  }

  /** Moves to `next`; staying put is allowed, any other move not in TRANSITIONS is a bug. */
  to(next: RunState): void {
    if (next === this.current) return;
    if (!TRANSITIONS[this.current].includes(next))
      throw new Error(`run lifecycle: no transition from ${this.current} to ${next}`);
    this.current = next;
  }

  /** Moves to `next` when the transition exists (e.g. the first window moves a starting run to running). */
  advance(from: RunState, next: RunState): void {
    if (this.current === from) this.to(next);
  }
}
