/**
 * links.csv reduced to what the report plots of it: the bytes over all links per interval, and the rows of the
 * busiest link directions. Read a line at a time, twice (the busiest are known after the first pass): a long run of
 * a large scenario has millions of rows (leaf-spine-4k: 9,216 directions per interval), which as row objects took
 * gigabytes.
 */
import { existsSync } from "node:fs";
import { forEachLine } from "../file-lines.ts";
import type { Table } from "./load.ts";

export interface LinkTraffic {
  /** One row per interval in file order: t_start_s, t_end_s, bytes (over every link direction). */
  totals: Table;
  /** The rows of the `top` directions with the most bytes over the run, in file order. */
  busiest: Table;
  /** How many directions the file has. */
  directions: number;
}

/** The traffic of links.csv at `path` (none when there is no file), with the `top` busiest directions. */
export function readLinkTraffic(path: string, top: number): LinkTraffic {
  const traffic: LinkTraffic = { totals: [], busiest: [], directions: 0 };
  if (!existsSync(path)) return traffic;
  const bytesByDirection = new Map<string, number>();
  const totals = new Map<string, Table[number]>();
  forEachRow(path, (cell) => {
    const direction = String(cell("direction"));
    const bytes = Number(cell("bytes"));
    bytesByDirection.set(direction, (bytesByDirection.get(direction) ?? 0) + bytes);
    const key = `${cell("t_start_s")},${cell("t_end_s")}`;
    const total = totals.get(key) ?? { t_start_s: cell("t_start_s"), t_end_s: cell("t_end_s"), bytes: 0 };
    total.bytes = Number(total.bytes) + bytes;
    totals.set(key, total);
  });
  traffic.totals = [...totals.values()];
  traffic.directions = bytesByDirection.size;
  // The sort is stable: directions with equal bytes keep their order of first appearance.
  const busiest = new Set(
    [...bytesByDirection]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([d]) => d),
  );
  forEachRow(path, (cell, names) => {
    if (!busiest.has(String(cell("direction")))) return;
    const row: Table[number] = {};
    for (const name of names) row[name] = cell(name);
    traffic.busiest.push(row);
  });
  return traffic;
}

type Cell = string | number | null;

/** A results CSV field as the report reads it: empty is null, a number is a number, anything else its text. */
export function csvField(f: string): Cell {
  return f === "" ? null : Number.isFinite(Number(f)) ? Number(f) : f;
}

/**
 * Each data row of a results CSV (a header line, then plain comma-separated fields), as a reader of a field by
 * column name (csvField), and the column names.
 */
function forEachRow(path: string, visit: (cell: (name: string) => Cell, names: readonly string[]) => void): void {
  let names: string[] | undefined;
  let columns = new Map<string, number>();
  forEachLine(path, (line) => {
    if (line === "") return undefined;
    const fields = line.split(",");
    if (names === undefined) {
      names = fields;
      columns = new Map(fields.map((name, i) => [name, i]));
      return undefined;
    }
    visit((name) => csvField(fields[columns.get(name) ?? -1] ?? ""), names);
    return undefined;
  });
}
