/** Pacing: how a run held to a speed (simulated seconds per wall second) moves its grant horizon. */
import type { Clock } from "./clock.ts";

/** How often a paced run moves its horizon. */
export const PACE_TICK_MS = 10;
/**
 * The simulated time due after `elapsedMs` of wall time at `speed`, on the pace tick. A due time that followed the
 * wall clock continuously would have moved by the time the grant loop looked again, so the loop would grant a
 * sliver per turn without ever yielding to I/O (no reports read, no scrapes served) until it reached the horizon's
 * cap, one to two intervals ahead: every report then arrived in one burst. On the tick, it grants once per tick.
 */
export function pacedDueNs(elapsedMs: number, speed: number): number {
  return Math.floor(elapsedMs / PACE_TICK_MS) * PACE_TICK_MS * 1e6 * speed;
}

/**
 * The pace of one run on a clock: the simulated time due now. Time spent paused does not count (the origin moves
 * forward by it), so a resumed run keeps its pace instead of racing to catch up.
 */
export class Pacer {
  readonly speed: number;
  private readonly clock: Clock;
  private originMs: number;
  private pausedSinceMs: number | undefined;

  constructor(clock: Clock, speed: number) {
    this.clock = clock;
    this.speed = speed;
    this.originMs = clock.now();
  }

  /** The run holds (idempotent): its pace stops counting. */
  hold(): void {
    this.pausedSinceMs ??= this.clock.now();
  }

  /** The run goes (idempotent): the time held is taken off. */
  go(): void {
    if (this.pausedSinceMs !== undefined) this.originMs += this.clock.now() - this.pausedSinceMs;
    this.pausedSinceMs = undefined;
  }

  /** Simulated time due by now (as of the last `hold`, while held). */
  dueNs(): number {
    return pacedDueNs((this.pausedSinceMs ?? this.clock.now()) - this.originMs, this.speed);
  }
}
