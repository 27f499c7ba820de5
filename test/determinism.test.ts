/**
 * Determinism across transports and shardings: the same scenario and seed give byte-identical results with the
 * in-process transport on one host and over a real nats-server with one and three host processes; a different
 * seed gives different results. The scenario's traffic crosses hosts in the 3-host placement (clients-a and
 * server-b run on different hosts; test/placement.test.ts checks that a link is cut). The example scenarios tiny,
 * bench-300 and fat-tree-k8 (shortened) give the same bytes for inproc/1 and nats/1, 2 and 3 hosts, although their
 * windows differ (one host: boundary to boundary; several: bounded by the lookahead of the links the placement cuts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { NatsServer } from "../coordinator/nats-server.ts";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { join } from "node:path";
import { after, test } from "node:test";
import { assertSameFiles, REPO_ROOT, runToFiles } from "./support/cli.ts";
import { crossHostScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const scenario = crossHostScenario("500ms");
const file = writeScenario(dir.path, "cross-host", scenario);

const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

test("determinism - byte-identical results for inproc/1, nats/1 and nats/3 hosts; another seed differs", async () => {
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats1 = await run("nats-1", "--transport", "nats", "--hosts", "1");
  const nats3 = await run("nats-3", "--transport", "nats", "--hosts", "3");
  const otherSeed = await run("inproc-seed", "--transport", "inproc", "--seed", "6");

  const parsed = JSON.parse(inproc.summary);
  assert.equal(parsed.status, "completed");
  assert.ok(parsed.packets.link_hops > 4000, "the scenario moves traffic");
  assert.ok(
    parsed.packets.dropped_by_reason.link_loss > 0 && parsed.packets.dropped_by_reason.queue_full > 0,
    "drops of both kinds happen, so their accounting is compared too",
  );

  for (const [name, other] of [
    ["nats/1", nats1],
    ["nats/3", nats3],
  ] as const) {
    assertSameFiles(other, inproc, name);
  }
  assert.notEqual(otherSeed.summary, inproc.summary, "a different seed must give different results");
});

/** An example scenario, shortened (warm-up off) and with a shorter metrics interval. */
function shortened(name: string, duration: string, interval: string) {
  const doc = parse(readFileSync(join(REPO_ROOT, "examples", `${name}.yaml`), "utf8"));
  doc.run = { ...doc.run, duration, metrics_interval: interval, warmup: "0s" };
  return loadScenarioFile(writeScenario(dir.path, `${name}-short`, doc)).scenario;
}

test("determinism - example scenarios: inproc/1, nats/1, nats/2 and nats/3 give byte-identical summaries", async () => {
  const server = await NatsServer.start({ name: `dctwin-determinism-${process.pid}` });
  try {
    for (const [name, duration, interval] of [
      ["tiny", "200ms", "50ms"],
      ["bench-300", "100ms", "50ms"],
      ["fat-tree-k8", "10ms", "5ms"],
    ] as const) {
      const scenario = shortened(name, duration, interval);
      const runs = [];
      for (const [transport, hosts] of [
        ["inproc", 1],
        ["nats", 1],
        ["nats", 2],
        ["nats", 3],
      ] as const) {
        const outDir = join(dir.path, `${name}-${transport}-${hosts}`);
        const { outcome } = await runTwin({
          scenario,
          hosts,
          transport,
          outDir,
          natsUrl: transport === "nats" ? server.url : undefined,
        });
        runs.push({
          config: `${transport}/${hosts}`,
          outcome,
          summary: readFileSync(join(outDir, "summary.json"), "utf8"),
        });
      }
      const [reference, ...others] = runs;
      assert.ok(reference!.outcome.aggregator.hops > 100, `${name} moves traffic`);
      for (const other of others)
        assert.equal(
          other.summary,
          reference!.summary,
          `${name}: summary.json of ${other.config} differs from inproc/1`,
        );
      // One host: no link crosses hosts, so windows run from one boundary (interval, stamp) to the next.
      const intervals = Math.ceil(scenario.run.durationNs / scenario.run.metricsIntervalNs);
      for (const one of runs.slice(0, 2)) {
        assert.equal(one.outcome.lookaheadNs, Number.POSITIVE_INFINITY, `${name} ${one.config}: no cut link`);
        assert.ok(
          one.outcome.windows <= 3 * intervals,
          `${name} ${one.config}: ${one.outcome.windows} windows for ${intervals} intervals`,
        );
      }
      for (const several of runs.slice(2)) {
        // Several hosts: windows are bounded by the lookahead of the links the placement cuts (none cut: as one host).
        if (Number.isFinite(several.outcome.lookaheadNs))
          assert.ok(several.outcome.windows > intervals, `${name} ${several.config}: windows bounded by the lookahead`);
        else
          assert.ok(
            several.outcome.windows <= 3 * intervals,
            `${name} ${several.config}: no cut link, ${several.outcome.windows} windows for ${intervals} intervals`,
          );
      }
    }
  } finally {
    await server.stop();
  }
});
