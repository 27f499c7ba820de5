/**
 * A failed run's wait for the hosts' last bundles (the full reports each host still held when told the run stops:
 * nodes/runtime/report-bundler.ts), so its partial outcome has every window the hosts finished. It waits only for
 * hosts that can still answer: a host whose last bundle came in is done, and a host known to be gone (its process
 * exited, it missed the report deadline, the coordinator lost NATS: HostLostError) never answers, so it is not
 * waited for. A host neither answered nor known lost is waited for at most LAST_REPORTS_WAIT_MS.
 */
import type { Clock, TimerHandle } from "./clock.ts";
import type { Waker } from "./waker.ts";

/** The longest a failed run waits for a host that can still answer (hosts answer RunStop between windows). */
export const LAST_REPORTS_WAIT_MS = 2_000;

/** How the wait ended: every host answered; every host that did not is known lost; or the time limit passed. */
export type LastReportsEnd = "answered" | "lost" | "time-limit";

/** What a failed run's outcome says of its hosts' last bundles (run-info.json `last_reports`). */
export interface LastReportsRecord {
  /** Hosts whose last bundle came in. */
  answered: number[];
  /** Hosts known gone that did not answer: not waited for. */
  lost: number[];
  /** Hosts waited for until the time limit, in vain. */
  silent: number[];
  ended: LastReportsEnd;
}

export class LastReports {
  private readonly hostCount: number;
  private readonly answered: (host: number) => boolean;
  private readonly gone = new Set<number>();
  /** How the wait ended; undefined before it did. */
  record: LastReportsRecord | undefined;

  /** `answered(host)`: whether host's last bundle came in (ReportCollector.lastFrom). */
  constructor(hostCount: number, answered: (host: number) => boolean) {
    this.hostCount = hostCount;
    this.answered = answered;
  }

  /** These hosts are gone (before or during the wait): none of them will answer. */
  lost(hosts: readonly number[]): void {
    for (const host of hosts) if (host >= 0 && host < this.hostCount) this.gone.add(host);
  }

  /** Hosts that can still answer and have not. */
  get pending(): number[] {
    return this.hosts().filter((host) => !this.answered(host) && !this.gone.has(host));
  }

  /**
   * Waits until no host can still answer, or `timeoutMs`. When hosts were lost unanswered, `flush` (a round trip
   * to the broker) comes first, within what is left of `timeoutMs`: a host that exits right after its last bundle
   * may be seen to exit before its bundle is read, and the round trip brings in what the broker already holds.
   */
  async wait(
    waker: Waker,
    clock: Clock,
    flush: () => Promise<void>,
    timeoutMs = LAST_REPORTS_WAIT_MS,
  ): Promise<LastReportsRecord> {
    const startMs = clock.now();
    await waker.settle(() => this.pending.length === 0, timeoutMs);
    const timedOut = this.pending.length > 0;
    if (!timedOut && this.hosts().some((host) => this.gone.has(host) && !this.answered(host))) {
      const leftMs = Math.max(0, timeoutMs - (clock.now() - startMs));
      let timer: TimerHandle | undefined;
      await Promise.race([flush().catch(() => {}), new Promise<void>((r) => (timer = clock.setTimer(r, leftMs)))]);
      clock.clearTimer(timer);
    }
    this.record = this.recordOf(timedOut);
    return this.record;
  }

  private recordOf(timedOut: boolean): LastReportsRecord {
    const answered = this.hosts().filter((host) => this.answered(host));
    const lost = this.hosts().filter((host) => !this.answered(host) && this.gone.has(host));
    const silent = this.hosts().filter((host) => !this.answered(host) && !this.gone.has(host));
    const ended: LastReportsEnd = timedOut ? "time-limit" : lost.length > 0 ? "lost" : "answered";
    return { answered, lost, silent, ended };
  }

  private hosts(): number[] {
    return Array.from({ length: this.hostCount }, (_, host) => host);
  }
}
