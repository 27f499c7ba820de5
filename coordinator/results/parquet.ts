/**
 * The analyst tables (tables.ts) as Parquet and CSV files in RUN_DIR/tables/, written with hyparquet-writer
 * (MIT, maintained, one dependency: hyparquet, its reader). Strings are UTF-8 byte arrays, integers INT64,
 * other numbers DOUBLE; every column is optional (null where a value does not exist, e.g. a mean of nothing).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { readIntervalsFile, INTERVALS_FILE, type IntervalsFile } from "../observability/intervals-file.ts";
import { analystTables, tableCsv, type Table } from "./tables.ts";

export const TABLES_DIR = "tables";

function parquetBytes(t: Table): Uint8Array {
  const columnData = t.map((c) => {
    if (c.type === "string") return { name: c.name, data: c.data as (string | null)[], type: "STRING" as const };
    if (c.type === "int")
      return {
        name: c.name,
        data: c.data.map((v) => (v === null ? null : BigInt(v as number))),
        type: "INT64" as const,
      };
    return { name: c.name, data: c.data as (number | null)[], type: "DOUBLE" as const };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: "dctwin" }));
}

/**
 * Writes every table as NAME.parquet and NAME.csv in RUN_DIR/tables; returns the file names written. `file`: the
 * run's intervals.jsonl as already in memory (the end of a run), else it is read from RUN_DIR (an export).
 */
export function writeAnalystTables(runDir: string, runId: string, file?: IntervalsFile): string[] {
  const { view, intervals } = file ?? readIntervalsFile(join(runDir, INTERVALS_FILE), runId);
  const dir = join(runDir, TABLES_DIR);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, t] of Object.entries(analystTables(view, intervals))) {
    writeFileSync(join(dir, `${name}.parquet`), parquetBytes(t));
    writeFileSync(join(dir, `${name}.csv`), tableCsv(t));
    written.push(`${name}.parquet`, `${name}.csv`);
  }
  return written;
}
