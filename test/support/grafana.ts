/** The PromQL of a dashboard panel as Grafana would send it for one run (variables substituted). */
import type { PanelSpec } from "../../deploy/grafana/src/panels.ts";

export function panelQueries(
  panel: PanelSpec,
  runId: string,
  rateInterval: string,
): { expr: string; optionalFamily?: string }[] {
  const optionalFamily =
    panel.optional === undefined
      ? undefined
      : panel.optional === "carbon"
        ? `{__name__=~"dctwin_.*carbon.*", run="${runId}"}`
        : `${panel.optional}{run="${runId}"}`;
  return panel.queries.map((q) => ({
    expr: q.expr.replaceAll("$run", runId).replaceAll("$__rate_interval", rateInterval),
    optionalFamily,
  }));
}
