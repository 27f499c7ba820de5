/**
 * Determinism at scale: examples/leaf-spine-4k.yaml (4,168 actors, clients in remote racks, so traffic crosses
 * the placement's cut) run for a few simulated milliseconds gives byte-identical summary.json in-process on one
 * host and over a real nats-server on two host processes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runOk } from "./support/cli.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());
const file = new URL("../examples/leaf-spine-4k.yaml", import.meta.url).pathname;

async function summary(name: string, ...args: string[]): Promise<string> {
  const out = await runOk(file, join(dir.path, name), ["--duration", "2.5ms", ...args], 600_000);
  return readFileSync(join(out, "summary.json"), "utf8");
}

test("determinism - leaf-spine-4k: inproc/1 and NATS/2 give byte-identical summary.json", {
  timeout: 900_000,
}, async () => {
  const inproc = await summary("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats2 = await summary("nats-2", "--transport", "nats", "--hosts", "2");
  const parsed = JSON.parse(inproc);
  assert.equal(parsed.status, "completed");
  assert.equal(parsed.actors, 4168);
  assert.ok(parsed.packets.link_hops > 10_000, `the scenario moves traffic (${parsed.packets.link_hops} hops)`);
  const crossFabric = parsed.link_traffic.filter(
    (l: { id: string; a_to_b: { packets: number } }) => l.id.startsWith("spine-") && l.a_to_b.packets > 0,
  );
  assert.ok(crossFabric.length > 0, "packets cross the leaf-spine links that the 2-host placement cuts");
  assert.equal(nats2, inproc, "summary.json of NATS/2 differs from inproc/1");
});
