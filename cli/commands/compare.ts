/** `dctwin compare RUN_A RUN_B`: energy, throughput, mean and p99 response time of two runs, B relative to A. */
import type { Command } from "commander";
import { CompareInputError, compareRuns, formatComparison } from "../../coordinator/compare.ts";
import { EXIT_INVALID } from "./flags.ts";

export function registerCompareCommand(program: Command): void {
  program
    .command("compare")
    .description(
      "Compare two finished runs (e.g. exact vs leap mode): energy, PUE, throughput, mean and p99 response time, with B's relative difference from A.",
    )
    .argument("<run-a>", "results directory of the first run")
    .argument("<run-b>", "results directory of the second run")
    .option("--json", "print the rows as JSON")
    .action((runA: string, runB: string, opts: { json?: boolean }) => {
      try {
        const rows = compareRuns(runA, runB);
        console.log(opts.json ? JSON.stringify(rows, null, 2) : formatComparison(rows, runA, runB));
      } catch (error) {
        if (!(error instanceof CompareInputError)) throw error;
        console.error(`error: ${error.message}`);
        process.exit(EXIT_INVALID);
      }
    });
}
