/**
 * Trace replay in leap mode: the rows of a trace that fall in a step, as exact counts grouped by what tells
 * their packets apart (request type and size), so a step sends one packet per group with that multiplicity.
 *
 * The stream rate the servers' quasi-steady queues take as their slow variable (stream-rates.ts) is the trace's
 * local rate: the rows in a window centred on the step, widened from the step until it holds RATE_ROWS rows
 * (a 5% relative error) or spans RATE_STEPS steps. A step's own count would do, but its Poisson noise biases the
 * queues' mean wait upwards (it is convex in the rate); the trace is known ahead, so the window can be centred.
 */
import type { OpenLoopProcess } from "../models/arrivals.ts";

type TraceRows = Extract<OpenLoopProcess, { process: "trace" }>["rows"];

const RATE_ROWS = 400;
const RATE_STEPS = 100;

export interface TraceCursor {
  rows: TraceRows;
  /** Each row's type number (0, 1, .. in order of first appearance, as in exact mode). */
  kinds: number[];
  /** The first row not yet sent. */
  next: number;
}

export interface TraceGroup {
  kind: number;
  /** The rows' size, or undefined for the client's request_bytes. */
  bytes: number | undefined;
  count: number;
}

export function traceCursor(rows: TraceRows): TraceCursor {
  const types = new Map<string, number>();
  const kinds = rows.map((r) => {
    if (!types.has(r.type)) types.set(r.type, types.size);
    return types.get(r.type)!;
  });
  return { rows, kinds, next: 0 };
}

/**
 * The rows with `at` before `endNs` not sent yet (exact mode sends a row at its time; a step sends the rows of
 * its span), grouped by type and size in order of first appearance.
 */
export function takeTraceRows(cursor: TraceCursor, endNs: number): TraceGroup[] {
  const groups: TraceGroup[] = [];
  const index = new Map<string, TraceGroup>();
  const { rows, kinds } = cursor;
  while (cursor.next < rows.length && rows[cursor.next]!.at < endNs) {
    const row = rows[cursor.next]!;
    const kind = kinds[cursor.next]!;
    const key = `${kind}/${row.bytes ?? ""}`;
    let group = index.get(key);
    if (group === undefined) {
      group = { kind, bytes: row.bytes, count: 0 };
      index.set(key, group);
      groups.push(group);
    }
    group.count++;
    cursor.next++;
  }
  return groups;
}

/** The first row at or after `t` (ns). */
function firstAtOrAfter(rows: TraceRows, t: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The trace's local rate (per s) around `midNs`: rows in a centred window of one step or more (see above). */
export function traceRatePerS(cursor: TraceCursor, midNs: number, stepNs: number): number {
  const { rows } = cursor;
  let width = stepNs;
  for (;;) {
    const from = Math.max(0, midNs - width / 2);
    const to = midNs + width / 2;
    const n = firstAtOrAfter(rows, to) - firstAtOrAfter(rows, from);
    if (n >= RATE_ROWS || width >= RATE_STEPS * stepNs) return (n / (to - from)) * 1e9;
    width = Math.min(RATE_STEPS * stepNs, width * 2);
  }
}
