/**
 * A host's full window reports on their way to the coordinator, sent in ReportBundles (proto/dctwin/v1/wire.proto)
 * instead of one message per window: the coordinator is off the per-window path (hosts pick windows from each
 * other's reports), so it needs the reports only to check, aggregate and keep the grants ahead. A host sends what
 * it has when the coordinator may be needed at once (`send`: it waits for a grant, a report closed an interval,
 * the run ends) and otherwise once the oldest report has waited BUNDLE_WAIT_MS or the bundle reached
 * BUNDLE_MAX_BYTES. When the run stops, whatever is kept goes in a last bundle.
 */
import { wire } from "./wire.ts";

/**
 * The longest a report waits for its bundle: live progress (status, Prometheus) lags the hosts by at most this,
 * far below any report timeout, while a 2-host run of thousands of windows per second sends tens of bundles.
 */
export const BUNDLE_WAIT_MS = 50;

/**
 * A bundle's size past which it goes at once: well under NATS's default max_payload (1 MB), so a bundle is one
 * NATS message unless a single report is larger (then the transport sends it in fragments).
 */
export const BUNDLE_MAX_BYTES = 256 * 1024;

export class ReportBundler {
  private readonly publish: (bundle: Uint8Array) => void;
  private pending: Uint8Array[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The last bundle went out: the host stopped. */
  private ended = false;

  constructor(publish: (bundle: Uint8Array) => void) {
    this.publish = publish;
  }

  /** Adds a full report (encoded); `now`: send the bundle at once. */
  add(report: Uint8Array, now: boolean): void {
    if (this.ended) return;
    this.pending.push(report);
    this.bytes += report.byteLength;
    if (now || this.bytes >= BUNDLE_MAX_BYTES) return this.send();
    this.timer ??= setTimeout(() => this.send(), BUNDLE_WAIT_MS);
  }

  /** Sends the reports kept so far, if any. */
  send(): void {
    if (this.pending.length > 0) this.sendBundle(false);
    else this.stop();
  }

  /**
   * The host stops: sends what is kept in a bundle marked last, also when it is empty (the coordinator of a failed
   * run waits for every host's last bundle before it writes the partial outcome), and nothing after it.
   */
  last(): void {
    if (this.ended) return;
    this.ended = true;
    this.sendBundle(true);
  }

  /** Drops what is kept (the host stops and the run goes back to a checkpoint) and the timer with it. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.bytes = 0;
  }

  private sendBundle(last: boolean): void {
    const bundle = wire.ReportBundle.encode({ reports: this.pending, last }).finish();
    this.stop();
    this.publish(bundle);
  }
}
