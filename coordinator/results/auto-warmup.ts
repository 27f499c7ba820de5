/**
 * The statistical batches of a `run.warmup: auto` run, made at its end once MSER-5 has found the warm-up
 * (warmup.ts). The irreversibility ledger's sums over the batches read each batch's record (exchange counters,
 * queue moves, link bytes), but no record is kept to the end: a large scenario's are megabytes each (leaf-spine-4k:
 * 9,216 link directions, 4,168 actors). Each part comes from what is kept anyway, or small:
 * - the counters from the batch's ledger snapshot, which holds its record's (ledgers/snapshot.ts StoredSnapshot);
 * - the queue moves from a part written as each interval closed (QUEUE_MOVES_FILE: one line per interval, its
 *   moves by actor and mechanism; intervals.jsonl holds no transitions);
 * - the link bytes as the run's total (IntervalTotals.linkBytes) less the warm-up's, read back from the first lines
 *   of intervals.jsonl (MSER-5 truncates at most half the run, usually a few intervals).
 * All are whole-number counts, so the sums are those of adding the batches' records up as they closed.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { addLinkBytes, BatchTotals, isBatch, type QueueMoves } from "../ledgers/batches.ts";
import { storedSnapshot, type LedgerSnapshot } from "../ledgers/snapshot.ts";
import { forEachLine } from "../observability/file-lines.ts";
import { recordOfLine, type IntervalLine } from "../observability/intervals-file.ts";
import { batchTotals } from "./interval-totals.ts";

/** The queue-moves part's name in RUN_DIR/.streaming/ (never a results file: removed with the other parts). */
export const QUEUE_MOVES_FILE = "queue-moves.jsonl";

type MoveRow = [actor: number, mechanism: string, up: number, down: number];

/** An interval's line of the queue-moves part. */
export function queueMovesLine(record: IntervalRecord): string {
  const rows = BatchTotals.queueMovesOf(record.transitions).map((m): MoveRow => [m.actor, m.mechanism, m.up, m.down]);
  return `${JSON.stringify({ index: record.index, moves: rows })}\n`;
}

export interface AutoWarmupSources {
  /** Every interval's snapshot to the run's end. */
  series: readonly LedgerSnapshot[];
  /** Every interval's bytes by link direction (IntervalTotals.linkBytes). */
  linkBytes: Float64Array;
  /** The finished intervals.jsonl. */
  intervalsPath: string;
  /** The queue-moves part. */
  movesPath: string;
}

/** The batch totals after `scenario.run.warmupNs`. */
export function autoWarmupBatches(scenario: ResolvedScenario, from: AutoWarmupSources): BatchTotals {
  const batches = batchTotals(scenario, scenario.run.warmupNs);
  const { series } = from;
  forEachLine(from.movesPath, (line) => {
    if (line === "") return undefined;
    const { index, moves } = JSON.parse(line) as { index: number; moves: MoveRow[] };
    const snapshot = series[index];
    if (snapshot !== undefined && index >= batches.first)
      batches.takeApart(
        snapshot,
        storedSnapshot(snapshot).counters,
        moves.map(([actor, mechanism, up, down]): QueueMoves => ({ actor, mechanism, up, down })),
      );
    return undefined;
  });
  batches.linkBytes.set(from.linkBytes);
  let header = true;
  forEachLine(from.intervalsPath, (line) => {
    if (line.trim() === "") return undefined;
    if (header) {
      header = false;
      return undefined;
    }
    const record = recordOfLine(JSON.parse(line) as IntervalLine, { metrics: false });
    if (record.index >= batches.first) return false; // the warm-up's lines come first
    const snapshot = series[record.index];
    if (snapshot !== undefined && isBatch(snapshot, 0)) addLinkBytes(batches.linkBytes, record.links, -1);
    return undefined;
  });
  return batches;
}
