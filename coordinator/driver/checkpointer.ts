/**
 * When checkpoints are taken, and their collection. A checkpoint is due at an interval boundary B (every
 * `everyIntervals` intervals, and at most one per `minWallMs` of wall time): the driver stops the grant horizon
 * at B and asks the hosts for a checkpoint there; each host snapshots itself once it waits at B with every batch
 * owed to it merged (nothing of the run is then on the wire); once all have and the coordinator has taken every
 * report up to B, the coordinator adds its own state and the set is saved. Then the horizon moves on. Where the
 * boundaries fall does not change results: windows never cross a horizon, as with any grant.
 */
import { openPart } from "../../nodes/runtime/checkpoint-part.ts";
import {
  decodeCheckpointFrame,
  encodeCheckpointRequest,
  versionMismatch,
} from "../../nodes/runtime/checkpoint-wire.ts";
import { wallClock, type Clock } from "./clock.ts";

export interface CheckpointSet {
  atNs: number;
  coordinator: Uint8Array;
  /** Each host's snapshot, by host index. */
  hosts: Uint8Array[];
  /** The control layer's state (runs with an experiment or the control API: coordinator/control/control-state.ts). */
  control?: Uint8Array;
}

export interface CheckpointPolicy {
  /** A checkpoint at every boundary k · everyIntervals · metrics interval (at most one per `minWallMs`). */
  everyIntervals: number;
  /** Wall time between checkpoints at least (ms; 0: at every such boundary). */
  minWallMs: number;
}

export interface CheckpointerOptions extends CheckpointPolicy {
  hostCount: number;
  intervalNs: number;
  durationNs: number;
  /** Publishes a checkpoint request (sync.checkpoint). */
  request(bytes: Uint8Array): void;
  save(checkpoint: CheckpointSet): void;
  log(message: string): void;
  /** The boundary of the checkpoint the run resumed from (0: none). */
  lastNs?: number;
  /** Wall time for `minWallMs` (default: the machine's). */
  clock?: Clock;
}

export class Checkpointer {
  private readonly o: CheckpointerOptions;
  private lastNs: number;
  private readonly clock: Clock;
  private lastWallMs: number;
  /** The boundary of the checkpoint asked for and not complete yet. */
  pendingNs: number | undefined;
  private chunks: Uint8Array[][] = [];
  private counts: number[] = [];
  /** Why this run takes no more checkpoints (state that is not plain data, a save that failed), if so. */
  disabledReason: string | undefined;
  /** Checkpoint messages that did not fit the checkpoint asked for. */
  malformed = 0;
  saved = 0;

  constructor(options: CheckpointerOptions) {
    this.o = options;
    this.clock = options.clock ?? wallClock;
    this.lastWallMs = this.clock.now();
    this.lastNs = options.lastNs ?? 0;
    this.reset();
  }

  /** The boundary the horizon must not pass (a checkpoint is due there), or undefined; asks the hosts once. */
  capNs(horizonNs: number): number | undefined {
    if (this.disabledReason !== undefined) return undefined;
    if (this.pendingNs !== undefined) return this.pendingNs;
    if (this.clock.now() - this.lastWallMs < this.o.minWallMs) return undefined;
    const step = this.o.everyIntervals * this.o.intervalNs;
    const atNs = Math.max(Math.ceil(horizonNs / step), Math.floor(this.lastNs / step) + 1) * step;
    if (atNs >= this.o.durationNs) return undefined;
    this.pendingNs = atNs;
    this.o.request(encodeCheckpointRequest(atNs));
    return atNs;
  }

  /** A message from host `from`'s checkpoint subject; true when it may complete the checkpoint. */
  add(bytes: Uint8Array, from: number): boolean {
    const frame = decodeCheckpointFrame(bytes);
    if (frame === undefined || from >= this.o.hostCount) return (this.malformed++, false);
    if (frame.kind === "other-version") {
      if (this.disabledReason === undefined)
        this.disable(versionMismatch(`host ${from}`, frame.version, "this coordinator"));
      this.pendingNs = undefined;
      return true;
    }
    if (frame.atNs !== this.pendingNs) return (this.malformed++, false);
    if (frame.count === 0) {
      this.disable(`host ${from} cannot take one: ${new TextDecoder().decode(frame.chunk)}`);
      this.pendingNs = undefined;
      return true;
    }
    const known = this.counts[from]!;
    if ((known !== 0 && known !== frame.count) || this.chunks[from]![frame.index] !== undefined)
      return (this.malformed++, false);
    this.counts[from] = frame.count;
    this.chunks[from]![frame.index] = frame.chunk.slice();
    return true;
  }

  /**
   * Completes the pending checkpoint if every host's snapshot is in and the coordinator, having taken every
   * report up to it, waits at its boundary (`waitingAtNs`); `coordinator` snapshots the coordinator's state and
   * `control` (if any) the control layer's, at the same moment.
   */
  complete(waitingAtNs: number | undefined, coordinator: () => Uint8Array, control?: () => Uint8Array): void {
    const atNs = this.pendingNs;
    if (atNs === undefined || waitingAtNs !== atNs) return;
    if (
      this.chunks.some(
        (chunks, host) => this.counts[host] === 0 || chunks.filter((c) => c !== undefined).length !== this.counts[host],
      )
    )
      return;
    try {
      const hosts = this.chunks.map((chunks) => Buffer.concat(chunks));
      hosts.forEach(checkHostPart);
      this.o.save({
        atNs,
        coordinator: coordinator(),
        hosts,
        ...(control === undefined ? {} : { control: control() }),
      });
      this.saved++;
    } catch (error) {
      this.disable((error as Error).message);
    }
    this.lastNs = atNs;
    this.lastWallMs = this.clock.now();
    this.pendingNs = undefined;
    this.reset();
  }

  /** The boundary of the last checkpoint saved (or resumed from), ns; 0: none. */
  get lastSavedNs(): number {
    return this.lastNs;
  }

  /**
   * The run goes on without checkpoints (its results do not depend on them) but says so: a warning now, and the
   * reason in run-info.json. State that is not plain data is a programming error that
   * nodes/runtime/snapshot-coverage.test.ts catches for every example scenario.
   */
  private disable(reason: string): void {
    this.disabledReason = reason;
    this.o.log(`warning: checkpoints disabled, this run cannot be resumed or recovered: ${reason}`);
  }

  private reset(): void {
    this.chunks = Array.from({ length: this.o.hostCount }, () => []);
    this.counts = new Array<number>(this.o.hostCount).fill(0);
  }
}

/** A host's snapshot must be a host part of this checkpoint format (a host of another dctwin, a loss on the wire). */
function checkHostPart(bytes: Uint8Array, host: number): void {
  try {
    openPart("host", bytes);
  } catch (error) {
    throw new Error(`host ${host}'s snapshot is not one this dctwin can resume: ${(error as Error).message}`);
  }
}
