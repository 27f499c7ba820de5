/**
 * examples/fat-tree-k8.yaml (services and stores placed by rule on a k = 8 fat-tree, with call chains through
 * balancers, a read-mostly store and a full write-heavy one) in exact and in leap mode, compared by
 * `dctwin compare`: energy and throughput within 1%, mean response time within 5% and p99 within 15% (the issue's
 * tolerances), with the example's own balancers (least outstanding and round robin: their replicas' waits take
 * the stream's shape, docs/leap.md). Twenty simulated seconds: about 270,000 requests, so the throughputs'
 * Poisson noise (0.3% between the runs) is well inside 1%. Both runs take 2–5 minutes of wall time on the
 * shared machine.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { runOk } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";
import { compareRuns } from "../coordinator/compare.ts";

const dir = tempDir();
after(() => dir.remove());

const example = parse(readFileSync(join(import.meta.dirname, "../examples/fat-tree-k8.yaml"), "utf8"));
example.run = { ...example.run, duration: "20s", metrics_interval: "1s", warmup: "1s" };
const file = writeScenario(dir.path, "fat-tree-k8-components", example);

const run = (name: string, ...args: string[]) =>
  runOk(file, join(dir.path, name), ["--transport", "inproc", ...args], 1_800_000);

test("leap vs exact - fat-tree-k8's services and stores behind its balancers: energy, throughput, mean and p99 response", async (t) => {
  const exact = await run("exact");
  const leap = await run("leap", "--mode", "leap");
  const rows = new Map(compareRuns(exact, leap).map((r) => [r.figure, r]));
  const within = (figure: string, tolerance: number) => {
    const row = rows.get(figure);
    assert.ok(row?.relative != null, `${figure} is compared`);
    t.diagnostic(`${figure}: exact ${row.a}, leap ${row.b} (${(row.relative * 100).toFixed(2)}%)`);
    assert.ok(
      Math.abs(row.relative) <= tolerance,
      `${figure}: exact ${row.a}, leap ${row.b} (${(row.relative * 100).toFixed(2)}%, tolerance ${tolerance * 100}%)`,
    );
  };
  within("energy_j", 0.01);
  within("throughput_per_s", 0.01);
  within("throughput_per_s[shoppers]", 0.01);
  for (const group of ["", "[shoppers]", "[buyers]"]) within(`mean_response_s${group}`, 0.05);
  for (const group of ["[shoppers]", "[buyers]"]) within(`p99_response_s${group}`, 0.15);
});
