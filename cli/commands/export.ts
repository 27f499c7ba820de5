/** `dctwin export --openmetrics RUN_DIR`: a finished run's series as OpenMetrics text with simulated timestamps. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { exportOpenMetrics } from "../../coordinator/observability/openmetrics/export.ts";
import { AGGREGATION_LEVELS, DEFAULT_AGGREGATION_LEVEL, type AggregationLevel } from "../../coordinator/observability/levels.ts";
import { IntervalsFileError } from "../../coordinator/observability/intervals-file.ts";
import { EXIT_INVALID } from "./flags.ts";

function originFlag(value: string): number {
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n)) return n;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError("expects Unix seconds or an ISO 8601 time, e.g. 2024-01-01T00:00:00Z");
  return ms / 1000;
}

export function registerExportCommand(program: Command): void {
  program
    .command("export")
    .description(
      "Export a finished run's metrics (from its results directory) with simulated timestamps. Backfill Prometheus with: promtool tsdb create-blocks-from openmetrics FILE DATA_DIR",
    )
    .argument("<run-dir>", "results directory of a run (needs intervals.jsonl)")
    .option("--openmetrics", "OpenMetrics text format (the only format so far)")
    .option("--origin <time>", "wall-clock time of simulated time zero: Unix seconds or ISO 8601 (default: when the run started; 0 = the Unix epoch)", originFlag)
    .addOption(new Option("--metrics-level <level>", "finest aggregation of per-entity series").choices([...AGGREGATION_LEVELS]).default(DEFAULT_AGGREGATION_LEVEL))
    .option("-o, --output <file>", "write to this file instead of standard output")
    .action(async (runDir: string, opts: { openmetrics?: boolean; origin?: number; metricsLevel: AggregationLevel; output?: string }) => {
      if (!opts.openmetrics) throw new InvalidArgumentError("choose a format: --openmetrics");
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
    });
}
