import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { emptyInterval, RunAggregator } from "../coordinator/counts/aggregate.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { openIntervalsFile } from "../coordinator/observability/intervals-file.ts";
import { IntervalStream } from "../coordinator/results/interval-stream.ts";
import { STREAMING_DIR } from "../coordinator/results/streamed-file.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dctwin-stream-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const scenario = loadScenarioFile(join(root, "examples", "tiny.yaml")).scenario;
const intervalNs = scenario.run.metricsIntervalNs;

/** A stream that took `n` (empty) intervals into `out`. */
function streamed(out: string, n: number): IntervalStream {
  const stream = new IntervalStream(scenario, out);
  for (let i = 0; i < n; i++) stream.take(emptyInterval(i), (i + 1) * intervalNs);
  return stream;
}

test("interval stream - finished, the parts become the results files and .streaming is gone", async () => {
  const out = join(dir, "finished");
  const stream = streamed(out, 2);
  assert.ok(existsSync(join(out, STREAMING_DIR, "timeseries.csv")), "the parts grow in RUN_DIR/.streaming/");
  stream.finish(new RunAggregator(intervalNs), 2 * intervalNs);
  stream.close(); // as runTwin's clean-up does after the results were written
  assert.equal(openIntervalsFile(join(out, "intervals.jsonl")).simTimeNs, 2 * intervalNs);
  const file = openIntervalsFile(join(out, "intervals.jsonl"));
  const visited: number[] = [];
  file.forEachRecord((r) => visited.push(r.index));
  const iterated: number[] = [];
  for await (const r of file.records()) iterated.push(r.index);
  assert.deepEqual(visited, [0, 1]);
  assert.deepEqual(iterated, [0, 1], "read as visited, or a record at a time for a reader that awaits");
  assert.deepEqual(readdirSync(out).sort(), ["intervals.jsonl", "links.csv", "thermo.csv", "timeseries.csv"]);
});

test("interval stream - closed without results (the run threw before writing them), its parts are removed", () => {
  const out = join(dir, "closed");
  streamed(out, 3).close();
  assert.deepEqual(readdirSync(out), [], "no hidden leftovers, and no half-written results files");
});

test("interval stream - a process that exits at once (a second Ctrl-C: process.exit) leaves no parts behind", () => {
  const out = join(dir, "exited");
  const script = `
    const { loadScenarioFile } = await import(${JSON.stringify(join(root, "coordinator/scenario-loader.ts"))});
    const { IntervalStream } = await import(${JSON.stringify(join(root, "coordinator/results/interval-stream.ts"))});
    const { emptyInterval } = await import(${JSON.stringify(join(root, "coordinator/counts/aggregate.ts"))});
    const scenario = loadScenarioFile(${JSON.stringify(join(root, "examples", "tiny.yaml"))}).scenario;
    const stream = new IntervalStream(scenario, ${JSON.stringify(out)});
    stream.take(emptyInterval(0), scenario.run.metricsIntervalNs);
    console.log(require("node:fs").existsSync(${JSON.stringify(join(out, STREAMING_DIR))}));
    process.exit(130);`.replace("require", "process.getBuiltinModule");
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.status, 130, child.stderr);
  assert.equal(child.stdout.trim(), "true", "the parts existed while the stream was open");
  assert.deepEqual(readdirSync(out), []);
});
