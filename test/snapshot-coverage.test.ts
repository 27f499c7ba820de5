/**
 * Snapshot coverage: every runtime and model class that a run's state holds must be registered with the snapshot
 * codec, or checkpoints (and with them --resume and recovery) stop working for that run. Each example scenario
 * runs a few intervals on 2 hosts in process with a checkpoint at every interval boundary, and run-info.json must
 * report checkpoints saved and none disabled: a new class left unregistered fails here, naming its path. A model
 * that does hold an unregistered class does not fail the run (its results do not depend on checkpoints): it warns
 * and says why in run-info.json.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { z } from "zod";
import { loadScenarioFile, loadScenarioText } from "../coordinator/scenario-loader.ts";
import { defineModel, registerKind } from "../nodes/models/registry.ts";
import type { ActorModel } from "../nodes/runtime/actor.ts";
import { checkpointedRun } from "./support/checkpoints.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-snapshot-coverage-");
after(() => dir.remove());

/** Scenarios too large for a test on a shared machine (dc-100k: 100 k actors); their kinds occur in the others. */
const TOO_LARGE = new Set(["dc-100k.yaml", "leaf-spine-4k.yaml", "fat-tree-k8.yaml"]);
const EXAMPLES = readdirSync(join(REPO_ROOT, "examples"))
  .filter((f) => f.endsWith(".yaml") && !TOO_LARGE.has(f))
  .sort();

for (const name of EXAMPLES) {
  test(`snapshot coverage - ${name}: every class in the run's state is snapshottable (checkpoints saved, none disabled)`, async () => {
    const probe = loadScenarioFile(join(REPO_ROOT, "examples", name), {}).scenario;
    const intervalNs = probe.run.metricsIntervalNs;
    // Two intervals past the warm-up (which must stay shorter than the run).
    const durationNs = Math.min(
      probe.run.durationNs,
      Math.ceil(probe.run.warmupNs / intervalNs) * intervalNs + 2 * intervalNs,
    );
    const { scenario } = loadScenarioFile(join(REPO_ROOT, "examples", name), { durationNs });
    const { status, logs, checkpoints } = await checkpointedRun({ scenario, hosts: 2, outDir: join(dir.path, name) });
    assert.equal(status, "completed");
    assert.equal(checkpoints.disabled, null, logs.join("\n"));
    if (durationNs > intervalNs) assert.ok(checkpoints.saved >= 1, `checkpoints saved: ${checkpoints.saved}`);
  });
}

/** A kind whose state holds an instance of a class nobody registered. */
class Unregistered {
  count = 0;
}
const ticker: ActorModel<Record<string, never>, { box: Unregistered }> = {
  kind: "test_unregistered_ticker",
  initial(_params, ctx) {
    ctx.schedule(0, 0);
    return { box: new Unregistered() };
  },
  onPacket(_state, packet, ctx) {
    ctx.drop(packet, "not_addressed");
  },
  onTimer(state, _tag, _arg, ctx) {
    state.box.count++;
    ctx.schedule(100_000_000, 0);
  },
  queued: () => 0,
};
registerKind("test_unregistered_ticker", defineModel({ params: z.object({}).strict(), model: ticker }));

test("snapshot coverage - state holding an unregistered class: the run completes, warns, and run-info.json names the class and its path", async () => {
  const yaml = stringify({
    name: "unregistered",
    run: { duration: "2s", seed: 1, metrics_interval: "500ms" },
    actors: [{ id: "ticker", kind: "test_unregistered_ticker" }],
  });
  const { scenario } = loadScenarioText(yaml, "unregistered.yaml");
  const { status, logs, checkpoints } = await checkpointedRun({
    scenario,
    hosts: 1,
    outDir: join(dir.path, "unregistered"),
  });
  assert.equal(status, "completed");
  assert.equal(checkpoints.saved, 0);
  assert.match(
    checkpoints.disabled ?? "",
    /host 0 cannot take one: .*unregistered class Unregistered at \$\.shard\..*\.box/,
  );
  assert.ok(logs.some((l) => /^warning: checkpoints disabled, this run cannot be resumed or recovered/.test(l)));
});
