/**
 * The window-report deadline: while the coordinator waits for the hosts (a window's reports, checkpoints, the
 * final reports), some host must be heard from within `ms`, or the run fails with HostFailedError naming the
 * hosts it waits for — a hung host, a lost NATS message or a broker outage then ends in a recovery from the last
 * checkpoint (checkpoint/recover.ts) instead of a run that hangs for good. Paused runs and hosts waiting at a
 * horizon owe nothing, so their silence is not counted.
 */
import { wallClock, type Clock } from "./clock.ts";

export class ReportDeadline {
  readonly ms: number;
  private readonly clock: Clock;
  private since: number;

  constructor(ms: number, clock: Clock = wallClock) {
    this.ms = ms;
    this.clock = clock;
    this.since = clock.now();
  }

  /** A host was heard from, or the hosts owe nothing now. */
  reset(): void {
    this.since = this.clock.now();
  }

  overdue(): boolean {
    return this.clock.now() - this.since > this.ms;
  }

  /** How long the driver may sleep before it looks again. */
  get tickMs(): number {
    return Math.min(1_000, this.ms);
  }
}
