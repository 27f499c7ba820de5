import assert from "node:assert/strict";
import { test } from "node:test";
import { stringify } from "yaml";
import { RunDriver, type RunDriverOptions } from "../coordinator/driver/run-driver.ts";
import { placeActors } from "../coordinator/placement/place.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { runModels } from "../nodes/leap/support.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { queueScenario } from "./support/scenarios.ts";

const turn = () => new Promise((resolve) => setImmediate(resolve));

const helloScenario = () =>
  loadScenarioText(
    stringify(queueScenario({ rate: 200, meanServiceMs: 2, cores: 2, durationS: 0.2, intervalS: 0.1, warmupS: 0 })),
    "hello.yaml",
  ).scenario;

test("host hello - hosts that said hello before the coordinator listened join at its first heartbeat", {
  timeout: 60_000,
}, async () => {
  const transport = new InProcTransport();
  const runId = "early-hosts";
  // An hour between repeated hellos: only the answer to the coordinator's heartbeat can bring these hosts in.
  for (const host of [0, 1])
    new HostAgent({ transport, runId, host, models: runModels, helloIntervalMs: 3_600_000 }).start();
  await turn(); // their first hellos went out to nobody
  const driver = twoHostDriver(transport, runId);
  const outcome = await driver.run();
  assert.equal(outcome.status, "completed");
  assert.deepEqual(
    outcome.hosts.map((h) => h.host),
    [0, 1],
  );
});

/** A run of 2 in-process hosts whose models are in once `modelsLoaded` settles (undefined: at once). */
function gatedRun(runId: string, modelsLoaded: Promise<unknown> | undefined, milestones: string[]) {
  const transport = new InProcTransport();
  for (const host of [0, 1]) new HostAgent({ transport, runId, host, models: runModels, modelsLoaded }).start();
  return twoHostDriver(transport, runId, {
    onHostsJoined: () => milestones.push("joined"),
    onHostsReady: () => milestones.push("ready"),
  }).run();
}

/** A listening coordinator of a 2-host run of the hello scenario. */
function twoHostDriver(transport: InProcTransport, runId: string, extra: Partial<RunDriverOptions> = {}): RunDriver {
  const scenario = helloScenario();
  const driver = new RunDriver({
    transport,
    runId,
    scenario,
    placement: placeActors(scenario, 2),
    hostCount: 2,
    ...extra,
  });
  driver.listen();
  return driver;
}

test("host hello - hosts say hello while their models load and start the run once they are in: the same outcome", {
  timeout: 60_000,
}, async () => {
  let loaded: () => void = () => {};
  const gate = new Promise<void>((resolve) => (loaded = resolve));
  const milestones: string[] = [];
  const gated = gatedRun("models-loading", gate, milestones);
  for (let i = 0; i < 50 && !milestones.includes("joined"); i++) await turn();
  for (let i = 0; i < 20; i++) await turn(); // RunStart went out meanwhile: nothing runs without the models
  assert.deepEqual(milestones, ["joined"]);
  milestones.push("models in");
  loaded();
  const outcome = await gated;
  assert.deepEqual(milestones, ["joined", "models in", "ready"]);
  assert.equal(outcome.status, "completed");
  const plain = await gatedRun("models-loaded", undefined, []);
  assert.deepEqual(outcome.totals, plain.totals);
  assert.equal(outcome.simTimeNs, plain.simTimeNs);
});

test("host hello - models that fail to load fail the host with the reason, as a model error does", {
  timeout: 60_000,
}, async () => {
  const failed = Promise.reject(new Error("cannot load the models"));
  failed.catch(() => {}); // as nodes/host.ts does: the agent reports it once RunStart comes, in a later turn
  await assert.rejects(gatedRun("models-failed", failed, []), /host \d+.*cannot load the models/s);
});
