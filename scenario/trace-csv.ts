/**
 * Request traces as CSV: one request per line, `time,type,size` (time since the start: seconds or a duration
 * like "1.5ms"; type: any name; size: bytes or a size like "2KiB"; type and size may be empty). A header line
 * (e.g. `time,type,size`) names the columns in any order; `#` lines are comments. The loader inlines the rows
 * into the scenario, so hosts never read files.
 */
import type { ReadReferencedFile } from "./kinds.ts";
import { duration, size } from "../spec/units.ts";

export interface TraceRow {
  at: number;
  type: string;
  bytes?: number;
}

const COLUMN_NAMES: Record<string, keyof TraceRow> = {
  time: "at",
  at: "at",
  t: "at",
  timestamp: "at",
  type: "type",
  kind: "type",
  class: "type",
  size: "bytes",
  bytes: "bytes",
  size_bytes: "bytes",
};

/** Parses CSV text into rows (time in ns); problems name their line. */
export function parseTraceCsv(text: string): { rows: TraceRow[]; problems: string[] } {
  const rows: TraceRow[] = [];
  const problems: string[] = [];
  let columns: (keyof TraceRow | null)[] = ["at", "type", "bytes"];
  let first = true;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const cells = line.split(",").map((c) => c.trim());
    if (first) {
      first = false;
      if (/^[a-z_]+$/i.test(cells[0]!)) {
        columns = cells.map((c) => COLUMN_NAMES[c.toLowerCase()] ?? null);
        if (!columns.includes("at"))
          problems.push(`line ${i + 1}: the header has no time column (time, at, t or timestamp)`);
        return;
      }
    }
    const row: TraceRow = { at: 0, type: "" };
    let ok = true;
    columns.forEach((column, c) => {
      const cell = cells[c] ?? "";
      if (column === null) return;
      if (column === "type") row.type = cell;
      else if (column === "at" || cell !== "") {
        const value = /^\d+(\.\d+)?(e[+-]?\d+)?$/i.test(cell) ? Number(cell) : cell;
        const parsed = (column === "at" ? duration({ positive: false }) : size()).safeParse(value);
        if (parsed.success) row[column] = parsed.data;
        else {
          ok = false;
          // Without the "(got ...)" part: a problem names the line, never repeats the file's content.
          problems.push(
            `line ${i + 1}: ${column === "at" ? "time" : "size"}: ${(parsed.error.issues[0]?.message ?? "invalid").replace(/ \(got .*\)$/, "")}`,
          );
        }
      }
    });
    if (!ok) return;
    const previous = rows[rows.length - 1];
    if (previous !== undefined && row.at < previous.at) problems.push(`line ${i + 1}: times must not decrease`);
    rows.push(row);
  });
  if (rows.length === 0 && problems.length === 0) problems.push("the trace has no rows");
  return { rows, problems };
}

/** Reads a trace file named relative to the scenario's folder (and confined to it). */
export function readTraceCsv(file: string, read: ReadReferencedFile): { rows: TraceRow[]; problems: string[] } {
  const text = read(file);
  return "problem" in text ? { rows: [], problems: [text.problem] } : parseTraceCsv(text.text);
}

/**
 * A client's fields with `arrivals: {process: trace, file}` turned into inline `rows` (times as exact "…ns"
 * strings); other fields pass unchanged. Problems are keyed by the field they concern.
 */
export function inlineTraceFile(
  fields: Record<string, unknown>,
  read: ReadReferencedFile,
): { fields: Record<string, unknown>; issues: { key: string; message: string }[] } {
  const arrivals = fields.arrivals;
  if (
    typeof arrivals !== "object" ||
    arrivals === null ||
    (arrivals as { process?: unknown }).process !== "trace" ||
    !("file" in arrivals)
  )
    return { fields, issues: [] };
  const { file, ...rest } = arrivals as Record<string, unknown>;
  if (typeof file !== "string")
    return {
      fields,
      issues: [{ key: "arrivals.file", message: "expected the path of a CSV file (relative to the scenario file)" }],
    };
  if ("rows" in rest)
    return { fields, issues: [{ key: "arrivals.file", message: "give either rows or file, not both" }] };
  const { rows, problems } = readTraceCsv(file, read);
  const inline = rows.map((r) => ({
    at: `${r.at}ns`,
    type: r.type,
    ...(r.bytes === undefined ? {} : { bytes: r.bytes }),
  }));
  return {
    fields: { ...fields, arrivals: { ...rest, rows: inline } },
    issues: problems.map((message) => ({ key: "arrivals.file", message })),
  };
}
