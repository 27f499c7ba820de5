/**
 * A host's side of the window exchange (host-agent.ts runs the lifecycle around it). After each window the host
 * sends every other host m one PeerWindow on `report.<n>.window.<m>`: its WindowReport without the intervals it
 * closed, and the packets it sent m. The whole report goes to the coordinator in bundles on `report.<n>.full`
 * (report-bundler.ts), at once when it closed an interval or is of no window. What comes from the other hosts is
 * checked here: a PeerWindow that does not decode, names another host than its subject's, does not fit the window
 * sequence (host-reports.ts) or carries packets for actors this host does not run is refused (the caller counts it).
 */
import type { dctwin } from "../../proto/gen/dctwin.js";
import type { SimEvent } from "./event-queue.ts";
import { HostReports } from "./host-reports.ts";
import { ReportBundler } from "./report-bundler.ts";
import type { RunSubjects, Transport } from "./transport/transport.ts";
import { decodePeerWindow, encodePeerWindow } from "./peer-window.ts";
import { encodeReport } from "./report-wire.ts";

type Report = dctwin.v1.WindowReport;

/** What every report says of its host at the time it is sent. */
export interface HostStamp {
  /** Wire messages the host counted and dropped so far. */
  malformedMessages: number;
  /** The host has seen the stop grant. */
  stopSeen: boolean;
}

export class PeerExchange {
  private readonly transport: Transport;
  private readonly subjects: RunSubjects;
  private readonly host: number;
  private readonly stamp: () => HostStamp;
  /** The reports of the last window this host reported and of the next. */
  private readonly reports: HostReports;
  /** This host's full reports on their way to the coordinator. */
  private readonly bundler: ReportBundler;
  private hostCount = 0;
  private actorCount = 0;

  constructor(transport: Transport, subjects: RunSubjects, host: number, stamp: () => HostStamp) {
    this.transport = transport;
    this.subjects = subjects;
    this.host = host;
    this.stamp = stamp;
    this.reports = new HostReports(host);
    this.bundler = new ReportBundler((bundle) => transport.publish(subjects.fullWindow(host), bundle));
  }

  /** The run's sizes, known once it starts. */
  begin(hostCount: number, actorCount: number): void {
    this.hostCount = hostCount;
    this.actorCount = actorCount;
    this.reports.begin(hostCount);
  }

  /** Other hosts take part in the run: each window's report goes out to them. */
  get hasPeers(): boolean {
    return this.hostCount > 1;
  }

  /** The last window this host reported (0: its start-up report; -1: none yet). */
  get reported(): number {
    return this.reports.reported;
  }

  /** Every host's report of the last window, once all are in. */
  ready(): readonly Report[] | undefined {
    return this.reports.ready();
  }

  /** A `batchesSentTo` of no packets to any host. */
  noBatches(): number[] {
    return new Array<number>(this.hostCount).fill(0);
  }

  /** Sends a report: whole to the coordinator (bundled), and with its packets to every other host. */
  publish(report: dctwin.v1.WindowReport.$Properties, outbox: ReadonlyMap<number, SimEvent[]> = new Map()): void {
    const { full, sync, syncReport } = encodeReport(report, {
      ...this.stamp(),
      host: this.host,
      fragmentsDropped: this.transport.droppedFragments(),
    });
    if (!report.final) {
      // Peers pick windows from the report without its intervals (the coordinator's alone). They go first: ahead of
      // the intervals' encoding and of a bundle to the coordinator on the same connection, which they wait behind.
      for (let to = 0; to < this.hostCount; to++)
        if (to !== this.host)
          this.transport.publish(this.subjects.peerWindow(this.host, to), encodePeerWindow(sync, outbox.get(to) ?? []));
      this.reports.own(syncReport);
    }
    // At once when it closes intervals (the grants keep ahead of them) or is of no window (start-up, resumed, final:
    // the run's phases wait for those); else when this host waits or the bundle is due.
    const closes = (report.intervals ?? []).length > 0;
    this.bundler.add(full(), closes || syncReport.startNs === syncReport.endNs);
  }

  /**
   * Takes another host's PeerWindow (`from`: the sender its subject names): the packets it brings, to merge, or
   * undefined when it is refused. `runsActor` says whether this host runs an actor.
   */
  receive(bytes: Uint8Array, from: number | undefined, runsActor: (actor: number) => boolean): SimEvent[] | undefined {
    const peer = decodePeerWindow(bytes, this.actorCount);
    const report = peer?.report;
    const plausible =
      report != null &&
      report.counters != null &&
      report.host === from &&
      report.host !== this.host &&
      report.host < this.hostCount &&
      report.batchesSentTo.length === this.hostCount &&
      !report.final &&
      this.reports.fits(report);
    const events = plausible ? peer!.events : undefined;
    if (events === undefined || events.some((e) => !runsActor(e.dst))) return undefined;
    this.reports.acceptOther(report!);
    return events;
  }

  /** Sends the coordinator the full reports held so far (it is about to need them). */
  flush(): void {
    this.bundler.send();
  }

  /**
   * The host stops. Unless the run goes back to a checkpoint (`rejoin`: what it holds is of windows run again), the
   * coordinator gets the full reports held, in a bundle marked last, so a failed run's outcome has every window
   * this host finished.
   */
  stop(rejoin: boolean): void {
    if (rejoin) this.bundler.stop();
    else this.bundler.last();
  }
}
