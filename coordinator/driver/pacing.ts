/** Pacing: how a run held to a speed (simulated seconds per wall second) moves its grant horizon. */

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
