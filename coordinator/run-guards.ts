/**
 * What ends a run from outside its windows: hosts that do not join in time (--join-timeout), an interrupt — before
 * the hosts joined at once, while running after the current window, and without it when the hosts cannot finish
 * that window in time (a host hung or NATS lost) — and a connection to NATS that is gone for good.
 */
import type { Transport } from "../nodes/runtime/transport/transport.ts";
import { NatsTransport } from "../nodes/runtime/transport/nats.ts";
import { HostLostError, JoinDeadlineError, type RunDriver } from "./driver/run-driver.ts";
import { RunInterruptedError, type TwinRunOptions } from "./run-options.ts";

export class RunGuards {
  private joinedAll = false;
  private joinTimer: NodeJS.Timeout | undefined;

  /** Arms the guards for `driver`; `cleanup` disarms them. */
  constructor(
    driver: RunDriver,
    options: TwinRunOptions,
    runId: string,
    transport: Transport,
    cleanup: (() => Promise<void>)[],
  ) {
    const [ms, flag, verb] = options.rejoining
      ? [options.rejoinTimeoutMs, "--rejoin-timeout", "joined again"]
      : [options.joinTimeoutMs, "--join-timeout", "joined"];
    if (options.join && ms !== undefined) {
      this.joinTimer = setTimeout(
        () =>
          driver.abort(
            new JoinDeadlineError(
              `${driver.progress().hostsJoined} of ${options.hosts} host(s) ${verb} run ${runId} within ${ms / 1000} s (${flag})`,
            ),
          ),
        ms,
      );
      cleanup.push(async () => clearTimeout(this.joinTimer));
    }
    const graceMs = options.stopGraceMs ?? 3_000;
    let graceTimer: NodeJS.Timeout | undefined;
    const onInterrupt = () => {
      if (!this.joinedAll)
        return driver.abort(
          new RunInterruptedError(
            `interrupted while waiting for hosts (${driver.progress().hostsJoined} of ${options.hosts} joined)`,
          ),
        );
      graceTimer = setTimeout(
        () =>
          driver.abort(
            new RunInterruptedError(
              `interrupted; the hosts did not finish the current window within ${graceMs / 1000} s`,
            ),
          ),
        graceMs,
      );
    };
    if (options.signal?.aborted) onInterrupt();
    else options.signal?.addEventListener("abort", onInterrupt, { once: true });
    cleanup.push(async () => {
      clearTimeout(graceTimer);
      options.signal?.removeEventListener("abort", onInterrupt);
    });
    // A connection to NATS that is gone for good (the reconnection deadline passed) ends the run, recoverably; no
    // host can be heard any more.
    const everyHost = Array.from({ length: options.hosts }, (_, host) => host);
    if (transport instanceof NatsTransport)
      void transport
        .closed()
        .then((error) =>
          driver.abort(
            new HostLostError(
              `lost the connection to NATS${error instanceof Error ? `: ${error.message}` : ""}`,
              everyHost,
            ),
          ),
        );
  }

  /** Every host joined: the join timeout is off, and an interrupt now waits for the current window. */
  joined(): void {
    this.joinedAll = true;
    clearTimeout(this.joinTimer);
  }
}
