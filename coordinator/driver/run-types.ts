/** The run driver's vocabulary, shared by the coordinator's entry points, the control layer and the results. */
import type { Transport } from "../../nodes/runtime/transport/transport.ts";
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { ConservationTotals } from "../counts/conservation.ts";
import type { IntervalRecord, RunAggregator } from "../counts/aggregate.ts";
import type { AppliedCommand, CommandSpec, TimedCommand } from "./grants.ts";
import type { CheckpointPolicy, CheckpointSet } from "./checkpointer.ts";
import type { CoordinatorState } from "./coordinator-state.ts";
import type { Clock } from "./clock.ts";
import type { BoundaryPluginFactory } from "./boundary-plugins.ts";
import type { LastReportsRecord } from "./last-reports.ts";

export type { AppliedCommand, CommandSpec, LastReportsRecord, TimedCommand };

export class HostFailedError extends Error {
  override name = "HostFailedError";
}

/**
 * Hosts known to be gone (a process exited, the report deadline passed, the coordinator lost NATS): a failed run
 * does not wait for their last reports (last-reports.ts).
 */
export class HostLostError extends HostFailedError {
  readonly hosts: readonly number[];

  constructor(message: string, hosts: readonly number[]) {
    super(message);
    this.hosts = hosts;
  }
}

/** The hosts did not all join (or join again, after a lost host) in time: recovering again would not help. */
export class JoinDeadlineError extends HostFailedError {}

/** How a run ended. */
export type RunStatus = "completed" | "interrupted" | "failed";

export interface HostInfo {
  host: number;
  hostname: string;
  pid: number;
  runtime: string;
}

export interface WindowProgress {
  window: number;
  startNs: number;
  endNs: number;
  events: number;
  /** Packets created so far (from the per-window conservation counters, so always current). */
  packets: number;
  /** The conservation totals over all hosts after this window (its check passed). */
  totals: ConservationTotals;
}

export interface RunDriverOptions {
  transport: Transport;
  runId: string;
  scenario: ResolvedScenario;
  placement: number[];
  hostCount: number;
  /** Simulated seconds per wall second; undefined runs as fast as possible. */
  speed?: number;
  /** Wall time for pacing, heartbeats and the report deadline (default: the machine's; tests pass a SimClock). */
  clock?: Clock;
  /** Stops the run where the hosts have got to (Ctrl-C). */
  signal?: AbortSignal;
  /** Commands to apply at given simulated times (a declarative experiment); a window starts at each time. */
  schedule?: readonly { timeNs: number; command: CommandSpec }[];
  /** The boundary plug-ins to run (default: BOUNDARY_PLUGINS, the cooling relay). */
  boundaryPlugins?: readonly BoundaryPluginFactory[];
  onWindow?: (progress: WindowProgress) => void;
  /**
   * Called with the simulated time at which commands submitted now take effect (a horizon no host has passed):
   * before every grant that moves the horizon, and once when a paused run holds there.
   */
  onBoundary?: (timeNs: number) => void;
  /** Called with each metrics interval once every host has reported it, and where it ends (RunAggregator). */
  onIntervalClosed?: (record: IntervalRecord, endNs: number) => void;
  /**
   * Closed interval records the aggregator keeps once `onIntervalClosed` has taken them (RunAggregator.keepClosed);
   * undefined: every record, for the whole run.
   */
  keepClosedIntervals?: number;
  /** The state of whoever takes the closed intervals (the results), kept in the coordinator's checkpoints. */
  resultsState?: () => unknown;
  /** Called once every host has said hello (e.g. to log that the run starts). */
  onHostsJoined?: (hosts: HostInfo[]) => void;
  /** Called once every host's start-up report is in (shards built): set-up is over, windows start. */
  onHostsReady?: () => void;
  /** Take checkpoints at interval boundaries (coordinator/checkpoint/) and hand each complete set to `save`. */
  checkpoint?: CheckpointPolicy & { save(set: CheckpointSet): void; log(message: string): void };
  /** Continue from this coordinator checkpoint (the hosts restore theirs of the same boundary). */
  restore?: CoordinatorState;
  /**
   * The live commands of an attempt of this run that was lost (RunDriver.liveLog): those after `restore` are
   * applied again at the same simulated times (run-recovery.ts).
   */
  replayLive?: readonly TimedCommand[];
  /** The control layer's state at a checkpoint's boundary, stored beside the coordinator's (control-state.ts). */
  controlSnapshot?: () => Uint8Array;
  /** With `restore`: each host's snapshot (by host index) and its boundary, sent to the hosts once they joined. */
  restoreHosts?: { atNs: number; snapshots: readonly Uint8Array[] };
  /** A lost host ends this run to be recovered: hosts are told to join again (RunStop.rejoin), not to exit. */
  rejoinOnHostLoss?: boolean;
  /** Fail the run (HostFailedError) when the hosts owe a report and none is heard for this long (ms). */
  reportTimeoutMs?: number;
}

export interface RunOutcome {
  status: RunStatus;
  appliedCommands: AppliedCommand[];
  simTimeNs: number;
  aggregator: RunAggregator;
  totals: ConservationTotals;
  hosts: HostInfo[];
  malformedMessages: number;
  /** Pieces of fragmented NATS messages the hosts dropped (last reported; the coordinator's own are its transport's). */
  hostFragmentsDropped: number;
  /** Execution figures (run-info.json), not results: they depend on placement and transport. */
  windows: number;
  events: number;
  /** Lookahead of the placement at the start (+Infinity: no link crosses hosts). */
  lookaheadNs: number;
  /** A failed run's wait for its hosts' last reports (undefined: it did not wait). */
  lastReports?: LastReportsRecord;
  /** Where each host's wall time went over its windows, from the final reports (undefined: the run had none). */
  windowTime?: HostWindowTime[];
}

/**
 * A host's wall time from its first window's start to its final report (nodes/runtime/window-clock.ts), for
 * run-info.json: its windows' events, the window exchange, and the rest (`waiting_s`: mostly waiting for the other
 * hosts' reports or the coordinator's grants, with the event loop's own work).
 */
export interface HostWindowTime {
  host: number;
  windows: number;
  windows_s: number;
  events_s: number;
  exchange_s: number;
  waiting_s: number;
}

/** Where the run is, for status calls. */
export interface DriverProgress {
  simTimeNs: number;
  windows: number;
  paused: boolean;
  hostsJoined: number;
  appliedCommands: number;
  /** Every host waits at the grant horizon and the coordinator waits for news or its clock (a paced run's tick). */
  idle: boolean;
}
