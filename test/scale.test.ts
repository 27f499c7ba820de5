/**
 * Scale: the data-centre generator (examples/generate-dc.ts, which writes the 100k-actor dc-100k.yaml) at a
 * small size loads and runs, with its clients' traffic crossing the fabric and every packet accounted for; the
 * scenario travels to hosts with one shared, frozen copy of each distinct params and labels value, and arrives
 * equal to what was sent.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runTwin } from "../coordinator/run.ts";
import { scenarioFromJson, scenarioToJson } from "../nodes/runtime/scenario-json.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { dcScenario, DEFAULT_DC } from "../examples/generate-dc.ts";

const small = () =>
  validateScenario(
    dcScenario({ leaves: 6, serversPerLeaf: 5, spines: 3, ratePerClient: 2000, duration: "300ms" }),
    "dc-small",
  ).scenario;

test("scale - the default data-centre shape has at least 100,000 actors", () => {
  const { leaves, serversPerLeaf, spines } = DEFAULT_DC;
  assert.ok(leaves * (serversPerLeaf + 1) + spines >= 100_000);
});

test("scale - a small generated data centre loads and runs; requests cross the fabric and are answered", async (t) => {
  const scenario = small();
  assert.equal(scenario.actors.length, 6 * 6 + 3);
  assert.equal(scenario.actors.filter((a) => a.kind === "client").length, 6);
  const outDir = mkdtempSync(join(tmpdir(), "dctwin-scale-"));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const { outcome, summary } = await runTwin({ scenario, hosts: 1, transport: "inproc", outDir });
  assert.equal(outcome.status, "completed");
  const p = summary.packets;
  assert.equal(p.injected, p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end, "every packet accounted for");
  assert.ok(p.consumed > 1000, `${p.consumed} packets consumed`);
  // Every answered request crossed leaf, spine, leaf and back: 4 hops each way.
  // Whole run: the 300 ms run ends before its first metrics interval after the warm-up.
  const responses = summary.metrics.response_time_s?.users?.whole_run?.count ?? 0;
  assert.ok(responses > 500, `${responses} responses`);
  assert.ok(p.link_hops >= responses * 8, `${p.link_hops} hops for ${responses} round trips`);
});

test("scale - the scenario reaches hosts equal, with each distinct params and labels value stored once and frozen", () => {
  const scenario = small();
  const json = scenarioToJson(scenario);
  const back = scenarioFromJson(json);
  assert.deepEqual(back, scenario);
  assert.ok(json.length < JSON.stringify(scenario).length * 0.7, "shared values are sent once");
  const servers = back.actors.filter((a) => a.kind === "server");
  assert.ok(
    servers.every((a) => a.params === servers[0]!.params),
    "generated servers share one params object",
  );
  assert.ok(Object.isFrozen(servers[0]!.params) && Object.isFrozen(servers[0]!.labels));
  assert.throws(() => {
    (servers[0]!.params as { cores: number }).cores = 1;
  }, TypeError);
});
