/**
 * How the run driver sleeps: until a message arrives, a command is submitted, the run resumes or is stopped, its
 * clock says so (a pace tick, the report deadline), or a host failed — then it looks again. The first failure
 * given to `fail` is thrown from the next wait.
 */
import type { Clock, TimerHandle } from "./clock.ts";

export class Waker {
  private readonly clock: Clock;
  private readonly signal: AbortSignal | undefined;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(clock: Clock, signal?: AbortSignal) {
    this.clock = clock;
    this.signal = signal;
  }

  /** Whether the driver sleeps now. */
  get sleeping(): boolean {
    return this.wake !== undefined;
  }

  /** Wakes the driver if it sleeps. */
  poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Ends the run with this error (the first one given wins). */
  fail(error: Error): void {
    this.failure ??= error;
    this.poke();
  }

  /** Waits for news (or `timeoutMs` on the clock); rejects if a host failed. */
  async news(timeoutMs?: number): Promise<void> {
    this.throwFailure();
    const signal = this.signal;
    let timer: TimerHandle | undefined;
    let onAbort: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      if (timeoutMs !== undefined) timer = this.clock.setTimer(resolve, timeoutMs);
      if (signal !== undefined && !signal.aborted)
        signal.addEventListener("abort", (onAbort = () => resolve()), { once: true });
    });
    this.clock.clearTimer(timer);
    if (onAbort !== undefined) signal!.removeEventListener("abort", onAbort);
    this.wake = undefined;
    this.throwFailure();
  }

  /** Waits until `condition` holds, re-checking on every poke; rejects if a host failed. */
  async until(condition: () => boolean): Promise<void> {
    for (;;) {
      this.throwFailure();
      if (condition()) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Waits until `condition` holds (re-checked on every poke) or `timeoutMs` passed, whether or not the run failed. */
  async settle(condition: () => boolean, timeoutMs: number): Promise<void> {
    let expired = false;
    const timer = this.clock.setTimer(() => {
      expired = true;
      this.poke();
    }, timeoutMs);
    while (!expired && !condition()) await new Promise<void>((resolve) => (this.wake = resolve));
    this.clock.clearTimer(timer);
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
