/** `dctwin export --openmetrics RUN_DIR`: a finished run's series as OpenMetrics text with simulated timestamps. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { exportOpenMetrics } from "../../coordinator/observability/openmetrics/export.ts";
import {
  AGGREGATION_LEVELS,
  DEFAULT_AGGREGATION_LEVEL,
  type AggregationLevel,
} from "../../coordinator/observability/levels.ts";
import { IntervalsFileError, INTERVALS_FILE } from "../../coordinator/observability/intervals-file.ts";
import { TABLES_DIR, writeAnalystTables } from "../../coordinator/results/parquet.ts";
import { EXIT_INVALID } from "./flags.ts";

function originFlag(value: string): number {
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n)) return n;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError("expects Unix seconds or an ISO 8601 time, e.g. 2024-01-01T00:00:00Z");
  return ms / 1000;
}

export function registerExportCommand(program: Command): void {
  program
    .command("export")
    .description(
      "Export a finished run's metrics (from its results directory) with simulated timestamps. Backfill Prometheus with: promtool tsdb create-blocks-from openmetrics FILE DATA_DIR",
    )
    .argument("<run-dir>", "results directory of a run (needs intervals.jsonl)")
    .option("--openmetrics", "OpenMetrics text format, to standard output (or --output)")
    .option(
      "--parquet",
      "the analyst tables (Parquet and CSV, with run_id and scenario columns) into RUN_DIR/tables/, for runs written before dctwin made them",
    )
    .option(
      "--origin <time>",
      "wall-clock time of simulated time zero: Unix seconds or ISO 8601 (default: when the run started; 0 = the Unix epoch)",
      originFlag,
    )
    .addOption(
      new Option("--metrics-level <level>", "finest aggregation of per-entity series")
        .choices([...AGGREGATION_LEVELS])
        .default(DEFAULT_AGGREGATION_LEVEL),
    )
    .option("-o, --output <file>", "write to this file instead of standard output")
    .action(
      async (
        runDir: string,
        opts: {
          openmetrics?: boolean;
          parquet?: boolean;
          origin?: number;
          metricsLevel: AggregationLevel;
          output?: string;
        },
      ) => {
        if (opts.parquet === true) {
          try {
            if (!existsSync(join(runDir, INTERVALS_FILE)))
              throw new IntervalsFileError(
                `${runDir} has no ${INTERVALS_FILE} (results written by an older dctwin: run the scenario again)`,
              );
            const written = writeAnalystTables(runDir, runIdOf(runDir));
            console.error(`wrote ${written.length} files to ${join(runDir, TABLES_DIR)}`);
          } catch (error) {
            if (!(error instanceof IntervalsFileError)) throw error;
            console.error(`error: ${error.message}`);
            process.exit(EXIT_INVALID);
          }
          if (!opts.openmetrics) return;
        }
        if (!opts.openmetrics) throw new InvalidArgumentError("choose a format: --openmetrics or --parquet");
        let text: string;
        try {
          text = await exportOpenMetrics(runDir, { originS: opts.origin, level: opts.metricsLevel });
        } catch (error) {
          if (!(error instanceof IntervalsFileError)) throw error;
          console.error(`error: ${error.message}`);
          process.exit(EXIT_INVALID);
        }
        if (opts.output === undefined) process.stdout.write(text);
        else writeFileSync(opts.output, text);
      },
    );
}

/** The run id from run-info.json ("" when the file is missing). */
function runIdOf(runDir: string): string {
  try {
    return (JSON.parse(readFileSync(join(runDir, "run-info.json"), "utf8")) as { run_id?: string }).run_id ?? "";
  } catch {
    return "";
  }
}
