/**
 * The coordinator's view of the hosts' window reports: it listens to each host's full reports (with the intervals
 * they closed; one subject per host, `report.<n>.full`, several reports to a ReportBundle), and takes the reports
 * window by window, once every host's is in. Hosts may be ahead of the coordinator (up to the grant horizon), so
 * later windows are kept until their turn, as bytes: only the head of a report (WindowReportHead) is decoded when it
 * arrives, the whole report when its window is taken. Bundles that do not decode and reports that do not fit
 * (undecodable, an earlier window, a second report from a host, a report naming another host than its subject's)
 * are counted and dropped, on arrival or, for a report whose intervals do not decode, when it is taken.
 */
import { tryDecode, wire } from "../../nodes/runtime/wire.ts";
import type { dctwin } from "../../proto/gen/dctwin.js";

type Report = dctwin.v1.WindowReport;

export class ReportCollector {
  private readonly hostCount: number;
  private readonly pending = new Map<number, (Uint8Array | undefined)[]>();
  private readonly finals: (Uint8Array | undefined)[];
  private nextWindow = 0;
  /** The hosts whose last bundle (sent as they stop) came in. */
  private readonly lastIn: boolean[];
  malformed = 0;

  /** `firstWindow`: the window of the start-up reports (0, or a checkpoint's window when a run resumes). */
  constructor(hostCount: number, firstWindow = 0) {
    this.hostCount = hostCount;
    this.nextWindow = firstWindow;
    this.finals = new Array<Uint8Array | undefined>(hostCount).fill(undefined);
    this.lastIn = new Array<boolean>(hostCount).fill(false);
  }

  /** Host `host` stopped and sent what it held. */
  lastFrom(host: number): boolean {
    return this.lastIn[host] === true;
  }

  /** Window index the next `take` returns. */
  get next(): number {
    return this.nextWindow;
  }

  /**
   * Adds a bundle of reports from host `from`'s report subject, in order; false if none fitted (each misfit counted)
   * and it is not the host's last bundle (which may hold no report).
   */
  addBundle(bytes: Uint8Array, from: number): boolean {
    const bundle = tryDecode(wire.ReportBundle, bytes);
    const last = bundle?.last === true && from < this.hostCount;
    if (bundle === undefined || (bundle.reports.length === 0 && !last)) {
      this.malformed++;
      return false;
    }
    if (last) this.lastIn[from] = true;
    let taken = last;
    for (const report of bundle.reports) taken = this.add(report, from) || taken;
    return taken;
  }

  /** Adds one report from host `from`; false if it was malformed (and counted). */
  add(bytes: Uint8Array, from: number): boolean {
    const r = tryDecode(wire.WindowReportHead, bytes);
    // Protobuf decodes many byte strings (even an empty one); a report must fit the window sequence.
    const plausible =
      r !== undefined &&
      r.counters != null &&
      r.host === from &&
      from < this.hostCount &&
      r.batchesSentTo.length === this.hostCount &&
      Number(r.window) >= this.nextWindow;
    const slots = !plausible ? undefined : r.final ? this.finals : this.slots(Number(r.window));
    if (slots === undefined || slots[r!.host] !== undefined) {
      this.malformed++;
      return false;
    }
    slots[r!.host] = new Uint8Array(bytes); // a copy: kept past the callback, not a view of a transport buffer
    return true;
  }

  /** Every host's report of the next window, in host order, once all are in. */
  take(): Report[] | undefined {
    const slots = this.pending.get(this.nextWindow);
    const reports = slots === undefined ? undefined : this.decodeAll(slots);
    if (reports === undefined) return undefined;
    this.pending.delete(this.nextWindow++);
    return reports;
  }

  /** Every host's final report, once all are in. */
  takeFinals(): Report[] | undefined {
    return this.decodeAll(this.finals);
  }

  /** Hosts whose report of the next window (or whose final report, once any is in) is not in yet. */
  missing(): number[] {
    const slots = this.finals.some((r) => r !== undefined) ? this.finals : this.pending.get(this.nextWindow);
    return Array.from({ length: this.hostCount }, (_, host) => host).filter((host) => slots?.[host] === undefined);
  }

  /** Reports still waiting for a window that never completed (counted as malformed at the end). */
  leftover(): number {
    let n = 0;
    for (const slots of this.pending.values()) n += slots.filter((r) => r !== undefined).length;
    return n;
  }

  /**
   * The reports of a complete set, decoded; undefined while one is missing. A report whose body does not decode is
   * counted and dropped from the set, as it would have been on arrival.
   */
  private decodeAll(slots: (Uint8Array | undefined)[]): Report[] | undefined {
    if (slots.some((bytes) => bytes === undefined)) return undefined; // reports still on the wire
    const reports: Report[] = [];
    for (const [host, bytes] of slots.entries()) {
      const report = tryDecode(wire.WindowReport, bytes!);
      if (report === undefined) {
        this.malformed++;
        slots[host] = undefined;
        return undefined;
      }
      reports.push(report);
    }
    return reports;
  }

  private slots(window: number): (Uint8Array | undefined)[] {
    let slots = this.pending.get(window);
    if (slots === undefined) {
      slots = new Array<Uint8Array | undefined>(this.hostCount).fill(undefined);
      this.pending.set(window, slots);
    }
    return slots;
  }
}
