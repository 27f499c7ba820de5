/**
 * An in-process run keeps its process responsive: its hosts' reports, the grants and the hosts' windows go through
 * the event loop's turns, not one unbroken chain of microtasks, so timers, signals (Ctrl-C), control calls and
 * metrics scrapes are heard while it runs. A long run stopped by a timer after 300 ms ends early, interrupted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-inproc-responsive-");
after(() => dir.remove());

test("in-process run - a timer fires while it runs: a stop after 300 ms ends it early, with partial results", async () => {
  const loaded = loadScenarioFile(join(REPO_ROOT, "examples", "bench-300.yaml")).scenario;
  // 10 minutes simulated: minutes of wall time if nothing stops it.
  const scenario = { ...loaded, run: { ...loaded.run, durationNs: 600e9 } };
  const stop = new AbortController();
  let firedAtMs: number | undefined;
  const started = performance.now();
  const timer = setTimeout(() => {
    firedAtMs = performance.now() - started;
    stop.abort();
  }, 300);
  try {
    const result = await runTwin({
      scenario,
      hosts: 1,
      transport: "inproc",
      outDir: join(dir.path, "run"),
      signal: stop.signal,
    });
    assert.ok(firedAtMs !== undefined && firedAtMs < 2_000, `the timer fired after ${firedAtMs} ms`);
    assert.equal(result.outcome.status, "interrupted");
    assert.ok(result.outcome.simTimeNs < 600e9);
  } finally {
    clearTimeout(timer);
  }
});
