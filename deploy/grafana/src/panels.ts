/**
 * The dashboards' building blocks on @grafana/grafana-foundation-sdk: a panel is a title, a unit, a description
 * and PromQL queries over one run (`run="$run"`), laid out in rows of fixed-size cells so no panel leaves a hole.
 * Rates over simulated time divide a counter's increase by the simulated time that passed (the run may be paced
 * or faster than real time, so Prometheus' wall-clock `rate()` would mean something else).
 */
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from "@grafana/grafana-foundation-sdk/dashboard";
import {
  LegendDisplayMode,
  LegendPlacement,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

export const RUN = 'run="$run"';
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** Per simulated second over the rate window: increase of a counter over the simulated seconds that passed. */
export function perSimSecond(counterExpr: string): string {
  return `${counterExpr} / on(run) group_left() clamp_min(delta(dctwin_sim_time_seconds{${RUN}}[$__rate_interval]), 1e-9)`;
}

export interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  /** A Grafana unit id (watt, joule, celsius, s, ...) or a custom one ("suffix: k_B/s"). */
  unit: string;
  description: string;
  queries: Query[];
  kind?: "timeseries" | "stat";
  /** Needs a live run (wall-clock pace, windows, hosts): absent from a backfilled run's series. */
  live?: boolean;
  /** Shows only when the metric family it names exists (e.g. carbon, added by a newer dctwin). */
  optional?: string;
  stack?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  rows: RowSpec[];
  /** Faults from dctwin_fault_active as annotations on every time plot. */
  faultAnnotations?: boolean;
}

const HEIGHT = 8;

function target(q: Query, i: number): DataqueryBuilder {
  return new DataqueryBuilder()
    .expr(q.expr)
    .legendFormat(q.legend ?? "__auto")
    .refId(String.fromCharCode(65 + i))
    .datasource(DATASOURCE);
}

function panel(p: PanelSpec, id: number, x: number, y: number, width: number) {
  const builder = p.kind === "stat" ? new stat.PanelBuilder() : new timeseries.PanelBuilder();
  builder
    .id(id)
    .title(p.title)
    .description(p.description)
    .unit(p.unit)
    .datasource(DATASOURCE)
    .gridPos({ x, y, w: width, h: HEIGHT });
  p.queries.forEach((q, i) => builder.withTarget(target(q, i)));
  if (builder instanceof timeseries.PanelBuilder) {
    builder
      .fillOpacity(p.stack ? 40 : 10)
      .lineWidth(1)
      .legend(
        new VizLegendOptionsBuilder()
          .showLegend(true)
          .displayMode(LegendDisplayMode.List)
          .placement(LegendPlacement.Bottom),
      );
    if (p.stack) builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal).group("A"));
  }
  return builder;
}

export function buildDashboard(spec: DashboardSpec): Dashboard {
  const d = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(["dctwin", "generated"])
    .editable()
    .refresh("10s")
    .time({ from: "now-30m", to: "now" })
    .timezone("browser")
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"))
    .withVariable(
      new QueryVariableBuilder("run")
        .label("Run")
        .description("The run to show (label `run` on every dctwin series).")
        .datasource(DATASOURCE)
        .query("label_values(dctwin_run_info, run)")
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalDesc),
    );
  if (spec.faultAnnotations !== false) {
    d.annotation(
      new AnnotationQueryBuilder()
        .name("Faults")
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor("red")
        .expr(`dctwin_fault_active{${RUN}} == 1`)
        .step("1s")
        .titleFormat("{{fault}}")
        .textFormat("{{action}}")
        .useValueForTime(false),
    );
  }
  let y = 0;
  let id = 0;
  for (const row of spec.rows) {
    d.withRow(new RowBuilder(row.title).id(++id).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    row.panels.forEach((p, i) => {
      // Three to a line; a shorter last line shares the full width, so no row leaves a hole.
      const line = Math.floor(i / 3);
      const width = 24 / Math.min(3, row.panels.length - line * 3);
      d.withPanel(panel(p, ++id, (i % 3) * width, y + line * HEIGHT, width));
    });
    y += Math.ceil(row.panels.length / 3) * HEIGHT;
  }
  return d.build();
}

/** Every panel of a dashboard spec, with its row. */
export function panelsOf(spec: DashboardSpec): (PanelSpec & { row: string })[] {
  return spec.rows.flatMap((r) => r.panels.map((p) => ({ ...p, row: r.title })));
}
