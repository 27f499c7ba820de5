/**
 * The coordinator's memory does not grow with the record of every metrics interval: the results take each
 * interval as it closes (coordinator/results/interval-stream.ts) and the aggregator lets the record go, keeping only
 * the latest few for the boundary relays. Counted, not measured: the records the aggregator holds after every
 * window, over a run of 20 intervals and one of 80. A run told to keep them (keepIntervalRecords) holds all, so the
 * count is of the records that would otherwise pile up. Results are the same either way.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import type { RunDriver } from "../coordinator/driver/run-driver.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { loadCooling, loadedZone } from "./support/cooling.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

async function heldRecords(durationS: number, outDir: string, keepIntervalRecords = false) {
  const cut = queueScenario({ rate: 2000, meanServiceMs: 0.2, cores: 2, durationS, intervalS: 0.01, warmupS: 0.02 });
  const { scenario } = validateScenario(cut, "bounded");
  let driver: RunDriver | undefined;
  let held = 0;
  let closed = 0;
  const result = await runTwin({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir,
    keepIntervalRecords,
    onDriver: (d) => {
      driver = d;
    },
    onWindow: () => {
      held = Math.max(held, driver!.partialOutcome("interrupted")!.aggregator.intervals.size);
    },
    onIntervalClosed: () => {
      closed++;
    },
  });
  held = Math.max(held, result.outcome.aggregator.intervals.size);
  return { held, closed };
}

test("interval records - the coordinator holds a few of them however many intervals the run has", async () => {
  const short = await heldRecords(0.2, join(dir.path, "short"));
  const long = await heldRecords(0.8, join(dir.path, "long"));
  assert.equal(short.closed, 20);
  assert.equal(long.closed, 80);
  assert.ok(short.held <= 3, `${short.held} records held over 20 intervals`);
  assert.equal(long.held, short.held, `${long.held} records held over 80 intervals, ${short.held} over 20`);

  const kept = await heldRecords(0.8, join(dir.path, "kept"), true);
  assert.equal(kept.held, 80, "told to keep them, the aggregator holds every record");
  for (const file of ["summary.json", "timeseries.csv", "links.csv", "thermo.csv", "intervals.jsonl"])
    assert.equal(
      readFileSync(join(dir.path, "long", file), "utf8"),
      readFileSync(join(dir.path, "kept", file), "utf8"),
      `${file}: the same whether the records were kept or taken as they closed`,
    );
});

test("interval records - the cooling relay reads interval j-2 from the few records kept: the same results as with every record", async () => {
  const { scenario } = loadCooling(loadedZone(20));
  const run = async (name: string, keepIntervalRecords: boolean) => {
    const outDir = join(dir.path, name);
    await runTwin({ scenario, hosts: 1, transport: "inproc", outDir, keepIntervalRecords });
    return readFileSync(join(outDir, "summary.json"), "utf8");
  };
  const taken = await run("cooling-taken", false);
  assert.ok(JSON.parse(taken).thermodynamics.heat.cooling_energy_j > 0, "the CRAC cools");
  assert.equal(taken, await run("cooling-kept", true));
});
