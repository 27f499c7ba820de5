/**
 * An analyst table as it is built: typed columns filled row by row, each row's cells in column order after the
 * keys every table starts with (run_id, scenario, t_start_s, t_end_s). Columns are filled directly (no object per
 * row read back by column name: most of building a large run's tables). With a sink, every `sink.rows` rows go to
 * it and the columns start again empty: a large run's table never has to fit in memory (parquet.ts).
 */
export type Cell = string | number | null;
export interface Column {
  name: string;
  type: "string" | "double" | "int";
  data: Cell[];
}
export type Table = Column[];
export type ColumnSpec = readonly (readonly [string, Column["type"]])[];

export const KEY_COLUMNS: ColumnSpec = [
  ["run_id", "string"],
  ["scenario", "string"],
  ["t_start_s", "double"],
  ["t_end_s", "double"],
];

/** The key cells of one interval's rows: run_id, scenario, t_start_s, t_end_s. */
export type RowKey = readonly [string, string, number, number];

/** Where a table's rows go a block at a time, in order; `end` once there are no more. */
export interface TableSink {
  rows: number;
  write(block: Table): void;
  end(): void;
}

export class TableColumns {
  /** The rows since the last block went to the sink (all of them without one). */
  readonly table: Table;
  /** The columns after the keys, in order. */
  private readonly cells: Cell[][];
  private readonly keys: Cell[][];
  private readonly sink: TableSink | undefined;

  /** `columns`: the table's own columns (the keys come first). */
  constructor(columns: ColumnSpec, sink?: TableSink) {
    this.table = [...KEY_COLUMNS, ...columns].map(([name, type]) => ({ name, type, data: [] }));
    this.keys = this.table.slice(0, KEY_COLUMNS.length).map((c) => c.data);
    this.cells = this.table.slice(KEY_COLUMNS.length).map((c) => c.data);
    this.sink = sink;
  }

  /** One row: the interval's key and the table's own cells, in column order. */
  add(key: RowKey, cells: readonly Cell[]): void {
    if (cells.length !== this.cells.length)
      throw new RangeError(`a row of ${cells.length} cells for ${this.cells.length} columns`);
    for (let k = 0; k < key.length; k++) this.keys[k]!.push(key[k]!);
    for (let c = 0; c < cells.length; c++) this.cells[c]!.push(cells[c] ?? null);
    if (this.sink !== undefined && this.keys[0]!.length >= this.sink.rows) this.flush();
  }

  /** The rows held go to the sink, which then ends. */
  end(): void {
    if (this.keys[0]!.length > 0) this.flush();
    this.sink?.end();
  }

  private flush(): void {
    this.sink?.write(this.table);
    for (const column of this.table) column.data.length = 0;
  }
}
