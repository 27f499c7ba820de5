/**
 * Faults of declarative experiments, run in-process: clock drift times an actor's own delays at 1/(1 + ppm·10⁻⁶)
 * and is refused beyond its bounds with its field, and target choices are seeded (the same request picks the same
 * targets).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runControlled } from "../coordinator/session.ts";
import { chooseTargets } from "../coordinator/control/faults/selectors.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { experimentBase, loadDoc as load, tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-control-");
after(() => dir.remove());

const base = experimentBase;

test("control - clock drift: an actor whose clock runs 25% fast times everything it does in 1/1.25 of the time", async () => {
  // Requests 40 ms apart, served in a deterministic 10 ms: the server's drifting clock serves them in 8 ms.
  const rows = Array.from({ length: 50 }, (_, i) => ({ at: `${40 * i + 5}ms` }));
  const { scenario, experiment: planned } = load({
    ...base,
    run: { ...base.run, duration: "2s" },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "web-1",
        arrivals: { process: "trace", rows },
        request_bytes: 100,
        response_bytes: 100,
      },
      { id: "web-1", kind: "server", cores: 1, service: { distribution: "deterministic", value: "10ms" } },
    ],
    experiment: {
      faults: [
        {
          name: "drift",
          action: "clock-drift",
          drift_ppm: 250_000,
          selector: { actors: ["web-1"] },
          at: "1s",
          duration: "600ms",
        },
      ],
    },
  });
  const result = await runControlled({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir: join(dir.path, "drift"),
    plan: planned!.plan,
  });
  const linkS = 2 * (100e-6 + Math.ceil((100 * 8 * 1e9) / 10e9) / 1e9);
  const rt = result.summary.metrics.response_time_s?.client;
  assert.equal(rt?.count, 50);
  assert.ok(Math.abs(rt!.min! - (0.008 + linkS)) < 1e-9, `fastest response ${rt!.min} s`);
  assert.ok(Math.abs(rt!.max! - (0.01 + linkS)) < 1e-9, `slowest response ${rt!.max} s`);
  // 15 requests arrive while the clock drifts (1.005 s .. 1.565 s): their mean pulls the total down exactly.
  const expectedSum = 15 * (0.008 + linkS) + 35 * (0.01 + linkS);
  assert.ok(Math.abs(rt!.sum - expectedSum) < 1e-7, `sum ${rt!.sum} s vs ${expectedSum} s`);
  const doc = JSON.parse(readFileSync(join(dir.path, "drift", "experiment.json"), "utf8"));
  assert.deepEqual([doc.faults[0].action, doc.faults[0].injected_s, doc.faults[0].cleared_s], ["clock-drift", 1, 1.6]);
});

test("control - a clock drift beyond the bounds is refused with its field", () => {
  assert.throws(
    () =>
      load({
        ...base,
        experiment: { faults: [{ action: "clock-drift", drift_ppm: -2e6, selector: { actors: ["web-1"] }, at: "1s" }] },
      }),
    (e: unknown) =>
      e instanceof ScenarioError &&
      e.issues.some((i) => i.path === "experiment.faults[0].drift_ppm" && /ppm/.test(i.message)),
  );
});

test("control - target choices are seeded: the same request picks the same targets", () => {
  const ids = Array.from({ length: 10 }, (_, i) => i);
  const one = chooseTargets(ids, { mode: "one", value: 0, seed: null }, 7, "f");
  assert.deepEqual(chooseTargets(ids, { mode: "one", value: 0, seed: null }, 7, "f"), one);
  assert.equal(one.length, 1);
  assert.equal(chooseTargets(ids, { mode: "fixed-percent", value: 30, seed: null }, 7, "f").length, 3);
  assert.equal(chooseTargets(ids, { mode: "fixed", value: 20, seed: null }, 7, "f").length, 10);
  const picks = new Set(
    Array.from({ length: 20 }, (_, s) => chooseTargets(ids, { mode: "one", value: 0, seed: null }, s, "f")[0]),
  );
  assert.ok(picks.size > 3, "different seeds pick different targets");

  const many = {
    ...base,
    actors: [
      base.actors[0],
      ...Array.from({ length: 8 }, (_, i) => ({
        id: `web-${i + 1}`,
        kind: "server",
        labels: { rack: i < 4 ? "r1" : "r2" },
        service: { distribution: "exponential", mean: "2ms" },
      })),
    ],
    links: Array.from({ length: 8 }, (_, i) => ({ a: "users", b: `web-${i + 1}`, latency: "100us" })),
    experiment: {
      faults: [
        {
          name: "some",
          action: "actor-crash",
          selector: { labels: { rack: "r2" } },
          mode: "fixed",
          value: 2,
          at: "1s",
          every: "3s",
          duration: "1s",
        },
      ],
    },
  };
  const targets = () =>
    load(many).experiment!.plan.steps.flatMap((s) =>
      s.notes.filter((n) => n.type === "fault-inject").map((n) => (n as { targets: string[] }).targets),
    );
  const first = targets();
  assert.equal(first.length, 4, "repeats every 3 s in a 12 s run");
  assert.deepEqual(targets(), first);
  for (const t of first) {
    assert.equal(t.length, 2);
    for (const id of t) assert.ok(["web-5", "web-6", "web-7", "web-8"].includes(id));
  }
});
