/**
 * The analyst tables (tables.ts) as Parquet and CSV files in RUN_DIR/tables/, written with hyparquet-writer
 * (MIT, maintained, one dependency: hyparquet, its reader). Strings are UTF-8 byte arrays, integers INT64,
 * other numbers DOUBLE; every column is optional (null where a value does not exist, e.g. a mean of nothing).
 *
 * They are built from intervals.jsonl read a line at a time and written a block of rows at a time (Parquet row
 * groups, CSV rows appended): a long run of a large scenario has gigabytes of intervals and tens of millions of
 * rows, which never have to be in memory at once (a 1 s run of leaf-spine-4k once ran out of heap here).
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileWriter, ParquetWriter, schemaFromColumnData } from "hyparquet-writer";
import { INTERVALS_FILE, openIntervalsFile } from "../observability/intervals-file.ts";
import { buildAnalystTables, csvRows, TABLE_NAMES, type Table } from "./tables.ts";
import { type ColumnSpec, KEY_COLUMNS, TableColumns, type TableSink } from "./table-columns.ts";

export const TABLES_DIR = "tables";

/**
 * Rows per block. The first block's row groups are of 1,000 and 100,000 rows, as hyparquet-writer makes them for
 * a whole table (a small run's files are the same as when tables were written whole); later blocks are one group.
 */
const BLOCK_ROWS = 101_000;
const FIRST_ROW_GROUPS = [1_000, 100_000];

function columnData(t: Table) {
  return t.map((c) => {
    if (c.type === "string") return { name: c.name, data: c.data as (string | null)[], type: "STRING" as const };
    if (c.type === "int")
      return {
        name: c.name,
        data: c.data.map((v) => (v === null ? null : BigInt(v as number))),
        type: "INT64" as const,
      };
    return { name: c.name, data: c.data as (number | null)[], type: "DOUBLE" as const };
  });
}

/** One table's two files, written a block of `rows` rows at a time. */
export class TableFiles implements TableSink {
  readonly rows: number;
  private readonly parquet: ParquetWriter;
  private readonly csv: number;
  private blocks = 0;

  constructor(dir: string, name: string, columns: ColumnSpec, rows = BLOCK_ROWS) {
    this.rows = rows;
    const empty = new TableColumns(columns).table;
    const schema = schemaFromColumnData({ columnData: columnData(empty) });
    this.parquet = new ParquetWriter({ writer: fileWriter(join(dir, `${name}.parquet`)), schema, createdBy: "dctwin" });
    this.csv = openSync(join(dir, `${name}.csv`), "w");
    writeSync(this.csv, `${[...KEY_COLUMNS, ...columns].map(([column]) => column).join(",")}\n`);
  }

  write(block: Table): void {
    // With the schema given, the columns carry no type of their own.
    const columns = columnData(block).map(({ name, data }) => ({ name, data }));
    const first = this.blocks++ === 0 && this.rows === BLOCK_ROWS;
    this.parquet.write({ columnData: columns, rowGroupSize: first ? FIRST_ROW_GROUPS : this.rows });
    writeSync(this.csv, csvRows(block));
  }

  end(): void {
    this.parquet.finish();
    closeSync(this.csv);
  }
}

/** Writes every table as NAME.parquet and NAME.csv in RUN_DIR/tables from RUN_DIR/intervals.jsonl; returns the names. */
export function writeAnalystTables(runDir: string, runId: string): string[] {
  const file = openIntervalsFile(join(runDir, INTERVALS_FILE), runId);
  const dir = join(runDir, TABLES_DIR);
  mkdirSync(dir, { recursive: true });
  // A run cut short (Ctrl-C) ends where it stopped: its last interval's rows end there, and so do its rates.
  const view = { ...file.view, durationNs: Math.min(file.view.durationNs, file.simTimeNs) };
  buildAnalystTables(
    view,
    (visit) => file.forEachRecord(visit),
    (name, columns) => new TableColumns(columns, new TableFiles(dir, name, columns)),
  );
  return TABLE_NAMES.flatMap((name) => [`${name}.parquet`, `${name}.csv`]);
}
