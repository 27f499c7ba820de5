/**
 * Checkpoint messages of another wire version, on a real nats-server: a host asked for a checkpoint by a
 * coordinator of another version refuses it in its own version, naming both versions (a coordinator of any version
 * reads that prefix and disables checkpoints with the reason: coordinator/driver/checkpointer.test.ts); a request
 * that is not a checkpoint message at all is counted and dropped.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { NatsServer } from "../coordinator/nats-server.ts";
import { runModels } from "../nodes/leap/support.ts";
import { decodeCheckpointFrame, encodeCheckpointRequest } from "../nodes/runtime/checkpoint-wire.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { NatsTransport } from "../nodes/runtime/transport/nats.ts";
import { subjects } from "../nodes/runtime/transport/transport.ts";
import { wire } from "../nodes/runtime/wire.ts";

test("checkpoint versions - a host refuses a request of another wire version naming both; garbage is counted", async () => {
  const server = await NatsServer.start({ name: `dctwin-checkpoint-versions-${process.pid}` });
  const connections: NatsTransport[] = [];
  const run = subjects(`versions-${process.pid}`);
  let agent: HostAgent | undefined;
  try {
    const connect = async (name: string) => {
      const t = await NatsTransport.connect(server.url, { name });
      connections.push(t);
      return t;
    };
    agent = new HostAgent({
      transport: await connect("host-1"),
      runId: `versions-${process.pid}`,
      host: 1,
      models: runModels,
    });
    agent.start();
    const coordinator = await connect("coordinator");
    const answers: Uint8Array[] = [];
    coordinator.subscribe(run.hostCheckpoint(1), (bytes) => answers.push(bytes.slice()));
    await coordinator.flush();
    await connections[0]!.flush(); // the host's subscriptions are in place

    coordinator.publish(run.checkpoint, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)); // the size of an unversioned request
    coordinator.publish(run.checkpoint, encodeCheckpointRequest(1e9).subarray(0, 12));
    coordinator.publish(run.checkpoint, encodeCheckpointRequest(1e9, 2));
    await coordinator.flush();
    for (let i = 0; i < 100 && answers.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));

    assert.equal(answers.length, 1, "one answer: to the request of another version");
    const refusal = decodeCheckpointFrame(answers[0]!);
    assert.ok(refusal?.kind === "frame" && refusal.count === 0, "a refusal frame of this host's version");
    assert.equal(
      new TextDecoder().decode(refusal.chunk),
      "the coordinator speaks checkpoint wire version 2, host 1 version 1: run the same dctwin version on the coordinator and every host",
    );
    assert.equal(agent.malformedMessages, 2, "the two requests that are not checkpoint messages");
  } finally {
    const coordinator = connections[1];
    if (coordinator !== undefined) {
      coordinator.publish(run.stop, wire.RunStop.encode({ reason: "test over" }).finish()); // the host stops its hello
      await coordinator.flush();
    }
    await agent?.finished;
    for (const t of connections) await t.close();
    await server.stop();
  }
});
