/**
 * Reads a results directory for the report: summary.json and run-info.json as plain JSON (read generically, so
 * new summary sections show up without code changes), the per-interval CSVs as tables, and intervals.jsonl when
 * present (reduced a record at a time to the series the report plots). Missing files are left out, never fatal, except summary.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { INTERVALS_FILE } from "../intervals-file.ts";
import { type IntervalSeries, readIntervalSeries } from "./interval-series.ts";
import { csvField, type LinkTraffic, readLinkTraffic } from "./link-traffic.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A CSV file as rows of named fields; numeric-looking fields are numbers, empty ones null. */
export type Table = Record<string, string | number | null>[];

export interface ReportData {
  runDir: string;
  summary: Record<string, Json>;
  runInfo: Record<string, Json> | null;
  timeseries: Table;
  /** tables/drops.csv: packets dropped per interval and reason (explicit zeros). */
  drops: Table;
  /** links.csv's traffic: the total per interval and the busiest directions' rows. */
  linkTraffic: LinkTraffic;
  thermo: Table;
  /** intervals.jsonl's run view and the per-interval series the report plots from its energy and counters. */
  intervals: IntervalSeries | null;
  /** experiment.json of runs with an experiment or the control API. */
  experiment: Record<string, Json> | null;
}

/** Link directions the report plots on their own (big topologies stay readable). */
const BUSIEST_LINK_DIRECTIONS = 8;

export class ReportInputError extends Error {
  override name = "ReportInputError";
}

export function loadReportData(runDir: string): ReportData {
  const summaryPath = join(runDir, "summary.json");
  if (!existsSync(summaryPath)) throw new ReportInputError(`${runDir} is not a results directory: no summary.json`);
  const json = (file: string) =>
    existsSync(join(runDir, file))
      ? (JSON.parse(readFileSync(join(runDir, file), "utf8")) as Record<string, Json>)
      : null;
  const csv = (file: string) =>
    existsSync(join(runDir, file)) ? parseCsv(readFileSync(join(runDir, file), "utf8")) : [];
  const runInfo = json("run-info.json");
  return {
    runDir,
    summary: json("summary.json")!,
    runInfo,
    timeseries: csv("timeseries.csv"),
    drops: csv(join("tables", "drops.csv")),
    linkTraffic: readLinkTraffic(join(runDir, "links.csv"), BUSIEST_LINK_DIRECTIONS),
    thermo: csv("thermo.csv"),
    experiment: json("experiment.json"),
    intervals: existsSync(join(runDir, INTERVALS_FILE))
      ? readIntervalSeries(join(runDir, INTERVALS_FILE), typeof runInfo?.run_id === "string" ? runInfo.run_id : "")
      : null,
  };
}

/** The results CSVs: a header line, then plain comma-separated fields (no quoting is ever needed in them). */
export function parseCsv(text: string): Table {
  const [head, ...lines] = text.split("\n").filter((l) => l !== "");
  if (head === undefined) return [];
  const names = head.split(",");
  return lines.map((line) => {
    const fields = line.split(",");
    const row: Table[number] = {};
    names.forEach((name, i) => {
      row[name] = csvField(fields[i] ?? "");
    });
    return row;
  });
}
