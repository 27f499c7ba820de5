/**
 * Load changes of declarative experiments, run in-process: a closed loop scales its users (a rate target is
 * refused), a curve change replaces the clients' arrival process at its time and replays to the same summary, and
 * bad curves are refused with their field paths.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runControlled } from "../coordinator/session.ts";
import { metricKey } from "../coordinator/counts/aggregate.ts";
import { loadExperimentFile } from "../coordinator/control/experiment.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { experimentBase, loadDoc as load, tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-control-");
after(() => dir.remove());

const base = experimentBase;
/** The base scenario with its clients a closed loop of 8 users. */
const closed = {
  ...base,
  actors: [
    {
      ...base.actors[0],
      arrivals: { process: "closed", users: 8, think_time: { distribution: "exponential", mean: "20ms" } },
    },
    base.actors[1],
  ],
};

test("control - load on a closed loop scales its users; a rate target is refused with its path", () => {
  const planned = load({
    ...closed,
    experiment: { load: [{ name: "more", selector: { actors: ["users"] }, at: "2s", set: { factor: 1.5 } }] },
  }).experiment!;
  const commands = planned.plan.steps.flatMap((s) => s.commands.map((c) => c.actor));
  assert.deepEqual(commands, [{ actor: 0, command: "scale_load", argsJson: JSON.stringify({ factor: 1.5 }) }]);
  assert.throws(
    () =>
      load({
        ...closed,
        experiment: {
          load: [{ selector: { actors: ["users"] }, at: "2s", ramp: { rate_per_s: 900, duration: "1s" } }],
        },
      }),
    (e: unknown) =>
      e instanceof ScenarioError &&
      e.issues.some((i) => i.path === "experiment.load[0]" && /closed loop has users/.test(i.message)),
  );
});

test("control - a curve change replaces the clients' arrival process at its time, is recorded, and replays to the same summary", async () => {
  const curve = { process: "diurnal", mean_rate_per_s: 800, amplitude: 0.5, period: "4s" };
  const doc = {
    ...base,
    run: { ...base.run, duration: "6s" },
    experiment: {
      load: [
        { name: "evening", selector: { actors: ["users"] }, at: "2s", curve },
        // A total rate after the curve change is relative to the new curve's mean (800/s): factor 0.5.
        { name: "cap", selector: { actors: ["users"] }, at: "4s", set: { rate_per_s: 400 } },
      ],
    },
  };
  const { scenario, experiment: planned } = load(doc);
  const steps = planned!.plan.steps.map((s) => [s.timeNs, s.commands.map((c) => c.actor)]);
  assert.deepEqual(steps, [
    [2e9, [{ actor: 0, command: "set_arrivals", argsJson: JSON.stringify(curve) }]],
    [4e9, [{ actor: 0, command: "scale_load", argsJson: JSON.stringify({ factor: 0.5 }) }]],
  ]);
  const out = join(dir.path, "curve");
  const result = await runControlled({ scenario, hosts: 1, transport: "inproc", outDir: out, plan: planned!.plan });
  assert.equal(result.outcome.status, "completed");
  const sent = result.intervals.map((i) => i.metrics.get(metricKey("requests_sent", "client"))?.count ?? 0);
  // 400/s, then the curve over [2 s, 4 s) (a half period: its integral is the mean's), then half of it.
  for (const [from, to, expected] of [
    [0, 2, 800],
    [2, 4, 1600],
    [4, 6, 800],
  ] as const) {
    const n = sent.slice(from, to).reduce((a, b) => a + b, 0);
    assert.ok(
      Math.abs(n - expected) < 4.5 * Math.sqrt(expected),
      `${from}-${to} s: ${n} requests vs ${expected} (${sent.join(", ")})`,
    );
  }
  const recorded = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8"));
  assert.deepEqual(
    recorded.load_changes.map((l: { name: string; started_s: number }) => [l.name, l.started_s]),
    [
      ["evening", 2],
      ["cap", 4],
    ],
  );
  const commands = JSON.parse(readFileSync(join(out, "commands.json"), "utf8"));
  assert.deepEqual(
    commands.find((c: { command: { actor?: { command: string } } }) => c.command.actor?.command === "set_arrivals")
      ?.time_ns,
    2e9,
  );
  for (const recording of ["experiment.json", "commands.json"]) {
    const replay = join(dir.path, `curve-replay-${recording}`);
    await runControlled({
      scenario,
      hosts: 1,
      transport: "inproc",
      outDir: replay,
      plan: loadExperimentFile(join(out, recording), scenario).plan,
    });
    assert.equal(
      readFileSync(join(replay, "summary.json"), "utf8"),
      readFileSync(join(out, "summary.json"), "utf8"),
      `replay of ${recording}`,
    );
  }
});

test("control - bad curves and curves on closed loops are refused with their field paths", () => {
  const refused = (
    change: Record<string, unknown>,
    path: string,
    message: RegExp,
    scenario: Record<string, unknown> = base,
  ) =>
    assert.throws(
      () => load({ ...scenario, experiment: { load: [{ selector: { actors: ["users"] }, at: "1s", ...change }] } }),
      (e: unknown) => e instanceof ScenarioError && e.issues.some((i) => i.path === path && message.test(i.message)),
      `${path} ${message}`,
    );
  refused(
    { curve: { process: "diurnal", mean_rate_per_s: 100, amplitude: 2 } },
    "experiment.load[0].curve.amplitude",
    /fraction from 0 to 1/,
  );
  refused(
    {
      curve: {
        process: "mmpp",
        phases: [
          { rate_per_s: 10, mean_sojourn: "1s" },
          { rate_per_s: -1, mean_sojourn: "1s" },
        ],
      },
    },
    "experiment.load[0].curve.phases[1].rate_per_s",
    /non-negative/,
  );
  refused(
    { curve: { process: "trace", rows: [{ at: 0 }] } },
    "experiment.load[0].curve.process",
    /poisson, mmpp, diurnal/,
  );
  refused({ curve: "faster" }, "experiment.load[0].curve", /arrival process/);
  refused(
    { curve: { process: "poisson", rate_per_s: 10 }, set: { factor: 2 } },
    "experiment.load[0]",
    /exactly one of set, ramp, spike, stages or curve/,
  );
  refused(
    { curve: { process: "poisson", rate_per_s: 10 } },
    "experiment.load[0].curve",
    /closed loop has users/,
    closed,
  );
  // Matched by a pattern rather than named, closed loops are left out.
  const mixed = {
    ...closed,
    actors: [...closed.actors, { ...base.actors[0], id: "open" }],
    links: [...base.links, { a: "open", b: "web-1", latency: "100us" }],
  };
  const planned = load({
    ...mixed,
    experiment: {
      load: [{ selector: { kinds: ["client"] }, at: "1s", curve: { process: "poisson", rate_per_s: 10 } }],
    },
  }).experiment!;
  assert.deepEqual(
    planned.plan.steps.flatMap((s) => s.commands.map((c) => c.actor?.actor)),
    [2],
  );
});
