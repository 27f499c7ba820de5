/**
 * Messages larger than the NATS server's max_payload go in fragments (nodes/runtime/transport/fragments.ts):
 * leaf-spine-4k, whose RunStart (the packed scenario, 1.2 MB) is larger than NATS's default limit of 1 MB, runs
 * over a real nats-server with that default on 1 and 2 host processes and gives the summary.json of an
 * in-process run byte for byte. A piece that fits no message (sent to a host and to the coordinator during the
 * 2-host run) is dropped, and run-info.json counts it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { headers } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../coordinator/nats-server.ts";
import { newRunId, runTwin } from "../coordinator/run.ts";
import { FRAGMENT_HEADER } from "../nodes/runtime/transport/fragments.ts";
import { scenarioToJson } from "../nodes/runtime/scenario-json.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

test("large messages - leaf-spine-4k runs over a nats-server with the default 1 MB max_payload, identical to in-process", async () => {
  const loaded = loadScenarioFile(join(REPO_ROOT, "examples", "leaf-spine-4k.yaml")).scenario;
  const scenario = { ...loaded, run: { ...loaded.run, durationNs: 400_000, warmupNs: 0, metricsIntervalNs: 200_000 } };
  const bytes = Buffer.byteLength(scenarioToJson(scenario));
  assert.ok(bytes > 1024 * 1024, `the packed scenario (${bytes} bytes) is larger than the server's max_payload`);

  // A later max_payload in the configuration file overrides the private server's own: NATS's default.
  const server = await NatsServer.start({ name: `dctwin-large-${process.pid}`, config: "max_payload: 1MB\n" });
  try {
    const summaries: [string, string][] = [];
    for (const [transport, hosts] of [
      ["inproc", 1],
      ["nats", 1],
      ["nats", 2],
    ] as const) {
      const outDir = join(dir.path, `${transport}-${hosts}`);
      const runId = newRunId();
      // On the 2-host run: the last piece of a message never begun, to host 1 and to the coordinator.
      let stray = hosts === 2 ? await connect({ servers: server.url }) : undefined;
      const strayConnection = stray;
      const { outcome } = await runTwin({
        scenario,
        hosts,
        transport,
        outDir,
        runId,
        natsUrl: transport === "nats" ? server.url : undefined,
        onWindow: () => {
          if (stray === undefined) return;
          const h = headers();
          h.set(FRAGMENT_HEADER, "00112233445566ff/0/1/2");
          for (const subject of [`dct.${runId}.report.0.window.1`, `dct.${runId}.report.0.full`])
            stray.publish(subject, Uint8Array.of(1, 2, 3), { headers: h });
          stray = undefined; // once, at the first window
        },
      });
      await strayConnection?.close();
      assert.equal(outcome.status, "completed", `${transport}/${hosts}`);
      const info = JSON.parse(readFileSync(join(outDir, "run-info.json"), "utf8"));
      assert.equal(info.nats_fragments_dropped, hosts === 2 ? 2 : 0, `${transport}/${hosts}: dropped pieces`);
      summaries.push([`${transport}/${hosts}`, readFileSync(join(outDir, "summary.json"), "utf8")]);
    }
    const [, reference] = summaries[0]!;
    assert.ok(JSON.parse(reference).packets.link_hops > 1000, "the scenario moves traffic");
    for (const [config, summary] of summaries.slice(1))
      assert.equal(summary, reference, `summary.json of ${config} differs from inproc/1`);
  } finally {
    await server.stop();
  }
});
