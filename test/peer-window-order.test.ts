/**
 * A host's PeerWindow reaches the other hosts before the host runs its next window. A transport hands over what it
 * read in one go and writes what was published in a microtask (nats.js; the in-process transport alike): a host
 * that ran windows straight from its message handlers, or one after another, got ahead of that write, and its peer
 * got the report of window k only with that of window k+1, a window late. Checked on the in-process transport (the
 * real one, wrapped to record) with two hosts and a cut link: for every host, its k-th PeerWindow was delivered
 * before it published its (k+1)-th. The run's results are those of one host.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RunDriver } from "../coordinator/driver/run-driver.ts";
import { placeActors } from "../coordinator/placement/place.ts";
import { validateScenario } from "../coordinator/scenario-loader.ts";
import { lookupModel } from "../nodes/models/registry.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { type MessageHandler, reportHost, type Transport } from "../nodes/runtime/transport/transport.ts";
import { queueScenario } from "./support/scenarios.ts";

const { scenario } = validateScenario(
  queueScenario({
    rate: 4000,
    meanServiceMs: 0.2,
    cores: 2,
    durationS: 0.05,
    latencyUs: 50,
    intervalS: 0.01,
    warmupS: 0,
  }),
  "order",
);

const PEER_WINDOW = /\.report\.(\d+)\.window\.\d+$/;

/** The in-process transport, recording for each host how many PeerWindows it published and how many arrived. */
class RecordingTransport implements Transport {
  readonly inner = new InProcTransport();
  readonly published = new Map<number, number>();
  readonly delivered = new Map<number, number>();
  /** Publishes of a host's PeerWindow while its previous one had not arrived. */
  readonly overtaken: string[] = [];

  publish(subject: string, payload: Uint8Array): void {
    const from = PEER_WINDOW.exec(subject)?.[1];
    if (from !== undefined) {
      const host = Number(from);
      const n = (this.published.get(host) ?? 0) + 1;
      if ((this.delivered.get(host) ?? 0) < n - 1)
        this.overtaken.push(`host ${host} published its PeerWindow ${n} before its PeerWindow ${n - 1} arrived`);
      this.published.set(host, n);
    }
    this.inner.publish(subject, payload);
  }

  subscribe(subject: string, handler: MessageHandler) {
    return this.inner.subscribe(subject, (payload, actual) => {
      if (PEER_WINDOW.test(actual)) {
        const from = reportHost(actual)!;
        this.delivered.set(from, (this.delivered.get(from) ?? 0) + 1);
      }
      handler(payload, actual);
    });
  }

  droppedFragments(): number {
    return this.inner.droppedFragments();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function run(hosts: number) {
  const transport = new RecordingTransport();
  const driver = new RunDriver({
    transport,
    runId: "order",
    scenario,
    placement: placeActors(2, hosts),
    hostCount: hosts,
  });
  driver.listen();
  for (let host = 0; host < hosts; host++)
    new HostAgent({ transport, runId: "order", host, models: () => lookupModel }).start();
  const outcome = await driver.run();
  return { transport, outcome };
}

test("peer window order - every PeerWindow arrives before its host runs the next window", async () => {
  const { transport, outcome } = await run(2);
  assert.ok(outcome.windows > 100, `short windows over the cut link (${outcome.windows})`);
  for (const host of [0, 1])
    assert.ok((transport.published.get(host) ?? 0) >= outcome.windows, `host ${host} sent a PeerWindow per window`);
  assert.deepEqual(transport.overtaken.slice(0, 5), [], `${transport.overtaken.length} PeerWindows went out late`);

  const one = await run(1);
  assert.deepEqual(one.outcome.totals, outcome.totals, "the same run on one host");
});
