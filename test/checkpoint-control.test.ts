/**
 * Checkpoints of runs with a control layer (coordinator/control/control-state.ts): an experiment run (a scheduled
 * fault with its clear, a load change, checks) interrupted after a checkpoint and resumed from it, and a run
 * steered live (faults over the controller, as the gRPC API calls it) whose host process is killed -9 after a
 * live change that the checkpoint does not hold yet, give results byte-identical to the same runs undisturbed:
 * summary.json, timeseries.csv and links.csv, and experiment.json, faults.csv and commands.json. Checkpoints at
 * every interval make every interval boundary a horizon, so a live change lands at the same time in both runs.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { readCheckpoint } from "../coordinator/checkpoint/store.ts";
import { PrivateBroker } from "../coordinator/private-broker.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { runControlled, type ControlledRunOptions } from "../coordinator/session.ts";
import type { RunController } from "../coordinator/control/controller.ts";
import { sealPart } from "../nodes/runtime/checkpoint-part.ts";
import { testRunMeta } from "./support/checkpoints.ts";
import { crossHostScenario, tempDir } from "./support/scenarios.ts";
import { EXPERIMENT, EXPERIMENT_FILES } from "./support/control-experiment.ts";

const dir = tempDir("dctwin-checkpoint-control-");
after(() => dir.remove());

const FILES = ["summary.json", "timeseries.csv", "links.csv", ...EXPERIMENT_FILES];
const results = (out: string) => FILES.map((f) => [f, readFileSync(join(out, f), "utf8")]);
const every = { everyIntervals: 1, minWallMs: 0 };

const { scenario, experiment } = loadScenarioText(
  stringify({ ...crossHostScenario("250ms"), experiment: EXPERIMENT }),
  "exp.yaml",
);
const plan = experiment!.plan;

test("checkpoint control - an experiment run interrupted after a checkpoint and resumed gives the undisturbed results", async () => {
  const whole = join(dir.path, "exp-whole");
  const undisturbed = await runControlled({ scenario, hosts: 3, transport: "inproc", outDir: whole, plan });
  assert.equal(undisturbed.outcome.status, "completed");
  assert.equal(undisturbed.experiment.passed, 2);
  const out = join(dir.path, "exp");
  const interrupt = new AbortController();
  let closed = 0;
  const cut = await runControlled({
    scenario,
    hosts: 3,
    transport: "inproc",
    outDir: out,
    runId: "exp-run",
    plan,
    checkpoint: every,
    signal: interrupt.signal,
    // Past the cut and its clear (1 s), before the load change (1.25 s).
    onIntervalClosed: () => ++closed === 4 && interrupt.abort(),
  });
  assert.equal(cut.outcome.status, "interrupted");
  const info = JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
  assert.equal(info.checkpoints.disabled, null, "the control state is plain data");
  const stored = readCheckpoint(out);
  assert.ok(stored.control !== undefined, "the checkpoint holds the control layer");
  assert.ok(stored.meta.experiment);
  assert.ok(stored.meta.at_ns >= 750e6 && stored.meta.at_ns < 2e9, `checkpoint at ${stored.meta.at_ns}`);
  const resumed = await runControlled({
    scenario,
    hosts: 3,
    transport: "inproc",
    outDir: out,
    runId: "exp-run",
    checkpoint: every,
    resume: stored,
  });
  assert.equal(resumed.outcome.status, "completed");
  assert.deepEqual(resumed.experiment, undisturbed.experiment);
  assert.deepEqual(results(out), results(whole), "resumed = undisturbed, byte for byte");
  assert.ok(!existsSync(join(out, "checkpoint")));
});

const selector = (s: { links?: string[]; actors?: string[] }) => ({
  actors: s.actors ?? [],
  kinds: [],
  groups: [],
  labels: {},
  links: s.links ?? [],
});
const all = { mode: "all" as const, value: 0, seed: null };

/** Live faults as the control API makes them: one before the run starts, one at the boundary `liveAtNs`. */
function steer(controller: RunController, liveAtNs: number) {
  controller.injectFault({
    name: "early",
    selector: selector({ links: ["clients-a--server-b"] }),
    choice: all,
    action: { type: "link-down" },
    durationNs: 250e6,
  });
  let done = false;
  return (timeNs: number) => {
    if (timeNs !== liveAtNs || done) return;
    done = true;
    controller.injectFault({
      name: "late",
      selector: selector({ actors: ["server-b"] }),
      choice: all,
      action: { type: "actor-crash" },
      durationNs: 250e6,
    });
  };
}

test("checkpoint control - kill -9 of a host right after a live change the checkpoint lacks: the change is replayed, results identical", async () => {
  const liveAtNs = 1e9; // applied at the next boundary, 1.25 s; the host dies once it is applied, before the checkpoint at 1.5 s
  const run = async (name: string, extra: Partial<ControlledRunOptions>, kill?: (timeNs: number) => void) => {
    let hook: (timeNs: number) => void = () => {};
    const out = join(dir.path, name);
    const result = await runControlled({
      scenario,
      hosts: 3,
      outDir: out,
      runId: `${name}-${process.pid}`,
      checkpoint: every,
      transport: "inproc",
      onController: (c) => (hook = steer(c, liveAtNs)),
      onBoundary: (t) => {
        hook(t);
        kill?.(t);
      },
      ...extra,
    });
    return { result, out };
  };
  const whole = await run("live-whole", {});
  const logs: string[] = [];
  let killed = false;
  const pids = () =>
    /started 3 host process\(es\): pids (\d+), (\d+), (\d+)/.exec(logs.join("\n"))!.slice(1).map(Number);
  const lost = await run("live-lost", { transport: "nats", recoveries: 2, log: (m) => logs.push(m) }, (t) => {
    // onBoundary(1.25 s) comes after the controller submitted the late crash there: it is in no checkpoint yet.
    if (t !== liveAtNs + 250e6 || killed) return;
    killed = true;
    process.kill(pids()[1]!, "SIGKILL");
  });
  assert.ok(killed);
  const log = logs.join("\n");
  assert.match(log, /recovering \(1 of at most 2\): every host goes back to the checkpoint at 1\.25 s/);
  assert.equal(lost.result.outcome.status, "completed");
  const doc = JSON.parse(readFileSync(join(lost.out, "experiment.json"), "utf8"));
  assert.deepEqual(
    doc.faults.map((f: { name: string; injected_s: number; cleared_s: number }) => [f.name, f.injected_s, f.cleared_s]),
    [
      ["early", 0, 0.25],
      ["late", 1.25, 1.5],
    ],
  );
  assert.ok(lost.result.intervals[5]!.drops.get("actor_down")! > 0, "the replayed crash drops");
  assert.deepEqual(results(lost.out), results(whole.out));
});

test("checkpoint control - the control state is stored in JetStream beside the snapshots and read back with the last set", async () => {
  const runId = `control-js-${process.pid}`;
  const lines: string[] = [];
  const broker = await PrivateBroker.start({ runId, hosts: 1, log: (m) => lines.push(m), jetStream: true });
  try {
    const store = broker.checkpoints!;
    const meta = testRunMeta(runId, 1, true);
    const bytes = (n: number) => Uint8Array.from({ length: 1000 }, (_, i) => (i * n) & 0xff);
    const set = (atNs: number, n: number) => ({
      atNs,
      coordinator: sealPart("coordinator", bytes(n)),
      hosts: [sealPart("host", bytes(n + 1))],
      control: sealPart("control", bytes(n + 2)),
    });
    store.save(meta, set(250e6, 1), (m) => lines.push(m));
    store.save(meta, set(500e6, 4), (m) => lines.push(m));
    const read = await store.read(join(dir.path, "js-restore"));
    assert.equal(read?.meta.at_ns, 500e6);
    assert.deepEqual(new Uint8Array(read!.control!), sealPart("control", bytes(6)));
    assert.deepEqual(
      lines.filter((l) => /not stored/.test(l)),
      [],
    );
  } finally {
    await broker.stop();
  }
});
