/** `dctwin report RUN_DIR`: a self-contained HTML report of a finished run (opens offline). */
import { join } from "node:path";
import type { Command } from "commander";
import { ReportInputError, writeReport } from "../../coordinator/observability/report/index.ts";
import { EXIT_INVALID } from "./flags.ts";

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description(
      "Write a self-contained HTML report of a finished run: headline figures, plots over simulated time, the full summary.",
    )
    .argument("<run-dir>", "results directory of a run")
    .option("-o, --output <file>", "HTML file to write (default: RUN_DIR/report.html)")
    .action((runDir: string, opts: { output?: string }) => {
      const out = opts.output ?? join(runDir, "report.html");
      try {
        writeReport(runDir, out);
      } catch (error) {
        if (!(error instanceof ReportInputError)) throw error;
        console.error(`error: ${error.message}`);
        process.exit(EXIT_INVALID);
      }
      console.log(out);
    });
}
