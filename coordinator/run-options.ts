/** What a run is asked to do (`runTwin`'s options), what it gives back, and how it ends early. */
import type { PrivateBroker } from "./private-broker.ts";
import type { CheckpointStoreMode } from "./checkpoint/external-store.ts";
import type { JetStreamCheckpoints } from "./checkpoint/jetstream-store.ts";
import { randomBytes } from "node:crypto";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import type { NatsAuth } from "../nodes/runtime/transport/nats-auth.ts";
import type { RunDriver, RunDriverOptions, RunOutcome, WindowProgress } from "./driver/run-driver.ts";
import type { Summary } from "./results/summary.ts";
import type { S3Target, S3UploadOptions } from "./upload-results.ts";
import type { MetricsExporterOptions } from "./observability/prometheus/exporter.ts";
import type { FaultProbe } from "./observability/run-state.ts";
import type { CheckpointPolicy } from "./driver/checkpointer.ts";
import type { StoredCheckpoint } from "./checkpoint/store.ts";
import type { IntervalRecord } from "./counts/aggregate.ts";
import type { LedgerBook } from "./ledgers/book.ts";
import type { IntervalSummary } from "./counts/interval-summary.ts";
import type { LedgerSnapshot } from "./ledgers/snapshot.ts";
import type { Clock } from "./driver/clock.ts";

export type TransportKind = "inproc" | "nats";

export interface TwinRunOptions {
  scenario: ResolvedScenario;
  hosts: number;
  transport: TransportKind;
  /** Join this NATS server or cluster; without it a private nats-server is started. */
  natsUrl?: string;
  /** Credentials and TLS for `natsUrl` (the coordinator's, and those of the hosts it starts). */
  natsAuth?: NatsAuth;
  /** Wait for `hosts` host processes to join over NATS instead of starting them (Kubernetes mode). */
  join?: boolean;
  runId?: string;
  speed?: number;
  /** Wall time for pacing, heartbeats and deadlines in the driver (default: the machine's; tests: a SimClock). */
  clock?: Clock;
  outDir: string;
  signal?: AbortSignal;
  onWindow?: (progress: WindowProgress) => void;
  /**
   * Milestones: every host said hello; every host built its shard and sent its start-up report (the set-up ends);
   * the simulation ended (before results are written; the hosts are still up).
   */
  onSetup?: (milestone: "hosts-joined" | "hosts-ready" | "simulation-done") => void;
  log?: (message: string) => void;
  /** Commands at simulated times (a declarative experiment). */
  schedule?: RunDriverOptions["schedule"];
  /** Called with each metrics interval once every host has reported it. */
  /** Called with each metrics interval once every host has reported it, and its ledger snapshot. */
  onIntervalClosed?: (record: IntervalRecord, ledger: LedgerSnapshot) => void;
  /**
   * Keep every interval record in the outcome's aggregator (a caller that reads them after the run: tests).
   * Otherwise the results take each as it closes and the aggregator lets it go; what the end of the run reads of
   * them is kept apart (TwinRunResult.intervals, the ledger snapshots).
   */
  keepIntervalRecords?: boolean;
  /** Called with the simulated time at which commands submitted now take effect (RunDriverOptions). */
  onBoundary?: RunDriverOptions["onBoundary"];
  /** Hands out the driver once it exists, e.g. to a control API that submits live commands or pauses the run. */
  onDriver?: (driver: RunDriver) => void;
  /** Serve Prometheus metrics of the run at /metrics (port 0: a free port; the URL is logged). */
  metrics?: MetricsExporterOptions;
  /** Where the metrics exporter learns about faults (the control layer). */
  faults?: FaultProbe;
  /** With `join`: fail the run when not every host has joined within this many ms. */
  joinTimeoutMs?: number;
  /**
   * With `join`, once a host was lost: fail the run when the hosts (survivors and the lost host's replacement)
   * have not all joined again within this many ms (run-recovery.ts).
   */
  rejoinTimeoutMs?: number;
  /** Set by run-recovery.ts: this attempt follows a lost host, the hosts are joining again. */
  rejoining?: boolean;
  /** Set by run-recovery.ts: a lost host ends this attempt to be recovered, so joined hosts are told to rejoin. */
  rejoinOnHostLoss?: boolean;
  /** Keep retrying to connect to --nats this long (ms) before failing (default 30 s). */
  natsConnectTimeoutMs?: number;
  /** After an interrupt, how long (ms) the hosts get to finish the current window before the run ends without it. */
  stopGraceMs?: number;
  /** Also copy the results directory to DIR/<run id>/ (e.g. a mounted volume). */
  copyResultsTo?: string;
  /** Also upload the results to s3://BUCKET/PREFIX/<run id>/ (an S3-compatible store reached with `s3`). */
  uploadResultsTo?: S3Target;
  s3?: S3UploadOptions;
  /** Write checkpoints to `outDir`/checkpoint/ (coordinator/checkpoint/), so that the run can be resumed. */
  checkpoint?: CheckpointPolicy;
  /** Where checkpoints go besides the results directory (checkpoint/external-store.ts; default auto). */
  checkpointStore?: CheckpointStoreMode;
  /** The run's checkpoint bucket on an external server's JetStream (opened by run-recovery.ts), if any. */
  jetStreamCheckpoints?: JetStreamCheckpoints;
  /** After losing NATS, keep reconnecting this long (ms, default 20 s) before the run fails (or recovers). */
  natsReconnectTimeoutMs?: number;
  /** Fail the run (recoverably) when the hosts owe a window report and none comes for this long (ms). */
  reportTimeoutMs?: number;
  /** Continue this run from its checkpoint (the scenario, host count and run id must be the checkpoint's). */
  resume?: StoredCheckpoint;
  /**
   * The private nats-server to use, kept across recoveries (run-recovery.ts): prepared, and started by the first
   * attempt once its hosts are loading; without it the run makes its own.
   */
  broker?: PrivateBroker;
  /** Live commands of a lost attempt of this run, applied again at their times (RunDriverOptions.replayLive). */
  replayLive?: RunDriverOptions["replayLive"];
  /** The control layer's state for each checkpoint (RunDriverOptions.controlSnapshot). */
  controlSnapshot?: RunDriverOptions["controlSnapshot"];
}

/** The run was interrupted before it could finish its current window (or before it started). */
export class RunInterruptedError extends Error {
  override name = "RunInterruptedError";
}

/** The run failed; the results of the part that completed were written to `outDir`. */
export class RunFailedError extends Error {
  override name = "RunFailedError";
  readonly reason: Error;
  readonly outDir: string;
  constructor(reason: Error, outDir: string) {
    super(`${reason.message}\nresults of the part that completed: ${outDir}/ (status "failed")`);
    this.reason = reason;
    this.outDir = outDir;
  }
}

export interface TwinRunResult {
  runId: string;
  outcome: RunOutcome;
  /** The ledger snapshot of every interval (made as each closed), which the results files read. */
  ledgers: LedgerBook;
  /** Every interval's summary (metrics, events, drops), in index order from 0: the experiment's checks read them. */
  intervals: readonly IntervalSummary[];
  summary: Summary;
  wallTimeS: number;
  /** Where the results were copied (`copyResultsTo`), if anywhere. */
  copiedTo?: string;
  /** The s3:// folder the results were uploaded to (`uploadResultsTo`), if anywhere. */
  uploadedTo?: string;
}

export function newRunId(): string {
  return `run-${randomBytes(4).toString("hex")}`;
}
