/**
 * A host's view of the window reports (host-agent.ts): its own last report and every host's report of that window
 * and of the next (another host is at most one window ahead: it needs this host's report to go on). Each report
 * came with the packets its host sent this one in that window (a PeerWindow), merged on arrival, so the next window
 * can be picked once the set of the last window is complete.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";

type Report = dctwin.v1.WindowReport;

/** The counters of the start-up report: nothing has happened yet. */
export const NO_COUNTS = {
  injected: 0,
  consumed: 0,
  dropped: 0,
  queued: 0,
  inFlightLocal: 0,
  sentRemote: 0,
  receivedRemote: 0,
};

export class HostReports {
  /** The last window this host reported (0: its start-up report; -1: none yet). */
  reported = -1;
  private readonly sets = new Map<number, (Report | undefined)[]>();
  private hostCount = 0;
  private readonly host: number;

  constructor(host: number) {
    this.host = host;
  }

  /** The run's host count (known once the run starts). */
  begin(hostCount: number): void {
    this.hostCount = hostCount;
  }

  /** Whether another host's report fits: of the last window or the next, and not a second one. */
  fits(report: Report): boolean {
    const window = Number(report.window);
    if (window !== this.reported && window !== this.reported + 1) return false;
    return this.sets.get(window)?.[report.host] === undefined;
  }

  /** Keeps another host's report that fits. */
  acceptOther(report: Report): void {
    this.slots(Number(report.window))[report.host] = report;
  }

  /** Records this host's own report of a window it ran (the set of the previous window is done with). */
  own(report: Report): void {
    this.sets.delete(this.reported);
    this.reported = Number(report.window);
    this.slots(this.reported)[this.host] = report;
  }

  /** Every host's report of the last window, once all are in. */
  ready(): readonly Report[] | undefined {
    const set = this.sets.get(this.reported);
    return set === undefined || set.some((r) => r === undefined) ? undefined : (set as Report[]);
  }

  private slots(window: number): (Report | undefined)[] {
    let slots = this.sets.get(window);
    if (slots === undefined) {
      slots = new Array<Report | undefined>(this.hostCount).fill(undefined);
      this.sets.set(window, slots);
    }
    return slots;
  }
}
