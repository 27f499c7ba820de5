/**
 * Recovery from a lost host: when a run fails because a host died or stopped reporting (HostFailedError) and the
 * run has a checkpoint, every host is rolled back to it — the whole run (its nats-server, the hosts, the
 * coordinator's state) is started again from the checkpoint, as `--resume` would — up to `recoveries` times.
 * Runs are deterministic, so the results equal those of an undisturbed run. Intervals that closed after the
 * checkpoint and before the loss close again after the roll-back; `onIntervalClosed` hears each only once.
 */
import { HostFailedError } from "./driver/run-driver.ts";
import { newRunId, RunFailedError, runTwin, type TwinRunOptions, type TwinRunResult } from "./run.ts";
import { hasCheckpoint, readCheckpoint } from "./checkpoint/store.ts";

export async function runTwinWithRecovery(options: TwinRunOptions & { recoveries: number }): Promise<TwinRunResult> {
  const runId = options.runId ?? newRunId();
  const log = options.log ?? (() => {});
  let resume = options.resume;
  let lastClosed = -1;
  const onIntervalClosed: TwinRunOptions["onIntervalClosed"] = (record, ledger) => {
    if (record.index <= lastClosed) return;
    lastClosed = record.index;
    options.onIntervalClosed?.(record, ledger);
  };
  for (let recovered = 0; ; recovered++) {
    try {
      const result = await runTwin({ ...options, runId, resume, onIntervalClosed });
      if (recovered > 0) log(`run ${runId} completed after ${recovered} recovery(ies) from a checkpoint`);
      return result;
    } catch (error) {
      const hostLost = error instanceof RunFailedError && error.reason instanceof HostFailedError;
      const recoverable =
        hostLost &&
        options.checkpoint !== undefined &&
        !options.join &&
        options.signal?.aborted !== true &&
        hasCheckpoint(options.outDir);
      if (!recoverable || recovered >= options.recoveries) throw error;
      resume = readCheckpoint(options.outDir);
      log(
        `${error.reason.message.split("\n")[0]}\nrecovering (${recovered + 1} of at most ${options.recoveries}): every host goes back to the checkpoint at ${resume.meta.at_ns / 1e9} s`,
      );
    }
  }
}
