/** `dctwin place FILE --hosts N`: how a scenario would be split over N hosts, without running it. */
import type { Command } from "commander";
import { planPlacement } from "../../coordinator/placement/place.ts";
import { describePlacement, type PlacementReport } from "../../coordinator/placement/report.ts";
import { loadScenarioFile } from "../../coordinator/scenario-loader.ts";
import { positiveInt } from "./flags.ts";
import { counted } from "./counted.ts";

export function registerPlaceCommand(program: Command): void {
  program
    .command("place")
    .description(
      "Show the placement of a scenario on N hosts: cut links, lookahead, expected cross-host traffic, actors per host.",
    )
    .argument("<file>", "scenario YAML file")
    .requiredOption("--hosts <n>", "number of host processes", positiveInt("--hosts"))
    .option("--json", "print the placement as JSON (with the host of every actor)")
    .action((file: string, opts: { hosts: number; json?: boolean }) => {
      const { scenario, warnings } = loadScenarioFile(file);
      for (const w of warnings) console.error(`warning: ${w}`);
      const report = describePlacement(scenario, planPlacement(scenario, opts.hosts), opts.hosts);
      console.log(
        opts.json
          ? JSON.stringify({ file, scenario: scenario.run.name, ...report }, null, 2)
          : formatReport(file, report),
      );
    });
}

function us(ns: number): string {
  return `${(ns / 1000).toLocaleString("en-US", { maximumFractionDigits: 3 })} us`;
}

function formatReport(file: string, r: PlacementReport): string {
  const lines = [`${file}: ${counted(r.actors, "actor")}, ${counted(r.links, "link")} on ${counted(r.hosts, "host")}`];
  const kept =
    r.kept_inside_below_ns === null
      ? "every link stays inside a host"
      : r.kept_inside_below_ns === 0
        ? "no latency threshold kept"
        : `links shorter than ${us(r.kept_inside_below_ns)} stay inside hosts`;
  lines.push(`  grouping       ${kept}; label level kept whole: ${r.label_level ?? "none"}`);
  lines.push(
    `  lookahead      ${r.lookahead_ns === null ? "none (no link is cut: windows run from boundary to boundary)" : `${us(r.lookahead_ns)} (shortest cut link, latency + one byte's serialization)`}`,
  );
  lines.push(
    `  cut links      ${r.cut_links.count} of ${r.links}${r.cut_links.shortest.length > 0 ? "; shortest:" : ""}`,
  );
  for (const l of r.cut_links.shortest)
    lines.push(`                   ${l.id}  ${us(l.delay_ns)}  (hosts ${l.hosts[0]} and ${l.hosts[1]})`);
  const source =
    r.traffic_estimate === "routes"
      ? `client rates along routes, ${Math.round(r.expected_hops_per_s).toLocaleString("en-US")} hops/s in all`
      : "uniform: no traffic estimate";
  lines.push(`  cross-host     ${(r.cross_host_hop_share * 100).toFixed(2)}% of expected packet hops (${source})`);
  lines.push("", "  host  actors  work share  by kind");
  for (const h of r.per_host) {
    const kinds = Object.entries(h.by_kind)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    lines.push(
      `  ${String(h.host).padStart(4)}  ${String(h.actors).padStart(6)}  ${`${(h.expected_work_share * 100).toFixed(1)}%`.padStart(10)}  ${kinds}`,
    );
  }
  const levels = Object.entries(r.label_groups);
  if (levels.length > 0) {
    lines.push("", "  label  groups  split  whole groups per host");
    for (const [level, g] of levels) {
      const split =
        g.split > 0 ? ` (split: ${g.split_examples.join(", ")}${g.split > g.split_examples.length ? ", .." : ""})` : "";
      lines.push(
        `  ${level.padEnd(5)}  ${String(g.groups).padStart(6)}  ${String(g.split).padStart(5)}  ${g.whole_per_host.join(" / ")}${split}`,
      );
    }
  }
  return lines.join("\n");
}
