/**
 * Where a host's wall time goes while it runs windows, for run-info.json's `window_time` (an execution figure that
 * depends on placement, transport and machine; never a result): running its windows' events, the window exchange
 * (building, encoding and publishing its reports; decoding and merging its peers'), and the rest, mostly waiting
 * for the peers' reports or the coordinator's grants. It says whether a distributed run is bound by its events or
 * by the exchange and the latency of its windows.
 */
import type { dctwin } from "../../proto/gen/dctwin.js";

export class WindowClock {
  private startMs = -1;
  private eventsMs = 0;
  private exchangeMs = 0;
  private windows = 0;

  /** A window starts: the time now (the first one starts the clock). */
  start(): number {
    const now = performance.now();
    if (this.startMs < 0) this.startMs = now;
    return now;
  }

  /** A window's events ran from `since` until now; returns now. */
  ranEvents(since: number): number {
    const now = performance.now();
    this.eventsMs += now - since;
    this.windows++;
    return now;
  }

  /** The exchange took from `since` until now (a report sent, a peer's report taken). */
  exchanged(since: number): void {
    this.exchangeMs += performance.now() - since;
  }

  /** The figures until now, for the final report. */
  timing(): dctwin.v1.HostTiming.$Properties {
    const windowsMs = this.startMs < 0 ? 0 : performance.now() - this.startMs;
    return {
      windowsS: windowsMs / 1000,
      eventsS: this.eventsMs / 1000,
      exchangeS: this.exchangeMs / 1000,
      windows: this.windows,
    };
  }
}
