/**
 * A hybrid run (rack a exact, the rest leaping; an exact server crashed and recovered at step boundaries, a
 * least-outstanding balancer in front of the exact rack) gives byte-identical results in-process on one host and
 * over a real nats-server with two host processes; another seed differs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { runToFiles } from "./support/cli.ts";
import { hybridScenario } from "./support/leap-hybrid.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const base = hybridScenario("hybrid", 5);
const scenario = {
  ...base,
  run: { ...base.run, duration: "10s" },
  actors: base.actors.map((a) => (a.id === "lb-a" ? { ...a, policy: "least_outstanding" } : a)),
  experiment: { faults: [{ action: "actor-crash", selector: { actors: ["a0"] }, at: "4s", duration: "2s" }] },
};
const file = writeScenario(dir.path, "hybrid", scenario);
const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

test("leap hybrid determinism - byte-identical results for inproc/1 and nats/2 hosts; another seed differs", async () => {
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats2 = await run("nats-2", "--transport", "nats", "--hosts", "2");
  const otherSeed = await run("inproc-seed", "--transport", "inproc", "--seed", "6");
  const parsed = JSON.parse(inproc.summary);
  assert.equal(parsed.status, "completed");
  assert.equal(parsed.settings.quantum_s, 0.01, "the step is the window");
  const down = parsed.packets.dropped_by_reason.actor_down ?? 0;
  const failed = parsed.packets.dropped_by_reason.server_failed ?? 0;
  assert.ok(down + failed > 0, "the exact server's crash drops requests");
  const busy = parsed.metrics.busy_core_s;
  assert.ok(busy["rack-a"].max > busy["rack-a"].min, "the exact rack records each request's own service time");
  assert.equal(busy["rack-b"].max, busy["rack-b"].min, "the leaping rack records the mean service per count");
  assert.equal(nats2.summary, inproc.summary, "summary.json of nats/2 differs from inproc/1");
  assert.equal(nats2.series, inproc.series, "timeseries.csv of nats/2 differs from inproc/1");
  assert.equal(nats2.links, inproc.links, "links.csv of nats/2 differs from inproc/1");
  assert.notEqual(otherSeed.summary, inproc.summary, "a different seed must give different results");
});
