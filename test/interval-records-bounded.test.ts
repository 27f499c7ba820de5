/**
 * The coordinator's memory does not grow with the record of every metrics interval: the results take each
 * interval as it closes (coordinator/results/interval-stream.ts) and the aggregator lets the record go, keeping only
 * the latest few for the boundary relays. Counted, not measured: the records the aggregator holds after every
 * window, over a run of 20 intervals and one of 80. A run told to keep them (keepIntervalRecords) holds all, so the
 * count is of the records that would otherwise pile up. Results are the same either way. Neither a warm-up found at
 * the end (`run.warmup: auto`, whose batches are read back: results/auto-warmup.ts) nor an experiment (whose checks
 * read interval summaries) keeps them.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { runControlled, type ControlledRunOptions } from "../coordinator/session.ts";
import { emptyPlan } from "../coordinator/control/plan.ts";
import type { RunDriver } from "../coordinator/driver/run-driver.ts";
import { loadScenarioFile, validateScenario } from "../coordinator/scenario-loader.ts";
import { transitionTotals } from "../coordinator/counts/transitions.ts";
import { exchangeOf } from "../coordinator/ledgers/mechanisms.ts";
import { STREAMING_DIR } from "../coordinator/results/streamed-file.ts";
import { fileURLToPath } from "node:url";
import { loadCooling, loadedZone } from "./support/cooling.ts";
import { queueScenario, tempDir } from "./support/scenarios.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const dir = tempDir();
after(() => dir.remove());

type Held = { keepIntervalRecords?: boolean; warmupAuto?: boolean; experiment?: boolean };

async function heldRecords(durationS: number, outDir: string, how: Held = {}) {
  const cut = queueScenario({ rate: 2000, meanServiceMs: 0.2, cores: 2, durationS, intervalS: 0.01, warmupS: 0.02 });
  if (how.warmupAuto === true) (cut.run as Record<string, unknown>).warmup = "auto";
  const { scenario } = validateScenario(cut, "bounded");
  let driver: RunDriver | undefined;
  let held = 0;
  let closed = 0;
  const run =
    how.experiment === true ? (o: ControlledRunOptions) => runControlled({ ...o, plan: emptyPlan() }) : runTwin;
  const result = await run({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir,
    keepIntervalRecords: how.keepIntervalRecords,
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

  const kept = await heldRecords(0.8, join(dir.path, "kept"), { keepIntervalRecords: true });
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

test("interval records - a warm-up found at the end and an experiment hold a few of them too", async () => {
  for (const how of [{ warmupAuto: true }, { experiment: true }, { warmupAuto: true, experiment: true }]) {
    const name = Object.keys(how).join("-");
    const { held, closed } = await heldRecords(0.8, join(dir.path, name), how);
    assert.equal(closed, 80);
    assert.ok(held <= 3, `${name}: ${held} records held over 80 intervals`);
    assert.ok(!existsSync(join(dir.path, name, STREAMING_DIR)), `${name}: no part is left behind`);
  }
});

test("interval records - warm-up auto: the batches read back from the results add up to what the records hold", async () => {
  const { scenario, experiment } = loadScenarioFile(join(root, "examples", "tiny-chaos.yaml"), { durationNs: 40e9 });
  const auto = { ...scenario, run: { ...scenario.run, warmupAuto: true as const } };
  const result = await runControlled({
    scenario: auto,
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "chaos-auto"),
    plan: experiment!.plan,
    keepIntervalRecords: true, // read here, to add the batches up independently
  });
  const { irreversibility } = result.summary.thermodynamics as unknown as { irreversibility: Irreversibility };
  const first = Math.ceil((result.summary.settings.warmup_s * 1e9) / auto.run.metricsIntervalNs);
  assert.ok(first > 0, "the link cut and the load ramp make a warm-up");
  const after = result.outcome.aggregator.intervalList(result.outcome.simTimeNs).filter((r) => r.index >= first);
  const moves = new Map<string, [number, number]>();
  const created = new Map<string, number>();
  for (const record of after) {
    for (const t of transitionTotals(record.transitions)) {
      const key = `${auto.actors[t.actor]!.id}|${t.mechanism}`;
      const [up, down] = moves.get(key) ?? [0, 0];
      moves.set(key, t.toState > t.fromState ? [up + t.count, down] : [up, down + t.count]);
    }
    for (const [actor, counters] of record.counters)
      for (const [name, value] of counters)
        if (exchangeOf(name)?.kind === "create")
          created.set(auto.actors[actor]!.id, (created.get(auto.actors[actor]!.id) ?? 0) + value);
  }
  assert.ok(irreversibility.queue_transitions.length > 0);
  assert.deepEqual(
    new Map(irreversibility.queue_transitions.map((q) => [`${q.actor}|${q.mechanism}`, [q.moves_up, q.moves_down]])),
    moves,
  );
  const exchanged = new Map<string, number>();
  for (const e of irreversibility.environment_exchange)
    exchanged.set(e.actor, (exchanged.get(e.actor) ?? 0) + e.created);
  assert.deepEqual(exchanged, created);
});

interface Irreversibility {
  queue_transitions: { actor: string; mechanism: string; moves_up: number; moves_down: number }[];
  environment_exchange: { actor: string; species: string; created: number }[];
}
