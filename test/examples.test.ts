/**
 * Every example scenario in examples/ loads (with its experiment, if any) and runs: the first half second of each
 * (5 ms of the data-centre-sized ones, over 20,000 actors), in-process, moves traffic and conserves packets. Keeps
 * the examples the README points to from rotting.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const examples = readdirSync(join(REPO_ROOT, "examples"))
  .filter((f) => f.endsWith(".yaml"))
  .sort();

test("examples - there are examples to check", () => {
  assert.ok(examples.length >= 8, examples.join(", "));
});

for (const file of examples) {
  test(`examples - ${file} loads and runs`, async () => {
    const { scenario } = loadScenarioFile(join(REPO_ROOT, "examples", file));
    // Leap runs move packets one step per hop: give them a few steps.
    const durationNs = Math.min(
      scenario.run.durationNs,
      scenario.actors.length > 20_000 ? 5_000_000 : Math.max(500_000_000, 4 * (scenario.run.leap?.stepNs ?? 0)),
    );
    const { summary } = await runTwin({
      scenario: { ...scenario, run: { ...scenario.run, durationNs, warmupNs: 0 } },
      hosts: 2,
      transport: "inproc",
      outDir: join(dir.path, file),
    });
    assert.equal(summary.status, "completed");
    assert.ok(summary.packets.link_hops > 0, `${file} moves traffic in its first ${durationNs / 1e9} s`);
    const p = summary.packets;
    assert.equal(p.injected, p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end);
  });
}
