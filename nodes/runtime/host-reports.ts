/**
 * A host's view of the window reports (host-agent.ts): its own last report and every host's report of that window
 * and of the next (another host is at most one window ahead: it needs this host's report to go on), and the
 * packet batches the complete report sets owe this host. The next window can be picked once the set of the last
 * window is complete and every batch it announced for this host has been merged.
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
  /** Batches owed to this host by the complete report sets so far, and batches merged. */
  private owed = 0;
  private owedCounted = -1;
  private received = 0;

  constructor(host: number) {
    this.host = host;
  }

  /** The run's host count (known once the run starts). */
  begin(hostCount: number): void {
    this.hostCount = hostCount;
  }

  /** Keeps another host's report of the last window or the next; false if it fits neither or repeats one. */
  acceptOther(report: Report): boolean {
    const window = Number(report.window);
    if (window !== this.reported && window !== this.reported + 1) return false;
    const slots = this.slots(window);
    if (slots[report.host] !== undefined) return false;
    slots[report.host] = report;
    return true;
  }

  /** Records this host's own report of a window it ran (the set of the previous window is done with). */
  own(report: Report): void {
    this.sets.delete(this.reported);
    this.reported = Number(report.window);
    this.slots(this.reported)[this.host] = report;
  }

  /** Whether a batch of `window` can belong to the windows this host is between. */
  batchFits(window: number): boolean {
    return window >= this.reported - 1 && window <= this.reported + 1;
  }

  batchMerged(): void {
    this.received++;
  }

  /** Every host's report of the last window, once all are in and every batch they owe this host is merged. */
  ready(): readonly Report[] | undefined {
    const set = this.sets.get(this.reported);
    if (set === undefined || set.some((r) => r === undefined)) return undefined; // reports still on the wire
    const reports = set as Report[];
    if (this.owedCounted < this.reported) {
      this.owedCounted = this.reported;
      for (const r of reports) this.owed += r.batchesSentTo[this.host] ?? 0;
    }
    return this.received < this.owed ? undefined : reports; // owed batches still on the wire
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
