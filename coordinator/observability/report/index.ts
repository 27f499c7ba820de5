/** `dctwin report`: a results directory -> one self-contained HTML page (plots and tables). */
import { writeFileSync } from "node:fs";
import { dissipationFigures } from "./dissipation.ts";
import { basename, resolve } from "node:path";
import { experimentFigures, faultSpans } from "./experiment.ts";
import { renderReportHtml } from "./html.ts";
import { loadReportData } from "./load.ts";
import { buildPlots } from "./plots.ts";
import { headlineRows, summarySections } from "./tables.ts";

export { ReportInputError } from "./load.ts";
export { PLOT_BUILDERS, type PlotBuilder, type PlotSpec } from "./plots.ts";

export function buildReportHtml(runDir: string): string {
  const data = loadReportData(runDir);
  const s = data.summary;
  const runId = typeof data.runInfo?.run_id === "string" ? data.runInfo.run_id : "";
  const started = typeof data.runInfo?.started_at === "string" ? `, started ${data.runInfo.started_at}` : "";
  return renderReportHtml({
    title: `dctwin run report: ${String(s.scenario ?? "?")}`,
    // The directory's name only: a report is shared, the local path means nothing elsewhere.
    subtitle: `${runId === "" ? "" : `run ${runId}, `}seed ${String(s.seed ?? "?")}, ${String(s.status ?? "?")}${started}; results directory ${basename(resolve(runDir))}`,
    faults: faultSpans(data),
    headline: headlineRows(data),
    plots: buildPlots(data),
    figureSections: [
      { title: "Experiment", figures: experimentFigures(data) },
      { title: "Where entropy is produced", figures: dissipationFigures(data) },
    ],
    sections: summarySections(s),
  });
}

export function writeReport(runDir: string, outFile: string): void {
  writeFileSync(outFile, buildReportHtml(runDir));
}
