/**
 * Declarative experiments (the scenario's `experiment` section), run in-process: faults and load changes have the
 * effects they should (drops with the right reasons, response times moving the right way), steady-state checks
 * pass and fail where they should, every fault kind can overlap another without breaking packet conservation
 * (the driver checks it every window), and bad experiments are refused with field paths. Clock drift and target
 * choices: control-faults.test.ts; load changes: control-load.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runControlled } from "../coordinator/session.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { runCli } from "./support/cli.ts";
import { experimentBase, loadDoc as load, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-control-");
after(() => dir.remove());

const base = experimentBase;

const experiment = {
  faults: [
    { name: "cut", action: "link-down", selector: { links: ["users--web-1"] }, at: "2s", duration: "1s" },
    { name: "crash", action: "actor-crash", selector: { kinds: ["server"] }, at: "9s", duration: "500ms" },
  ],
  load: [
    { name: "double", selector: { actors: ["users"] }, at: "5s", ramp: { factor: 2, duration: "1s" }, step: "100ms" },
  ],
  checks: [
    { name: "steady before the cut", threshold: "response_time_s p(99) < 50ms", before: "cut", for: "2s" },
    { name: "the cut drops requests", threshold: "dropped_packets{link_down} count > 0", during: "cut" },
    { name: "fast under double load", threshold: "response_time_s avg < 1ms", from: "6s", to: "9s" },
    {
      name: "no drops once recovered",
      threshold: "dropped_packets count == 0",
      after: "crash",
      delay: "500ms",
      for: "2s",
    },
    { name: "rate doubled", threshold: "requests_sent rate > 700", from: "6s", to: "9s" },
  ],
};

test("control - a declarative experiment: link down, load ×2 ramp, crash; checks pass and fail where they should", async () => {
  const { scenario, experiment: planned } = load({ ...base, experiment });
  assert.ok(planned !== undefined);
  const out = join(dir.path, "exp");
  const result = await runControlled({ scenario, hosts: 1, transport: "inproc", outDir: out, plan: planned.plan });
  assert.equal(result.outcome.status, "completed");

  const drops = (k: number) => Object.fromEntries(result.intervals[k]?.drops ?? []);
  assert.ok((drops(2).link_down ?? 0) > 300, `link_down drops while the link is down: ${JSON.stringify(drops(2))}`);
  for (const k of [0, 1, 3, 4, 5, 6, 7, 8, 10, 11])
    assert.equal(drops(k).link_down, undefined, `no link_down drop in interval ${k}`);
  assert.ok(
    (drops(9).actor_down ?? 0) > 0,
    `requests reaching the crashed server are dropped: ${JSON.stringify(drops(9))}`,
  );

  const verdicts = Object.fromEntries(result.experiment.checks.map((c) => [c.name, c]));
  assert.equal(verdicts["steady before the cut"]!.passed, true);
  assert.equal(verdicts["the cut drops requests"]!.passed, true);
  assert.equal(verdicts["fast under double load"]!.passed, false, "a 1 ms mean at 80% load is impossible");
  assert.equal(verdicts["no drops once recovered"]!.passed, true);
  assert.equal(verdicts["rate doubled"]!.passed, true, `rate ${verdicts["rate doubled"]!.observed}`);
  // Response times grow with the load (M/M/2 at 40% then 80%: about 2.4 ms, then 5.6 ms).
  const before = verdicts["steady before the cut"]!;
  assert.ok(
    verdicts["fast under double load"]!.observed! > 1.8 * 2.5e-3,
    `mean response under double load ${verdicts["fast under double load"]!.observed}`,
  );
  assert.ok(before.observed! < 0.05);

  const doc = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8"));
  assert.deepEqual(
    doc.faults.map((f: { id: string; targets: string[]; injected_s: number; cleared_s: number }) => [
      f.id,
      f.targets,
      f.injected_s,
      f.cleared_s,
    ]),
    [
      ["cut", ["users--web-1"], 2, 3],
      ["crash", ["web-1"], 9, 9.5],
    ],
  );
  assert.equal(doc.load_changes[0].steps_applied, 10);
  assert.equal(doc.checks_failed, 1);
  const active = doc.intervals.map((i: { active_faults: number }) => i.active_faults);
  assert.deepEqual(active, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], "active faults at each interval's end");
  assert.match(readFileSync(join(out, "faults.csv"), "utf8"), /^t_start_s,t_end_s,active_faults/);
  const commands = JSON.parse(readFileSync(join(out, "commands.json"), "utf8"));
  assert.deepEqual(
    commands
      .filter((c: { command: { link?: unknown } }) => c.command.link)
      .map((c: { time_ns: number; command: unknown }) => [c.time_ns, c.command]),
    [
      [2e9, { link: { link: 0, up: false } }],
      [3e9, { link: { link: 0, up: true } }],
    ],
  );
});

test("control - every fault kind, overlapping on the same targets, keeps packets conserved", async () => {
  const scenario = {
    name: "all-faults",
    run: { duration: "8s", seed: 5, metrics_interval: "1s", warmup: "0s" },
    actors: [
      {
        id: "users-a",
        kind: "client",
        group: "a",
        labels: { role: "client" },
        target: "web-a",
        arrivals: { process: "poisson", rate_per_s: 300 },
      },
      {
        id: "users-b",
        kind: "client",
        group: "b",
        labels: { role: "client" },
        target: "web-b",
        arrivals: { process: "poisson", rate_per_s: 300 },
      },
      {
        id: "web-a",
        kind: "server",
        labels: { role: "server" },
        cores: 2,
        service: { distribution: "exponential", mean: "2ms" },
      },
      {
        id: "web-b",
        kind: "server",
        labels: { role: "server" },
        cores: 2,
        service: { distribution: "exponential", mean: "2ms" },
      },
    ],
    links: [
      { a: "users-a", b: "web-a", latency: "100us", bandwidth: "10Gbps" },
      { a: "users-b", b: "web-b", latency: "100us", bandwidth: "10Gbps" },
    ],
    experiment: {
      faults: [
        { name: "freeze", action: "actor-pause", selector: { actors: ["web-a"] }, at: "1s", duration: "2s" },
        { name: "kill", action: "actor-crash", selector: { actors: ["web-a"] }, at: "2s", duration: "2s" },
        {
          name: "slow",
          action: "delay",
          latency: "5ms",
          jitter: "1ms",
          selector: { links: ["users-b--web-b"] },
          at: "1s",
          duration: "2s",
        },
        { name: "lossy", action: "loss", loss: "20%", selector: { actors: ["web-b"] }, at: "2s", duration: "2s" },
        {
          name: "thin",
          action: "bandwidth",
          bandwidth: "2Mbps",
          selector: { links: ["users-b*"] },
          at: "3s",
          duration: "2s",
        },
        {
          name: "split",
          action: "partition",
          selector: { labels: { role: "client" } },
          other: { labels: { role: "server" } },
          at: "6s",
          duration: "1s",
        },
        { name: "hot", action: "cpu-throttle", selector: { kinds: ["server"] }, at: "5s", duration: "1s" },
        {
          name: "fast-clock",
          action: "clock-drift",
          drift_ppm: 200_000,
          selector: { kinds: ["client"] },
          at: "4s",
          duration: "3s",
        },
      ],
      checks: [{ name: "delay shows", threshold: "response_time_s{b} avg > 5ms", during: "slow" }],
    },
  };
  const { scenario: resolved, experiment: planned } = load(scenario, "all.yaml");
  const out = join(dir.path, "all");
  const result = await runControlled({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    outDir: out,
    plan: planned!.plan,
  });
  assert.equal(result.outcome.status, "completed");
  const p = result.summary.packets;
  assert.equal(p.injected, p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end);
  for (const reason of ["link_down", "link_loss", "actor_down"])
    assert.ok(
      (p.dropped_by_reason as Record<string, number>)[reason]! > 0,
      `drops by ${reason}: ${JSON.stringify(p.dropped_by_reason)}`,
    );
  assert.equal(result.experiment.checks[0]!.passed, true, JSON.stringify(result.experiment.checks[0]));
  // A paused actor that crashes resumes first (so what it held is not stuck), and recovers only when both clear.
  const commands = JSON.parse(readFileSync(join(out, "commands.json"), "utf8")) as {
    time_ns: number;
    command: { actor?: { actor: number; command: string } };
  }[];
  const webA = commands
    .filter((c) => c.command.actor?.actor === 2)
    .map((c) => [c.time_ns / 1e9, c.command.actor!.command]);
  assert.deepEqual(webA.slice(0, 4), [
    [1, "pause"],
    [2, "resume"],
    [2, "crash"],
    [4, "recover"],
  ]);
  assert.ok(webA.some(([, c]) => c === "throttle") && webA.some(([, c]) => c === "unthrottle"));
  const links = commands
    .filter((c) => (c.command as { link?: { link: number } }).link?.link === 1)
    .map((c) => [c.time_ns / 1e9, c.command]);
  assert.deepEqual(links.slice(0, 2), [
    [1, { link: { link: 1, latencyNs: 5_100_000, jitterNs: 1_000_000 } }],
    [2, { link: { link: 1, loss: 0.2 } }],
  ]);
});

test("control - bad experiments are refused with the field path of each problem", async () => {
  const bad = {
    ...base,
    experiment: {
      faults: [
        { action: "meltdown", at: "1s" },
        { name: "x", action: "actor-crash", selector: { actors: ["nope"] }, at: "1s" },
        { name: "y", action: "delay", selector: { links: ["users--web-1"] }, at: "1s" },
        { name: "z", action: "actor-crash", mode: "fixed", at: "1s" },
        { name: "w", action: "cooling-failure", at: "1s" },
      ],
      load: [{ selector: { actors: ["web-1"] }, at: "1s", set: { factor: 2 } }],
      checks: [{ threshold: "response_time_s p99 < 50ms", during: "ghost" }, { threshold: "response_time_s is fast" }],
    },
  };
  let error: ScenarioError | undefined;
  try {
    load(bad);
  } catch (e) {
    error = e as ScenarioError;
  }
  assert.ok(error instanceof ScenarioError);
  const paths = error.issues.map((i) => i.path);
  for (const p of [
    "experiment.faults[0].action",
    "experiment.faults[1].selector.actors[0]",
    "experiment.faults[2].latency",
    "experiment.faults[3].value",
    "experiment.faults[4].command",
    "experiment.load[0].selector.actors",
    "experiment.checks[1].threshold",
  ]) {
    assert.ok(paths.includes(p), `${p} among ${JSON.stringify(error.issues)}`);
  }
  // A cooling failure needs a CRAC among the selected actors (this scenario has none).
  assert.match(
    error.issues.find((i) => i.path === "experiment.faults[4].command")!.message,
    /no selected actor's model has the command "cooling_fail"/,
  );

  // Through the CLI: exit 2, each problem on its own line. A check naming a fault that does not exist:
  const file = writeScenario(dir.path, "bad-check", {
    ...base,
    experiment: { checks: [{ threshold: "response_time_s p99 < 50ms", during: "ghost" }] },
  });
  const r = await runCli(["validate", file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /experiment\.checks\[0\]\.during: no fault or load change named "ghost"/);
});

test("control - dctwin run exits 3 when a check fails, and replays a recorded experiment to the same summary", async () => {
  const file = writeScenario(dir.path, "exp-cli", {
    ...base,
    run: { ...base.run, duration: "10s" },
    experiment: { ...experiment, checks: experiment.checks.slice(0, 3) },
  });
  const out = join(dir.path, "cli");
  const r = await runCli(["run", file, "--transport", "inproc", "--out", out]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /checks: 2 passed, 1 failed/);
  assert.match(r.stdout, /FAIL +fast under double load/);
  const replay = join(dir.path, "cli-replay");
  const r2 = await runCli([
    "run",
    file,
    "--transport",
    "inproc",
    "--experiment",
    join(out, "commands.json"),
    "--out",
    replay,
    "-q",
  ]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(readFileSync(join(replay, "summary.json"), "utf8"), readFileSync(join(out, "summary.json"), "utf8"));
});

test("control - a live fault overlapping a planned one on the same link outlives the planned clear", async () => {
  const { scenario, experiment: planned } = load({
    ...base,
    run: { ...base.run, duration: "6s" },
    experiment: {
      faults: [
        { name: "planned", action: "link-down", selector: { links: ["users--web-1"] }, at: "2s", duration: "2s" },
      ],
    },
  });
  const out = join(dir.path, "overlap");
  const result = await runControlled({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir: out,
    plan: planned!.plan,
    // Given before the run starts: applied at t = 0, until the run ends.
    onController: (c) =>
      c.injectFault({
        name: "live",
        selector: { actors: [], kinds: [], groups: [], labels: {}, links: ["users--web-1"] },
        choice: { mode: "all", value: 0, seed: null },
        action: { type: "link-down" },
        durationNs: null,
      }),
  });
  const commands = JSON.parse(readFileSync(join(out, "commands.json"), "utf8")) as {
    time_ns: number;
    source: string;
    command: { link: { up: boolean } };
  }[];
  assert.deepEqual(
    commands.slice(0, 3).map((c) => [c.time_ns, c.source, c.command.link.up]),
    [
      [0, "live", false],
      [2e9, "schedule", false],
      [4e9, "schedule", true],
    ],
  );
  const fix = commands[3]!;
  assert.equal(fix.command.link.up, false, "the live fault still wants the link down");
  // At the next grant horizon: here 4 s itself (the clear was planned at a horizon), applied right after the clear.
  assert.ok(fix.time_ns >= 4e9 && fix.time_ns < 4.01e9, `set right at the next boundary (${fix.time_ns})`);
  for (const k of [0, 1, 2, 3, 4, 5])
    assert.ok((result.intervals[k]?.drops.get("link_down") ?? 0) > 0, `link down in interval ${k}`);
});
