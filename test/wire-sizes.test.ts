/**
 * Packet and reply sizes are 64-bit on the wire: a 5 GiB request and its 5 GiB response cross three hosts intact,
 * so the 3-host run's results equal the in-process run's byte for byte (a 32-bit field would cut 5 GiB to 1 GiB
 * and shorten every serialization delay on the hosts that received the packet from the wire).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeBatchForTest } from "./support/wire.ts";
import { runToFiles } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());
const FIVE_GIB = 5 * 2 ** 30;

test("wire sizes - a 5 GiB packet survives encoding exactly", () => {
  const packet = decodeBatchForTest({ sizeBytes: FIVE_GIB, replyBytes: FIVE_GIB + 1 });
  assert.equal(packet.sizeBytes, FIVE_GIB);
  assert.equal(packet.replyBytes, FIVE_GIB + 1);
});

test("wire sizes - 5 GiB requests and responses give identical results in-process and on 3 hosts", async () => {
  // Placement cuts the actor table into 3 blocks: client on host 0, switch on host 1, server on host 2.
  const file = writeScenario(dir.path, "huge", {
    name: "huge-packets",
    run: { duration: "4s", seed: 3, metrics_interval: "1s" },
    actors: [
      {
        id: "trainer",
        kind: "client",
        target: "store",
        arrivals: { process: "poisson", rate_per_s: 2 },
        request_bytes: "5GiB",
        response_bytes: "5GiB",
      },
      { id: "tor", kind: "switch", buffer: "64GiB" },
      { id: "store", kind: "server", cores: 1, service: { distribution: "deterministic", value: "10ms" } },
    ],
    links: [
      { a: "trainer", b: "tor", latency: "5us", bandwidth: "400Gbps" },
      { a: "tor", b: "store", latency: "5us", bandwidth: "400Gbps" },
    ],
  });
  const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

  const inproc = await run("inproc", "--transport", "inproc");
  const nats3 = await run("nats3", "--hosts", "3");
  assert.equal(nats3.summary, inproc.summary);
  assert.equal(nats3.links, inproc.links);
  // Every packet that crossed the server's link (both ways) carried exactly 5 GiB.
  const rows = nats3.links
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","));
  const header = nats3.links.split("\n")[0]!.split(",");
  const [packets, bytes] = [header.indexOf("packets"), header.indexOf("bytes")];
  const crossed = rows.filter((r) => Number(r[packets]) > 0);
  assert.ok(crossed.length > 0, "packets crossed the links");
  for (const r of crossed) assert.equal(Number(r[bytes]), Number(r[packets]) * FIVE_GIB, r.join(","));
});
