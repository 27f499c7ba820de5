/**
 * Recovery from a lost host: when a run fails because a host died or stopped reporting (HostFailedError) and the
 * run writes checkpoints, every host is rolled back to the last one — the hosts and the coordinator's state are
 * started again from it, as `--resume` would (from the start if no checkpoint was written yet) — up to
 * `recoveries` times. Runs are deterministic, so the results equal those of an undisturbed run. Intervals that
 * closed after the checkpoint and before the loss close again after the roll-back; `onIntervalClosed` hears each
 * only once. Live commands (the control API's) of the lost attempt are applied again at the simulated times they
 * took effect (RunDriver.liveLog, Grants.replay), so a run steered over gRPC recovers to the same results too; the
 * control layer itself lives in this process and is not lost (coordinator/session.ts).
 *
 * A run whose hosts joined (`--join`) recovers the same way: the coordinator tells the hosts to join again
 * (RunStop.rejoin); survivors do so in place, and a replacement for the lost host (a new `dctwin host` process, as
 * Kubernetes restarts a pod) takes its shard. Every host gets its snapshot over NATS. The hosts must all have
 * joined again within `rejoinTimeoutMs`, else the run fails with the results up to the checkpoint (JoinDeadlineError).
 *
 * A run on its private nats-server keeps that server (private-broker.ts) across recoveries: it is restarted on
 * its port if it dies, and it stores the checkpoints in JetStream, from where a recovery reads them back. A run on an
 * external server (`--nats`) does the same when that server has JetStream (checkpoint/external-store.ts); its bucket
 * is removed when the run completes.
 */
import { join } from "node:path";
import { HostFailedError, JoinDeadlineError, type RunDriver } from "./driver/run-driver.ts";
import { newRunId, RunFailedError, runTwin, type TwinRunOptions, type TwinRunResult } from "./run.ts";
import { hasCheckpoint, readCheckpoint, type StoredCheckpoint } from "./checkpoint/store.ts";
import { PrivateBroker } from "./private-broker.ts";
import { ExternalCheckpoints } from "./checkpoint/external-store.ts";
import type { JetStreamCheckpoints } from "./checkpoint/jetstream-store.ts";

export async function runTwinWithRecovery(options: TwinRunOptions & { recoveries: number }): Promise<TwinRunResult> {
  const runId = options.runId ?? newRunId();
  const log = options.log ?? (() => {});
  // Kept across attempts when a lost host can be recovered; otherwise runTwin makes its own. Only prepared here: the
  // first attempt starts it while its hosts load (run-transport.ts), as a run without recoveries does.
  const ownBroker =
    options.transport === "nats" &&
    options.natsUrl === undefined &&
    !options.join &&
    options.broker === undefined &&
    options.checkpoint !== undefined &&
    options.recoveries > 0;
  const broker = ownBroker
    ? PrivateBroker.prepare({
        runId,
        hosts: options.hosts,
        log,
        jetStream: options.checkpoint !== undefined && options.checkpointStore !== "dir",
      })
    : options.broker;
  let external: ExternalCheckpoints | undefined;
  let resume = options.resume;
  let replayLive = options.replayLive;
  // Set by the attempt's onDriver (TypeScript does not see a callback assign it).
  const attempt = {} as { driver?: RunDriver };
  const onDriver = (driver: RunDriver) => {
    attempt.driver = driver;
    options.onDriver?.(driver);
  };
  let lastClosed = -1;
  const onIntervalClosed: TwinRunOptions["onIntervalClosed"] = (record, ledger) => {
    if (record.index <= lastClosed) return;
    lastClosed = record.index;
    options.onIntervalClosed?.(record, ledger);
  };
  try {
    if (options.transport === "nats" && options.natsUrl !== undefined && options.checkpoint !== undefined)
      external = await ExternalCheckpoints.open({
        url: options.natsUrl,
        auth: options.natsAuth,
        runId,
        mode: options.checkpointStore ?? "auto",
        log,
        reconnectMs: options.natsReconnectTimeoutMs,
      });
    // The private server's store opens with the server, in the first attempt.
    const jetStreamCheckpoints = () => external?.checkpoints ?? broker?.checkpoints;
    for (let recovered = 0; ; recovered++) {
      attempt.driver = undefined;
      try {
        const rejoin = {
          rejoining: options.join === true && recovered > 0,
          // Only when the loss will be recovered: a joined host told to rejoin waits for the next attempt.
          rejoinOnHostLoss: options.checkpoint !== undefined && recovered < options.recoveries,
        };
        const result = await runTwin({
          ...options,
          runId,
          resume,
          replayLive,
          onIntervalClosed,
          onDriver,
          broker,
          jetStreamCheckpoints: external?.checkpoints,
          ...rejoin,
        });
        if (result.outcome.status === "completed") await external?.completed(log);
        if (recovered > 0) log(`run ${runId} completed after ${recovered} recovery(ies) from a checkpoint`);
        return result;
      } catch (error) {
        const hostLost =
          error instanceof RunFailedError &&
          error.reason instanceof HostFailedError &&
          !(error.reason instanceof JoinDeadlineError);
        const recoverable = hostLost && options.checkpoint !== undefined && options.signal?.aborted !== true;
        if (!recoverable || recovered >= options.recoveries) throw error;
        const hostDir = broker === undefined ? undefined : join(broker.privateDir, `restore-${recovered}`);
        resume = await lastCheckpoint(options.outDir, jetStreamCheckpoints(), hostDir, log);
        replayLive = (attempt.driver as RunDriver | undefined)?.liveLog() ?? replayLive;
        const from = resume === undefined ? "the start" : `the checkpoint at ${resume.meta.at_ns / 1e9} s`;
        log(
          `${error.reason.message.split("\n")[0]}\nrecovering (${recovered + 1} of at most ${options.recoveries}): every host goes back to ${from}`,
        );
      }
    }
  } finally {
    await external?.close();
    if (ownBroker) await broker?.stop();
  }
}

/**
 * The checkpoint to go back to: the one in JetStream if the run keeps them there, else the one in the results
 * directory; undefined before the first checkpoint (the run starts again from the start).
 */
async function lastCheckpoint(
  outDir: string,
  store: JetStreamCheckpoints | undefined,
  hostDir: string | undefined,
  log: (message: string) => void,
): Promise<StoredCheckpoint | undefined> {
  if (store !== undefined) {
    try {
      const stored = await store.read(hostDir);
      if (stored !== undefined) {
        log(`read the checkpoint at ${stored.meta.at_ns / 1e9} s back from JetStream (${store.bucket})`);
        return stored;
      }
    } catch (error) {
      log(`cannot read the checkpoint from JetStream (${(error as Error).message}); using ${outDir}/checkpoint/`);
    }
  }
  return hasCheckpoint(outDir) ? readCheckpoint(outDir) : undefined;
}
