/**
 * The report as one self-contained HTML page: uPlot (MIT, ~50 kB minified, no dependencies) and its CSS are
 * inlined, the data is embedded as JSON, and a Content-Security-Policy forbids every network fetch, so the file
 * opens offline and from anywhere. The page sets `data-status` on <body> to "ok" once every chart is drawn (or
 * to the error), which tests read.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Figure } from "./dissipation.ts";
import type { PlotSpec } from "./plots.ts";
import type { Row, Section } from "./tables.ts";

const require = createRequire(import.meta.url);

function asset(path: string): string {
  return readFileSync(require.resolve(path), "utf8");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON safe inside <script>: no "</script" or "<!--" can appear. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function rowsTable(rows: Row[]): string {
  return `<table class="kv">${rows.map((r) => `<tr><th>${esc(r.label)}</th><td>${esc(r.value)}</td></tr>`).join("")}</table>`;
}

function sectionHtml(s: Section): string {
  const tables = s.tables
    .map(
      (t) =>
        `<h4>${esc(t.title)}</h4><div class="scroll"><table class="grid"><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>${t.rows
          .map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join("")}</tr>`)
          .join(
            "",
          )}</table></div>${t.more > 0 ? `<p class="note">… and ${t.more} more rows (summary.json has them all).</p>` : ""}`,
    )
    .join("");
  return `<details><summary>${esc(s.title)}</summary>${s.rows.length > 0 ? rowsTable(s.rows) : ""}${tables}</details>`;
}

function figureSectionHtml(section: { title: string; figures: Figure[] }): string {
  const figures = section.figures.map(
    (f) =>
      `<div class="plot"><h3>${esc(f.title)}</h3>${f.note ? `<p class="note">${esc(f.note)}</p>` : ""}<div class="scroll">${f.html}</div></div>`,
  );
  return `<h2>${esc(section.title)}</h2>\n<div class="figs">\n${figures.join("\n")}\n</div>`;
}

export interface ReportPage {
  title: string;
  subtitle: string;
  headline: Row[];
  plots: PlotSpec[];
  /** Pre-drawn figures (inline SVG and tables) under their section headings; empty sections are left out. */
  figureSections: { title: string; figures: Figure[] }[];
  /** Faults in force over simulated time, shaded on every time plot. */
  faults: { label: string; from_s: number; to_s: number }[];
  sections: Section[];
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #1d1d1f; }
h1 { font-size: 22px; margin-bottom: 0; } .sub { color: #666; margin-top: 4px; }
h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; align-items: start; }
.plots > .plot:last-child:nth-child(odd) { grid-column: 1 / -1; }
.plot { border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; background: #fff; }
.plot h3 { font-size: 14px; margin: 0 0 4px; } .note { color: #777; font-size: 12px; margin: 2px 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.kv th { text-align: left; font-weight: normal; color: #555; padding: 2px 16px 2px 0; } table.kv td { padding: 2px 0; }
table.grid th, table.grid td { border: 1px solid #e3e3e3; padding: 2px 6px; text-align: right; } table.grid th { background: #f6f6f6; }
.figs { display: grid; gap: 16px; } .fig { max-width: 100%; height: auto; } td.path { text-align: left; }
.bar { display: inline-block; height: 10px; background: #d7301f; vertical-align: middle; }
.scroll { overflow-x: auto; } details { margin: 6px 0; } summary { cursor: pointer; font-weight: 600; }
`;

/** Draws every plot with uPlot; x is simulated seconds (not a date), shown in s, min or h by the run's length. */
const SCRIPT = `
(function () {
  var body = document.body;
  window.addEventListener("error", function (e) { body.setAttribute("data-status", "error: " + e.message); });
  try {
    var plots = JSON.parse(document.getElementById("report-data").textContent);
    var colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
    var drawn = 0;
    function fmt(v) {
      if (v === null || v === undefined) return "--";
      var a = Math.abs(v);
      return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4));
    }
    function ticks(u, splits) { return splits.map(fmt); }
    // Long runs read in minutes or hours (timeUnit), with ticks on whole ones (the data stay in seconds).
    var unit = JSON.parse(document.getElementById("report-time-unit").textContent);
    var incrs = unit.steps && unit.steps.map(function (k) { return k * unit.div; });
    function timeTicks(u, splits) { return splits.map(function (v) { return fmt(v / unit.div); }); }
    var faults = JSON.parse(document.getElementById("report-faults").textContent);
    // Faults in force, shaded on every time plot (under the series).
    function shadeFaults(u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      ctx.fillStyle = "rgba(214, 39, 40, 0.12)";
      faults.forEach(function (f) {
        var x0 = Math.max(u.bbox.left, u.valToPos(f.from_s, "x", true));
        var x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(f.to_s, "x", true));
        if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, height);
      });
      ctx.restore();
    }
    plots.forEach(function (p) {
      var el = document.getElementById("plot-" + p.id);
      if (p.series.length === 0) return;
      var width = Math.max(320, el.clientWidth - 16);
      var opts = {
        width: width, height: 260,
        hooks: { drawClear: [shadeFaults] },
        scales: { x: { time: false } },
        axes: [
          Object.assign({ label: "simulated time (" + unit.name + ")", values: timeTicks }, incrs ? { incrs: incrs } : {}),
          { label: p.unit, size: 76, values: ticks },
        ],
        series: [{ label: "t (" + unit.name + ")", value: function (u, v) { return fmt(v === null ? v : v / unit.div); } }].concat(p.series.map(function (s, i) {
          return { label: s.label, stroke: colors[i % colors.length], fill: p.fill ? colors[i % colors.length] + "40" : undefined, width: 1.5, spanGaps: false, points: { show: p.x.length < 40 }, value: function (u, v) { return fmt(v); } };
        })),
      };
      new uPlot(opts, [p.x].concat(p.series.map(function (s) { return s.values; })), el);
      drawn++;
    });
    body.setAttribute("data-charts", String(drawn));
    if (!body.hasAttribute("data-status")) body.setAttribute("data-status", "ok");
  } catch (e) {
    body.setAttribute("data-status", "error: " + (e && e.message ? e.message : String(e)));
  }
})();
`;

/** The unit simulated time reads in: minutes or hours for long runs, with the tick steps the axes may take. */
function timeUnit(plots: readonly PlotSpec[]): { div: number; name: string; steps: number[] | null } {
  const end = Math.max(0, ...plots.map((p) => p.x.at(-1) ?? 0));
  if (end >= 7200) return { div: 3600, name: "h", steps: [0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 96, 168, 336, 720] };
  if (end >= 300) return { div: 60, name: "min", steps: [0.5, 1, 2, 5, 10, 15, 30, 60] };
  return { div: 1, name: "s", steps: null };
}

export function renderReportHtml(page: ReportPage): string {
  const unit = timeUnit(page.plots);
  const uplot = asset("uplot/dist/uPlot.iife.min.js");
  const css = asset("uplot/dist/uPlot.min.css");
  // A plot with nothing to draw becomes a line of text, not an empty panel leaving a hole in the grid.
  const empty = page.plots.filter((p) => p.series.length === 0);
  const plots = page.plots
    .filter((p) => p.series.length > 0)
    .map(
      (p) =>
        `<div class="plot"><h3>${esc(p.title)}</h3>${p.note ? `<p class="note">${esc(p.note)}</p>` : ""}<div id="plot-${esc(p.id)}"></div></div>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(page.title)}</h1>
<p class="sub">${esc(page.subtitle)}</p>
<h2>Headline figures</h2>
${rowsTable(page.headline)}
<h2>Over simulated time</h2>
${empty.map((p) => `<p class="note">${esc(p.title)}: ${esc(p.note ?? "nothing to plot.")}</p>`).join("\n")}
${page.faults.length > 0 ? `<p class="note">Shaded: faults in force (${page.faults.map((f) => `${esc(f.label)} ${+(f.from_s / unit.div).toPrecision(6)}–${+(f.to_s / unit.div).toPrecision(6)} ${unit.name}`).join("; ")}).</p>` : ""}
<div class="plots">
${plots}
</div>
${page.figureSections
  .filter((s) => s.figures.length > 0)
  .map(figureSectionHtml)
  .join("\n")}
<h2>Run summary (summary.json)</h2>
${page.sections.map(sectionHtml).join("\n")}
<script>/* uPlot ${"1.6"} (MIT License, (c) Leon Sorokin, https://github.com/leeoniya/uPlot) */
${uplot.replace(/<\/script/gi, "<\\/script")}</script>
<script type="application/json" id="report-data">${scriptJson(page.plots.filter((p) => p.series.length > 0))}</script>
<script type="application/json" id="report-faults">${scriptJson(page.faults)}</script>
<script type="application/json" id="report-time-unit">${scriptJson(unit)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
