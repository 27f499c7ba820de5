/**
 * ML inference in leap mode is deterministic and distributed like the other leap kinds: batching GPUs on two
 * switches (so they land on different hosts), two quasi-steady behind a round-robin balancer (Erlang arrivals) and
 * one overloaded with a finite queue (its fluid backlog and drops), give byte-identical results in-process on one host and over a real nats-server with two
 * host processes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { assertSameFiles, runToFiles } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const gpu = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "ml_inference",
  gpus: { count: 1, idle_w: 50, max_w: 300 },
  batch: { max_size: 8 },
  batch_time: { base: "2ms", per_item: "250us" },
  ...extra,
});
const users = (id: string, target: string, rate: number) => ({
  id,
  kind: "client",
  target,
  arrivals: { process: "poisson", rate_per_s: rate },
});
const scenario = {
  name: "leap-ml-inference-cross-host",
  run: { duration: "5s", seed: 11, metrics_interval: "1s", mode: "leap", leap: { step: "10ms" } },
  actors: [
    users("users-a", "lb-a", 3000), // round robin over two GPUs: each sees Erlang-2 arrivals
    users("users-b", "infer-b", 3000), // twice what full batches serve (2,000/s): a growing backlog
    { id: "lb-a", kind: "load_balancer", replicas: ["infer-a", "infer-c"], policy: "round_robin" },
    gpu("infer-a"),
    gpu("infer-c"),
    gpu("infer-b", { queue_limit: 2000 }),
    { id: "leaf-1", kind: "switch", buffer: "1GB" },
    { id: "leaf-2", kind: "switch", buffer: "1GB" },
  ],
  links: [
    { a: "users-a", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "users-b", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
    { a: "infer-a", b: "leaf-2", latency: "20us", bandwidth: "10Gbps" },
    { a: "infer-b", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "infer-c", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "lb-a", b: "leaf-1", latency: "20us", bandwidth: "10Gbps" },
    { a: "leaf-1", b: "leaf-2", latency: "20us", bandwidth: "100Gbps" },
  ],
};
const file = writeScenario(dir.path, "leap-ml-inference-cross-host", scenario);

const run = (name: string, ...args: string[]) => runToFiles(file, join(dir.path, name), ...args);

test("leap ml_inference determinism - byte-identical results for inproc/1 and nats/2 hosts", async () => {
  const inproc = await run("inproc-1", "--transport", "inproc", "--hosts", "1");
  const nats2 = await run("nats-2", "--transport", "nats", "--hosts", "2");
  const parsed = JSON.parse(inproc.summary);
  assert.equal(parsed.status, "completed");
  assert.ok(parsed.metrics.batch_size.ml_inference.count > 1000, "batches are recorded");
  assert.ok(parsed.packets.dropped_by_reason.queue_full > 0, "the overloaded queue fills and drops");
  assertSameFiles(nats2, inproc, "nats/2");
});
