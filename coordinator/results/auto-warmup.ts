/**
 * The statistical batches of a `run.warmup: auto` run, made at its end once MSER-5 has found the warm-up
 * (warmup.ts). The irreversibility ledger's sums over the batches read each batch's record (exchange counters,
 * queue moves, link bytes), but no record is kept to the end: a large scenario's are megabytes each (leaf-spine-4k:
 * 9,216 link directions, 4,168 actors). The counters and link bytes are read back from intervals.jsonl, a line at a
 * time; the queue moves, which that file does not hold, from a part written beside it as each interval closed
 * (QUEUE_MOVES_FILE: one line per interval, its moves by actor and mechanism). All are integer counts, so the sums
 * are those the records would have given added up as they closed.
 */
import type { ResolvedScenario } from "../../nodes/runtime/topology.ts";
import type { IntervalRecord } from "../counts/aggregate.ts";
import { BatchTotals, type QueueMoves } from "../ledgers/batches.ts";
import type { LedgerSnapshot } from "../ledgers/snapshot.ts";
import { forEachLine } from "../observability/file-lines.ts";
import { openIntervalsFile } from "../observability/intervals-file.ts";
import { batchTotals } from "./interval-totals.ts";

/** The queue-moves part's name in RUN_DIR/.streaming/ (never a results file: removed with the other parts). */
export const QUEUE_MOVES_FILE = "queue-moves.jsonl";

type MoveRow = [actor: number, mechanism: string, up: number, down: number];

/** An interval's line of the queue-moves part. */
export function queueMovesLine(record: IntervalRecord): string {
  const rows = BatchTotals.queueMovesOf(record.transitions).map((m): MoveRow => [m.actor, m.mechanism, m.up, m.down]);
  return `${JSON.stringify({ index: record.index, moves: rows })}\n`;
}

/**
 * The batch totals after `scenario.run.warmupNs`: `series` holds every interval's snapshot (which says whether
 * it is a batch), `intervalsPath` is the finished intervals.jsonl, `movesPath` the queue-moves part.
 */
export function autoWarmupBatches(
  scenario: ResolvedScenario,
  series: readonly LedgerSnapshot[],
  intervalsPath: string,
  movesPath: string,
): BatchTotals {
  const batches = batchTotals(scenario, scenario.run.warmupNs);
  // A record read back has no transitions (the file holds none): `take` adds its counters and link bytes only.
  openIntervalsFile(intervalsPath).forEachRecord((record) => batches.take(record, series[record.index]!), {
    metrics: false,
  });
  forEachLine(movesPath, (line) => {
    if (line === "") return undefined;
    const { index, moves } = JSON.parse(line) as { index: number; moves: MoveRow[] };
    const snapshot = series[index];
    if (snapshot !== undefined && index >= batches.first)
      batches.takeQueueMoves(
        moves.map(([actor, mechanism, up, down]): QueueMoves => ({ actor, mechanism, up, down })),
        snapshot,
      );
    return undefined;
  });
  return batches;
}
