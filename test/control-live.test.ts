/**
 * A live experiment against a real coordinator process (NATS, 2 host processes, paced with --speed): a client
 * built from the .proto alone cuts a link, ramps the load and replaces the rate curve over gRPC, `dctwin inject` crashes the server while
 * the run is paused, `dctwin status` reports it; the effects are in the results, and replaying the recorded experiment (both
 * experiment.json and commands.json) in a fresh in-process run gives a byte-identical summary.json.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { controlAddress, runCli, watchCli } from "./support/cli.ts";
import { protoOnlyClient, until } from "./support/control-client.ts";
import { killRun } from "./support/processes.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir("dctwin-live-");
after(() => dir.remove());

const TOKEN = "live-token";

test("control live - faults and load over gRPC and the CLI, then a replay of the recording gives the same summary", async () => {
  const file = writeScenario(dir.path, "live", {
    name: "live",
    run: { duration: "12s", seed: 11, metrics_interval: "1s", warmup: "0s" },
    actors: [
      { id: "users", kind: "client", target: "web-1", arrivals: { process: "poisson", rate_per_s: 150 } },
      { id: "web-1", kind: "server", cores: 1, service: { distribution: "exponential", mean: "2ms" } },
    ],
    links: [{ a: "users", b: "web-1", latency: "200us", bandwidth: "10Gbps" }],
  });
  const runId = `ctl-live-${process.pid}`;
  const out = join(dir.path, "live-out");
  const live = watchCli(
    [
      "run",
      file,
      "--transport",
      "nats",
      "--hosts",
      "2",
      "--speed",
      "2",
      "--run-id",
      runId,
      "--control-port",
      "0",
      "--control-token",
      TOKEN,
      "--wait-for-start",
      "--out",
      out,
    ],
    { timeoutMs: 90_000 },
  );
  try {
    const address = await controlAddress(live);
    const client = protoOnlyClient(address, TOKEN);
    try {
      const { intervals, ended } = client.watch();
      const denied = await runCli([
        "inject",
        "link-down",
        "--links",
        "users--web-1",
        "--control",
        address,
        "--token",
        "wrong",
      ]);
      assert.equal(denied.code, 2, denied.stderr);
      assert.match(denied.stderr, /UNAUTHENTICATED/);
      await client.call("StartRun", {});
      await until("interval 1", () => intervals.length >= 2, 30_000);
      const cut = await client.call("InjectFault", {
        fault: { name: "cut", link_down: {}, selector: { links: ["users--web-1"] }, duration_ns: 1_000_000_000 },
      });
      await until("interval 4", () => intervals.length >= 5, 30_000);
      await client.call("ChangeLoad", {
        change: {
          name: "double",
          selector: { actors: ["users"] },
          ramp: { target: { factor: 2 }, duration_ns: 1_000_000_000 },
        },
      });
      await until("interval 6", () => intervals.length >= 7, 30_000);
      // A new rate curve (diurnal, mean 100/s); the factor 2 of the ramp stays and multiplies it.
      const evening = { process: "diurnal", mean_rate_per_s: 100, amplitude: 0.5, period: "4s", peak_at: "9s" };
      await client.call("ChangeLoad", {
        change: { name: "evening", selector: { actors: ["users"] }, curve: { arrivals_json: JSON.stringify(evening) } },
      });
      // Held while the CLI (a process start each) injects and looks: the crash takes effect where the run holds.
      const held = await client.call("PauseRun", {});
      assert.equal(held.state, "RUN_STATE_PAUSED");
      const injected = await runCli([
        "inject",
        "actor-crash",
        "--kinds",
        "server",
        "--duration",
        "500ms",
        "--control",
        address,
        "--token",
        TOKEN,
      ]);
      assert.equal(injected.code, 0, injected.stderr);
      assert.match(injected.stdout, /^live-\d+: actor-crash on web-1/);
      const status = await runCli(["status", "--json", "--all", "--control", address, "--token", TOKEN]);
      assert.equal(status.code, 0, status.stderr);
      const s = JSON.parse(status.stdout);
      assert.equal(s.status.runId, runId);
      assert.deepEqual(
        s.faults.map((f: { action: string }) => f.action),
        ["link-down", "actor-crash"],
      );
      assert.equal(s.faults[1].injectedNs, held.sim_time_ns);
      assert.equal(s.status.simTimeNs, held.sim_time_ns);
      assert.deepEqual(s.status.load, [{ actor: "users", factor: 2, ratePerS: 200 }]);
      await client.call("ResumeRun", {});
      await ended;
      assert.equal(cut.targets[0], "users--web-1");
    } finally {
      client.close();
    }
    const result = await live.result;
    assert.equal(result.code, 0, result.stderr);
  } finally {
    killRun(live.child, runId);
  }

  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  const drops = summary.packets.dropped_by_reason;
  assert.ok(drops.link_down > 0 && drops.actor_down > 0, JSON.stringify(drops));
  const doc = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8"));
  assert.deepEqual(
    doc.faults.map((f: { name: string; action: string; source: string; state: string }) => [
      f.name,
      f.action,
      f.source,
      f.state,
    ]),
    [
      ["cut", "link-down", "live", "cleared"],
      [doc.faults[1].id, "actor-crash", "live", "cleared"],
    ],
  );
  assert.ok(doc.faults[0].injected_s >= 2 && doc.faults[1].injected_s > doc.faults[0].injected_s);
  assert.equal(doc.load_changes[0].steps_applied, 10);
  assert.equal(doc.load_changes[1].name, "evening");
  const commands = JSON.parse(readFileSync(join(out, "commands.json"), "utf8"));
  const switched = commands.filter(
    (c: { command: { actor?: { command: string } } }) => c.command.actor?.command === "set_arrivals",
  );
  assert.equal(switched.length, 1);
  assert.equal(switched[0].time_ns, Math.round(doc.load_changes[1].started_s * 1e9));
  assert.ok(commands.every((c: { source: string }) => c.source === "live"));
  assert.equal(
    commands[0].time_ns,
    Math.round(doc.faults[0].injected_s * 1e9),
    "a live fault is recorded with the simulated time it took effect",
  );

  // Replays, in-process: the recorded experiment (with its fault records) and the bare commands.
  for (const recording of ["experiment.json", "commands.json"]) {
    const replay = join(dir.path, `replay-${recording}`);
    const r = await runCli([
      "run",
      file,
      "--transport",
      "inproc",
      "--experiment",
      join(out, recording),
      "--out",
      replay,
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(join(replay, "summary.json"), "utf8"),
      readFileSync(join(out, "summary.json"), "utf8"),
      `replay of ${recording}`,
    );
    if (recording === "experiment.json") {
      const again = JSON.parse(readFileSync(join(replay, "experiment.json"), "utf8"));
      assert.deepEqual(again.faults, doc.faults);
      assert.deepEqual(again.intervals, doc.intervals);
    }
  }
});
