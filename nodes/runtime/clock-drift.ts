/**
 * Clock drift of one actor, a runtime command like crash and pause: the actor's own clock runs at
 * 1 + ppm·10⁻⁶ of simulated time, so every delay it times itself (service, think and compute times, inter-arrival
 * gaps, timeouts) lasts delay / rate. Timestamps stay on the simulated clock: what the twin measures is measured
 * by an observer with a true clock. `{ppm: 0}` ends the drift.
 *
 * Known approximation: a server whose speed changes (P-state, throttle) while its clock drifts counts the work
 * already done at the speed alone, so the rest of a request in service is off by the drift over the part served.
 */
export const CLOCK_DRIFT_COMMAND = "set_clock_drift";

/** Drift bounds: a clock may run at most twice as fast, and must keep running. */
export const MAX_DRIFT_PPM = 1e6;

/** The problem with a drift in ppm, or null. */
export function driftProblem(ppm: unknown): string | null {
  if (typeof ppm !== "number" || !Number.isFinite(ppm))
    return "expected a drift in ppm (parts per million), e.g. 50 or -20";
  if (!(ppm > -MAX_DRIFT_PPM && ppm <= MAX_DRIFT_PPM))
    return `expected a drift above ${-MAX_DRIFT_PPM} ppm and at most ${MAX_DRIFT_PPM} ppm`;
  return null;
}

/** Clock rate from the command's arguments `{ppm}` (checked by the coordinator; checked again here). */
export function clockRate(args: unknown): number {
  const ppm = (args as { ppm?: unknown } | null)?.ppm;
  const problem = driftProblem(ppm);
  if (problem !== null) throw new Error(`${CLOCK_DRIFT_COMMAND}: ${problem}`);
  return 1 + (ppm as number) * 1e-6;
}
