/**
 * Throughput means responses per simulated second of the window the metrics count: `dctwin compare` and the
 * report's headline divide the post-warm-up count by that window (from `measured_from_s`, the first metrics
 * interval starting at or after the warm-up), not by the whole run. Checked against timeseries.csv's counts of the
 * same window, and against summaries written before `measured_from_s` (from the warm-up's end).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { compareRuns } from "../coordinator/compare.ts";
import { loadReportData } from "../coordinator/observability/report/load.ts";
import { formatValue, headlineRows } from "../coordinator/observability/report/tables.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir("dctwin-throughput-");
after(() => dir.remove());

/** Responses counted in timeseries.csv from `fromS` on. */
function responsesFrom(runDir: string, fromS: number): number {
  const [head, ...rows] = readFileSync(join(runDir, "timeseries.csv"), "utf8").trim().split("\n");
  const col = (name: string) => head!.split(",").indexOf(name);
  return rows
    .map((r) => r.split(","))
    .filter((f) => f[col("metric")] === "response_time_s" && Number(f[col("t_start_s")]) >= fromS)
    .reduce((n, f) => n + Number(f[col("count")]), 0);
}

test("throughput - compare and the report divide the post-warm-up count by the window it covers", async () => {
  // A warm-up of 650 ms with 100 ms intervals: the metrics start at 0.7 s, and cover 4.3 s of the 5 s run.
  const scenario = queueScenario({ rate: 500, meanServiceMs: 1, cores: 1, durationS: 5, intervalS: 0.1 });
  (scenario.run as Record<string, unknown>).warmup = "650ms";
  const { summary, outDir } = await runScenario(scenario, dir.path, { name: "window" });
  assert.equal(summary.measured_from_s, 0.7);
  const responses = responsesFrom(outDir, 0.7);
  assert.equal(summary.metrics.response_time_s!.client!.count, responses);
  assert.ok(responses > 1500, `${responses} responses`);

  const figure = (name: string) => compareRuns(outDir, outDir).find((f) => f.figure === name)!.a!;
  assert.ok(Math.abs(figure("throughput_per_s[client]") - responses / 4.3) < 1e-9);
  assert.ok(Math.abs(figure("throughput_per_s") - responses / 4.3) < 1e-9);
  const headline = new Map(headlineRows(loadReportData(outDir)).map((r) => [r.label, r.value]));
  assert.equal(headline.get("throughput (client)"), `${formatValue(responses / 4.3)} responses/s`);
  assert.match(headline.get("response time mean (client)") ?? "", /^[\d.]+ ms \(95% CI [\d.]+ – [\d.]+ ms\)$/);

  // A summary from before measured_from_s: the window starts at the warm-up's end.
  const old = JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")) as Record<string, unknown>;
  delete old.measured_from_s;
  writeFileSync(join(outDir, "summary.json"), JSON.stringify(old));
  assert.ok(Math.abs(figure("throughput_per_s") - responses / 4.35) < 1e-9);
});
