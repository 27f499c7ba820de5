/**
 * A failed run's partial outcome, on a real nats-server: host 1 of a 2-host run fails (its model throws at a set
 * simulated time); host 0 is told the run stops while it holds unsent full reports (report-bundler.ts keeps up to
 * BUNDLE_WAIT_MS of windows). Every host sends what it holds before it stops, so the coordinator's partial
 * results reach the last window the failing host finished (which host 0 finished too: a host runs a window only
 * with every host's report of the one before), as the hosts' own window messages on the wire show.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../coordinator/nats-server.ts";
import { newRunId, RunFailedError, runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { runModels } from "../nodes/leap/support.ts";
import type { ActorContext, ActorModel, ModelLookup } from "../nodes/runtime/actor.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { NatsTransport } from "../nodes/runtime/transport/nats.ts";
import { tryDecode, wire } from "../nodes/runtime/wire.ts";
import { REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

/** Host 1's models fail at the first event from this simulated time on: inside an interval, between bundles. */
const FAIL_AT_NS = 620e6;

/** The run's models, throwing at the first event at or after FAIL_AT_NS. */
function failingModels(scenario: ResolvedScenario): ModelLookup {
  const models = runModels(scenario);
  const check = (ctx: ActorContext) => {
    if (ctx.nowNs >= FAIL_AT_NS) throw new Error(`model failure at ${ctx.nowNs} ns (test)`);
  };
  return (kind) => {
    const model = models(kind);
    const failing: ActorModel = Object.create(model);
    failing.onPacket = (state, packet, ctx) => (check(ctx), model.onPacket(state, packet, ctx));
    failing.onTimer = (state, tag, arg, ctx) => (check(ctx), model.onTimer(state, tag, arg, ctx));
    return failing;
  };
}

test("host failure - the partial outcome has every window the hosts finished, the other host's unsent ones too", async () => {
  const loaded = loadScenarioFile(join(REPO_ROOT, "examples", "tiny.yaml")).scenario;
  const scenario = { ...loaded, run: { ...loaded.run, durationNs: 2e9, warmupNs: 0, metricsIntervalNs: 250e6 } };
  const server = await NatsServer.start({ name: `dctwin-failure-reports-${process.pid}` });
  const connections: NatsTransport[] = [];
  try {
    const runId = newRunId();
    // The failing host's window messages to its peer go at once (unbundled): the last one is the last window it finished.
    const monitor = await connect({ servers: server.url });
    let lastWindow = -1;
    let lastEndNs = -1;
    monitor.subscribe(`dct.${runId}.report.1.window.0`, {
      callback: (_error, msg) => {
        const report = tryDecode(wire.PeerWindow, msg.data)?.report;
        if (report == null || Number(report.window) <= lastWindow) return;
        lastWindow = Number(report.window);
        lastEndNs = Number(report.endNs);
      },
    });
    await monitor.flush();
    const out = join(dir.path, "failed");
    const run = runTwin({ scenario, hosts: 2, transport: "nats", natsUrl: server.url, join: true, runId, outDir: out });
    const agents: HostAgent[] = [];
    for (const host of [0, 1]) {
      const transport = await NatsTransport.connect(server.url, { name: `failure-host-${host}` });
      connections.push(transport);
      const models = host === 1 ? failingModels : runModels;
      const agent = new HostAgent({ transport, runId, host, models });
      agent.start();
      agents.push(agent);
    }
    await assert.rejects(run, (error: unknown) => error instanceof RunFailedError);
    const [stopped0, stopped1] = await Promise.all(agents.map((a) => a.finished));
    assert.match(stopped1!, /host 1 failed: Error: model failure at \d+ ns \(test\)/);
    assert.equal(stopped0, "run ended");
    await monitor.flush();
    await monitor.close();

    const info = JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.equal(summary.status, "failed");
    assert.match(info.failure, /host 1: Error: model failure/);
    // Both hosts were alive: the coordinator waited for both last bundles, and the wait ended on the last of them.
    assert.deepEqual(info.last_reports, { answered: [0, 1], lost: [], silent: [], ended: "answered" });
    // Up to the window before the first event at FAIL_AT_NS (windows are well under a millisecond here).
    assert.ok(Math.abs(lastEndNs - FAIL_AT_NS) < 10e6, `host 1 finished windows up to ${lastEndNs} ns`);
    assert.equal(info.windows, lastWindow, "the partial outcome has every window host 1 finished");
    // Simulated time reached: the start of the next window (the one host 1 failed in), at or after that end.
    const reachedNs = summary.sim_time_s * 1e9;
    assert.ok(reachedNs >= lastEndNs - 1 && reachedNs < lastEndNs + 10e6, `sim time ${reachedNs} ns`);
  } finally {
    for (const transport of connections) await transport.close();
    await server.stop();
  }
});
