/**
 * The benchmark (`npm run bench`, or `node_modules/.bin/node bench/run.ts [--quick] [--keep] [--scenario FILE]`).
 *
 * 1. Runs the benchmark scenario with runTwin as
 *      inproc, 1 host | inproc, 2 hosts (batch census) | NATS, 1 host | NATS, 2 hosts
 *    (NATS runs start their own private nats-server and host processes, the default of `dctwin run`) and prints
 *    packet hops, simulated seconds and windows per wall second. The four summary.json files must be
 *    byte-identical (determinism across transports and placements); the exit code is 1 if they are not.
 *    The inproc 2-host run counts the cross-host batches (number and encoded bytes) by wrapping the in-process
 *    transport's publish: the same batches, byte for byte, that the NATS 2-host run sends, since batches depend
 *    only on scenario, seed and placement.
 * 2. Measures the raw NATS ceiling on a fresh private nats-server, between this process and a child process
 *    (bench/nats-peer.ts): one-way throughput of messages the size of the mean cross-host batch found by the
 *    census (packets/s = messages/s x mean packets per batch), and the request-reply round trip, whose inverse bounds the
 *    window rate (every window is one Advance out and one WindowDone back per host).
 * 3. Prints the twin's figures as fractions of that ceiling, a table on stdout and one JSON line (also written
 *    to bench/results.json).
 * 4. Software components on a large fabric: runs the fat-tree k=8 scenario (scenarios/fat-tree-k8.yaml, 241
 *    actors, mixed services and stores at moderate load) and, as the baseline, the benchmark scenario, each in a
 *    fresh process (bench/footprint.ts: in-process transport, one host) and prints packet hops per second,
 *    simulated seconds per wall second and peak heap (and RSS) per actor, with the fat-tree's figures as ratios
 *    of the baseline's measured in the same bench run (method in bench/footprint.ts).
 *
 * --quick shortens the simulated duration (and the raw measurement) for a smoke run of about 15 s (the full run takes about a minute and a half).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../coordinator/nats-server.ts";
import { placeActors } from "../coordinator/placement.ts";
import { runTwin, type TransportKind, type TwinRunResult } from "../coordinator/run.ts";
import { loadScenarioFile } from "../scenario/load.ts";
import { EventType, type SimEvent } from "../nodes/runtime/event-queue.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { encodeBatch } from "../nodes/runtime/wire.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    scenario: { type: "string", default: here("../scenarios/bench-300.yaml") },
    "fat-tree": { type: "string", default: here("../scenarios/fat-tree-k8.yaml") },
  },
});
const QUICK = flags.quick;
const QUICK_DURATION_NS = 300_000_000;
const RAW_MESSAGES = QUICK ? 50_000 : 300_000;
const RAW_CHUNK = 5_000;
const PING_WARMUP = QUICK ? 100 : 300;
const PING_ITERATIONS = QUICK ? 500 : 2_000;
/** Batch size used when the scenario sends nothing between hosts (documented fallback: 1 packet). */
const FALLBACK_PACKETS_PER_BATCH = 1;

interface RunConfig {
  name: string;
  transport: TransportKind;
  hosts: number;
  census?: boolean;
}

const CONFIGS: RunConfig[] = [
  { name: "inproc, 1 host", transport: "inproc", hosts: 1 },
  { name: "inproc, 2 hosts (batch census)", transport: "inproc", hosts: 2, census: true },
  { name: "NATS, 1 host", transport: "nats", hosts: 1 },
  { name: "NATS, 2 hosts", transport: "nats", hosts: 2 },
];

interface RunFigures {
  name: string;
  transport: TransportKind;
  hosts: number;
  wall_s: number;
  /** From the runTwin call to the end of the first window: nats-server, host processes, RunStart. */
  setup_s: number;
  sim_s: number;
  windows: number;
  events: number;
  hops: number;
  /** Packets that crossed hosts (0 on one host). */
  cross_host_packets: number;
  hops_per_s: number;
  sim_s_per_wall_s: number;
  windows_per_s: number;
  events_per_s: number;
  /** Windows per second between the first and the last window (without setup). */
  loop_windows_per_s: number;
  summary_sha_equal?: boolean;
}

interface BatchCensus {
  batches: number;
  bytes: number;
  /** The first batch seen, whose bytes fill the raw measurement's payload. */
  first: Uint8Array | undefined;
}

// ---- twin runs ---------------------------------------------------------------------------------------------

/** Counts the cross-host data batches published on the in-process transport while `body` runs. */
async function withBatchCensus<T>(body: () => Promise<T>): Promise<{ result: T; census: BatchCensus }> {
  const census: BatchCensus = { batches: 0, bytes: 0, first: undefined };
  const original = InProcTransport.prototype.publish;
  const dataSubject = /\.host\.\d+\.data$/;
  InProcTransport.prototype.publish = function (this: InProcTransport, subject: string, payload: Uint8Array): void {
    if (dataSubject.test(subject)) {
      census.batches++;
      census.bytes += payload.length;
      census.first ??= payload.slice();
    }
    original.call(this, subject, payload);
  };
  try {
    return { result: await body(), census };
  } finally {
    InProcTransport.prototype.publish = original;
  }
}

/** Packets on links whose two ends run on different hosts under `hosts`-way placement. */
function crossHostPackets(scenario: ResolvedScenario, hosts: number, result: TwinRunResult): number {
  const hostOf = placeActors(scenario.actors, hosts);
  let packets = 0;
  for (const [key, totals] of result.outcome.aggregator.links) {
    const link = scenario.links[key >> 1]!;
    if (hostOf[link.a] !== hostOf[link.b]) packets += totals.packets;
  }
  return packets;
}

async function runConfig(config: RunConfig, scenario: ResolvedScenario, outDir: string): Promise<{ figures: RunFigures; census?: BatchCensus }> {
  const started = performance.now();
  let firstWindowMs = 0;
  let lastWindowMs = 0;
  let windowsSeen = 0;
  const run = () =>
    runTwin({
      scenario,
      hosts: config.hosts,
      transport: config.transport,
      outDir,
      onWindow: () => {
        const now = performance.now();
        if (windowsSeen === 0) firstWindowMs = now;
        lastWindowMs = now;
        windowsSeen++;
      },
    });
  let result: TwinRunResult;
  let census: BatchCensus | undefined;
  if (config.census) ({ result, census } = await withBatchCensus(run));
  else result = await run();
  const { outcome, wallTimeS } = result;
  const agg = outcome.aggregator;
  const sim = outcome.simTimeNs / 1e9;
  const figures: RunFigures = {
    name: config.name,
    transport: config.transport,
    hosts: config.hosts,
    wall_s: wallTimeS,
    setup_s: (firstWindowMs - started) / 1000,
    sim_s: sim,
    windows: agg.windows,
    events: agg.events,
    hops: agg.hops,
    cross_host_packets: config.hosts > 1 ? crossHostPackets(scenario, config.hosts, result) : 0,
    hops_per_s: agg.hops / wallTimeS,
    sim_s_per_wall_s: sim / wallTimeS,
    windows_per_s: agg.windows / wallTimeS,
    events_per_s: agg.events / wallTimeS,
    loop_windows_per_s: windowsSeen > 1 ? (windowsSeen - 1) / ((lastWindowMs - firstWindowMs) / 1000) : 0,
  };
  if (outcome.status !== "completed") throw new Error(`${config.name}: run ended with status ${outcome.status}`);
  return census === undefined ? { figures } : { figures, census };
}

// ---- raw NATS ceiling --------------------------------------------------------------------------------------

interface RawFigures {
  payload_bytes: number;
  packets_per_message: number;
  messages: number;
  messages_received: number;
  messages_per_s: number;
  mbytes_per_s: number;
  packets_per_s: number;
  publish_messages_per_s: number;
  rtt_iterations: number;
  rtt_mean_us: number;
  rtt_p50_us: number;
  rtt_p99_us: number;
  /** 1 / mean RTT: the most windows per second a coordinator could drive. */
  window_ceiling_per_s: number;
}

async function startPeer(url: string) {
  const child = spawn(process.execPath, [here("./nats-peer.ts"), url], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bench/nats-peer.ts did not get ready within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`bench/nats-peer.ts exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line === "ready") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function measureRawNats(payload: Uint8Array, packetsPerMessage: number): Promise<RawFigures> {
  const server = await NatsServer.start({ name: `dctwin-bench-${process.pid}` });
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  const nc = await connect({ servers: server.url, name: "dctwin-bench-publisher" });
  try {
    peer = await startPeer(server.url);

    // Round trip: request-reply ping-pong with a small payload (Advance and WindowDone are small messages).
    const ping = new Uint8Array(64);
    const rtts: number[] = [];
    for (let i = 0; i < PING_WARMUP + PING_ITERATIONS; i++) {
      const t0 = performance.now();
      await nc.request("bench.ping", ping, { timeout: 5_000 });
      if (i >= PING_WARMUP) rtts.push((performance.now() - t0) * 1000);
    }
    rtts.sort((a, b) => a - b);
    const rttMean = rtts.reduce((s, x) => s + x, 0) / rtts.length;

    // Throughput: one publisher, one subscriber. Flow control keeps at most two chunks in flight (a sync request
    // after each chunk is answered only once the peer has read everything before it), so the server never has
    // to drop the subscriber as a slow consumer.
    await nc.request("bench.report", undefined, { timeout: 5_000 }); // reset counters
    const t0 = performance.now();
    let previousSync: Promise<unknown> = Promise.resolve();
    for (let sent = 0; sent < RAW_MESSAGES; ) {
      const n = Math.min(RAW_CHUNK, RAW_MESSAGES - sent);
      for (let i = 0; i < n; i++) nc.publish("bench.data", payload);
      sent += n;
      const sync = nc.request("bench.sync", undefined, { timeout: 30_000 });
      await previousSync;
      previousSync = sync;
    }
    await previousSync;
    const publishS = (performance.now() - t0) / 1000;
    const report = JSON.parse(new TextDecoder().decode((await nc.request("bench.report", undefined, { timeout: 5_000 })).data)) as { count: number; bytes: number; spanS: number };
    const perS = report.count > 1 && report.spanS > 0 ? (report.count - 1) / report.spanS : 0;
    return {
      payload_bytes: payload.length,
      packets_per_message: packetsPerMessage,
      messages: RAW_MESSAGES,
      messages_received: report.count,
      messages_per_s: perS,
      mbytes_per_s: (perS * payload.length) / 1e6,
      packets_per_s: perS * packetsPerMessage,
      publish_messages_per_s: RAW_MESSAGES / publishS,
      rtt_iterations: rtts.length,
      rtt_mean_us: rttMean,
      rtt_p50_us: rtts[Math.floor(rtts.length * 0.5)]!,
      rtt_p99_us: rtts[Math.min(rtts.length - 1, Math.floor(rtts.length * 0.99))]!,
      window_ceiling_per_s: 1e6 / rttMean,
    };
  } finally {
    await nc.close().catch(() => {});
    await peer?.stop().catch(() => {});
    await server.stop();
  }
}

/** A synthetic batch of `n` request packets, for scenarios without cross-host traffic. */
function syntheticBatch(n: number): Uint8Array {
  const events: SimEvent[] = Array.from({ length: n }, (_, i) => ({
    timeNs: 1_000_000 + i * 1_000,
    dst: 150 + i,
    src: i,
    seq: 1000 + i,
    type: EventType.packet,
    packet: { id: 5000 + i, flowId: 5000 + i, species: 1, src: i, dst: 150 + i, sizeBytes: 400, multiplicity: 1, createdNs: 999_000, hops: 1, kind: 0, flowCreatedNs: 999_000, replyBytes: 1500, traceparent: "" },
    link: i,
    tag: 0,
    arg: 0,
  }));
  return encodeBatch(10_000, 0, 1, events);
}

// ---- footprint: speed and memory per actor in a fresh process ----------------------------------------------

interface Footprint {
  scenario: string;
  actors: number;
  links: number;
  sim_s: number;
  wall_s: number;
  hops: number;
  hops_per_s: number;
  sim_s_per_wall_s: number;
  heap_peak_per_actor_bytes: number;
  rss_peak_per_actor_bytes: number;
}

async function measureFootprint(file: string, outDir: string): Promise<Footprint> {
  const args = ["--expose-gc", here("./footprint.ts"), file, outDir, ...(QUICK ? [String(QUICK_DURATION_NS)] : [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`bench/footprint.ts ${file} exited with code ${code}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as Footprint;
}

// ---- output ------------------------------------------------------------------------------------------------

function fmt(x: number, digits = 0): string {
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

// ---- main --------------------------------------------------------------------------------------------------

const { scenario, warnings } = loadScenarioFile(flags.scenario, QUICK ? { durationNs: QUICK_DURATION_NS } : {});
for (const w of warnings) console.error(`warning: ${w}`);
const workDir = mkdtempSync(join(tmpdir(), "dctwin-bench-"));
console.log(
  `dctwin bench: ${scenario.run.name} (${scenario.actors.length} actors, ${scenario.links.length} links), ${scenario.run.durationNs / 1e9} s simulated, quantum ${scenario.run.quantumNs / 1e3} us${QUICK ? " [--quick]" : ""}; node ${process.version}, ${availableParallelism()} CPUs`,
);

const runs: RunFigures[] = [];
let census: BatchCensus | undefined;
for (const [i, config] of CONFIGS.entries()) {
  process.stdout.write(`  running ${config.name} ... `);
  const outDir = join(workDir, `run-${i}`);
  const out = await runConfig(config, scenario, outDir);
  if (out.census !== undefined) census = out.census;
  runs.push(out.figures);
  console.log(`${out.figures.wall_s.toFixed(1)} s`);
}

const summaries = CONFIGS.map((_, i) => readFileSync(join(workDir, `run-${i}`, "summary.json")));
const identical = summaries.every((s) => s.equals(summaries[0]!));
runs.forEach((r, i) => (r.summary_sha_equal = summaries[i]!.equals(summaries[0]!)));

// What the raw measurement publishes: messages of the mean cross-host batch size (filled with the bytes of a real
// batch, repeated; NATS does not look inside), or a synthetic batch if nothing crossed hosts.
const twoHost = runs.find((r) => r.transport === "nats" && r.hosts === 2)!;
let payload: Uint8Array;
let packetsPerBatch: number;
let payloadSource: string;
if (census !== undefined && census.batches > 0) {
  const meanBytes = census.bytes / census.batches;
  packetsPerBatch = twoHost.cross_host_packets / census.batches;
  payload = new Uint8Array(Math.max(1, Math.round(meanBytes)));
  for (let i = 0; i < payload.length; i++) payload[i] = census.first![i % census.first!.length]!;
  payloadSource = `the mean encoded cross-host batch of the 2-host run (${census.batches} batches, mean ${meanBytes.toFixed(1)} B, ${packetsPerBatch.toFixed(2)} packets each)`;
} else {
  packetsPerBatch = FALLBACK_PACKETS_PER_BATCH;
  payload = syntheticBatch(FALLBACK_PACKETS_PER_BATCH);
  payloadSource = `no cross-host batches in this scenario: a synthetic batch of ${FALLBACK_PACKETS_PER_BATCH} request packet(s)`;
}
process.stdout.write(`  measuring raw NATS (${RAW_MESSAGES} x ${payload.length} B messages, ${PING_ITERATIONS} round trips) ... `);
const raw = await measureRawNats(payload, packetsPerBatch);
console.log("done");

console.log("");
console.log(
  table(
    ["configuration", "wall s", "setup s", "sim s/wall s", "windows/s", "hops/s", "events/s", "x-host pkts", "summary"],
    runs.map((r) => [r.name, fmt(r.wall_s, 2), fmt(r.setup_s, 2), fmt(r.sim_s_per_wall_s, 4), fmt(r.windows_per_s), fmt(r.hops_per_s), fmt(r.events_per_s), fmt(r.cross_host_packets), r.summary_sha_equal ? "same" : "DIFFERS"]),
  ),
);
console.log(`  (${runs[0]!.windows} windows, ${runs[0]!.hops} packet hops, ${runs[0]!.events} events in every run)`);
console.log("");
console.log(`raw NATS ceiling (private nats-server, publisher in this process, subscriber/echo in a child process):`);
console.log(`  payload            ${payload.length} B = ${payloadSource}`);
console.log(`  one-way            ${fmt(raw.messages_per_s)} msg/s = ${fmt(raw.mbytes_per_s, 1)} MB/s = ${fmt(raw.packets_per_s)} packets/s (${raw.messages_received}/${raw.messages} received; publish side ${fmt(raw.publish_messages_per_s)} msg/s)`);
console.log(`  request-reply RTT  mean ${fmt(raw.rtt_mean_us, 1)} us, p50 ${fmt(raw.rtt_p50_us, 1)} us, p99 ${fmt(raw.rtt_p99_us, 1)} us (${raw.rtt_iterations} round trips) -> window ceiling ${fmt(raw.window_ceiling_per_s)} windows/s`);
console.log("");
console.log("twin as a fraction of the ceiling:");
console.log(
  table(
    ["configuration", "hops/s ÷ raw packets/s", "windows/s ÷ (1/RTT)", "ms per window"],
    runs.map((r) => [r.name, pct(r.hops_per_s / raw.packets_per_s), pct(r.windows_per_s / raw.window_ceiling_per_s), fmt(1000 / r.windows_per_s, 3)]),
  ),
);
console.log("");
console.log(identical ? `determinism: all ${summaries.length} summary.json files are byte-identical` : `determinism: FAILED, summary.json files differ (kept in ${workDir})`);

process.stdout.write(`  footprint runs (fresh processes, inproc 1 host): baseline ${scenario.run.name} ... `);
const baseline = await measureFootprint(flags.scenario, join(workDir, "footprint-baseline"));
process.stdout.write(`${baseline.wall_s.toFixed(1)} s; fat-tree ... `);
const fatTree = await measureFootprint(flags["fat-tree"], join(workDir, "footprint-fat-tree"));
console.log(`${fatTree.wall_s.toFixed(1)} s`);
const footprintRatios = {
  hops_per_s: fatTree.hops_per_s / baseline.hops_per_s,
  sim_s_per_wall_s: fatTree.sim_s_per_wall_s / baseline.sim_s_per_wall_s,
  heap_peak_per_actor: fatTree.heap_peak_per_actor_bytes / baseline.heap_peak_per_actor_bytes,
  rss_peak_per_actor: fatTree.rss_peak_per_actor_bytes / baseline.rss_peak_per_actor_bytes,
};
console.log("");
console.log("fat-tree k=8 with software components vs the baseline (same bench run; peak heap/RSS above the loaded scenario, per actor):");
console.log(
  table(
    ["scenario", "actors", "sim s", "wall s", "hops/s", "sim s/wall s", "heap KiB/actor", "RSS KiB/actor"],
    [baseline, fatTree].map((f) => [f.scenario, fmt(f.actors), fmt(f.sim_s, 2), fmt(f.wall_s, 2), fmt(f.hops_per_s), fmt(f.sim_s_per_wall_s, 4), fmt(f.heap_peak_per_actor_bytes / 1024, 1), fmt(f.rss_peak_per_actor_bytes / 1024, 1)]),
  ),
);
console.log(
  `  ratio fat-tree / baseline: hops/s ${footprintRatios.hops_per_s.toFixed(3)}, sim s/wall s ${footprintRatios.sim_s_per_wall_s.toFixed(3)}, heap per actor ${footprintRatios.heap_peak_per_actor.toFixed(3)}, RSS per actor ${footprintRatios.rss_peak_per_actor.toFixed(3)}`,
);

const results = {
  bench: "dctwin",
  date: new Date().toISOString(),
  quick: QUICK,
  node: process.version,
  cpus: availableParallelism(),
  scenario: { file: flags.scenario, name: scenario.run.name, actors: scenario.actors.length, links: scenario.links.length, duration_s: scenario.run.durationNs / 1e9, quantum_us: scenario.run.quantumNs / 1e3 },
  runs,
  batches: census === undefined ? null : { count: census.batches, mean_bytes: census.batches > 0 ? census.bytes / census.batches : 0, mean_packets: census.batches > 0 ? twoHost.cross_host_packets / census.batches : 0 },
  raw_nats: raw,
  ratios: runs.map((r) => ({ name: r.name, hops_vs_raw_packets: r.hops_per_s / raw.packets_per_s, windows_vs_rtt_ceiling: r.windows_per_s / raw.window_ceiling_per_s })),
  summaries_identical: identical,
  footprint: { baseline, fat_tree: fatTree, ratios: footprintRatios },
};
const json = JSON.stringify(results);
writeFileSync(here("./results.json"), json + "\n");
console.log("");
console.log(json);

if (identical && !flags.keep) rmSync(workDir, { recursive: true, force: true });
else console.error(`run directories kept in ${workDir}`);
process.exitCode = identical ? 0 : 1;
