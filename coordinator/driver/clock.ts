/**
 * The coordinator's clock: the only way the run driver, its pacing and report deadline, and the controller read
 * wall time or wait for it. Production uses `wallClock`; tests pass a `SimClock` (sim-clock.ts), whose time moves
 * only when the test says, so pacing, pauses and deadlines are tested without waiting and whatever the machine.
 */

export interface TimerHandle {
  /** Opaque: only `Clock.clearTimer` reads it. */
  readonly id: unknown;
}

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number;
  /** Calls `fn` once `ms` have passed on this clock. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
}

/** The machine's monotonic clock and Node's timers. */
export const wallClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => ({ id: setTimeout(fn, ms) }),
  clearTimer: (handle) => clearTimeout(handle?.id as NodeJS.Timeout | undefined),
};

/** Resolves after `ms` on `clock`, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clock.clearTimer(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = clock.setTimer(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Calls `fn` every `ms` until the returned function is called. */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    fn();
    timer = clock.setTimer(tick, ms);
  };
  timer = clock.setTimer(tick, ms);
  return () => {
    stopped = true;
    clock.clearTimer(timer);
  };
}
