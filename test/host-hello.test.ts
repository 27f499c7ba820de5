import assert from "node:assert/strict";
import { test } from "node:test";
import { stringify } from "yaml";
import { RunDriver } from "../coordinator/driver/run-driver.ts";
import { placeActors } from "../coordinator/placement/place.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { runModels } from "../nodes/leap/support.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { queueScenario } from "./support/scenarios.ts";

const turn = () => new Promise((resolve) => setImmediate(resolve));

test("host hello - hosts that said hello before the coordinator listened join at its first heartbeat", {
  timeout: 60_000,
}, async () => {
  const { scenario } = loadScenarioText(
    stringify(queueScenario({ rate: 200, meanServiceMs: 2, cores: 2, durationS: 0.2, intervalS: 0.1, warmupS: 0 })),
    "hello.yaml",
  );
  const transport = new InProcTransport();
  const runId = "early-hosts";
  // An hour between repeated hellos: only the answer to the coordinator's heartbeat can bring these hosts in.
  for (const host of [0, 1])
    new HostAgent({ transport, runId, host, models: runModels, helloIntervalMs: 3_600_000 }).start();
  await turn(); // their first hellos went out to nobody
  const driver = new RunDriver({
    transport,
    runId,
    scenario,
    placement: placeActors(scenario, 2),
    hostCount: 2,
  });
  driver.listen();
  const outcome = await driver.run();
  assert.equal(outcome.status, "completed");
  assert.deepEqual(
    outcome.hosts.map((h) => h.host),
    [0, 1],
  );
});
