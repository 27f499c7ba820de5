/**
 * The benchmark (`npm run bench`, or `node_modules/.bin/node bench/run.ts [--quick] [--hosts4] [--keep] [--scenario FILE]..`).
 *
 * First one short NATS/1 run of tiny.yaml, not measured, fills Node's compile cache for this tree's modules (see
 * warmCompileCache). Then, for each scenario (default: examples/bench-300.yaml, 300 actors, and examples/leaf-spine-4k.yaml, 4,168 actors
 * whose placement cuts only 20 us leaf-spine links; `--scenario FILE` replaces them, repeatable):
 * 1. runs it in-process on 1 host, over NATS on 1 and 2 hosts (and 4 with --hosts4), each as `dctwin run` would
 *    (bench/twin-runs.ts), and prints the set-up time (until every host has said hello, then until every host has
 *    built its shard and reported), packet hops per wall second (whole run, and of the simulation phase after
 *    set-up), simulated seconds per wall second, windows, events per window and wall ms per window (simulation
 *    phase) and the share of hops that crossed hosts; then the CPU seconds of the simulation phase by process
 *    (coordinator, hosts, nats-server: bench/process-cpu.ts). All summary.json files of a scenario must be
 *    byte-identical (placement and transport never change results); the exit code is 1 if not.
 * 2. measures the NATS latency on this machine (bench/nats-latency.ts): one-way and round trip, and the window
 *    ceilings they imply.
 * 3. runs each scenario once more in a fresh process (bench/footprint.ts: in-process, 1 host) for the peak heap and
 *    RSS per actor.
 * 4. prints the ratios issue 9 targets, with the target beside each: in-process hops/s on bench-300 (≥ 1 M),
 *    NATS/1 ÷ in-process/1 on bench-300 (≥ 0.8), NATS/2 ÷ NATS/1 on the large scenario (≥ 1.3), heap per actor on
 *    the large scenario (≤ 16 KiB). Everything also goes to bench/results.json as one JSON object.
 *
 * Simulated durations: bench-300 runs its own 2 s; leaf-spine-4k its own 50 ms (about 10 M hops per simulated
 * second; 2,500 windows on 2 hosts, so the simulation phase outweighs the set-up; its footprint over the first 10 ms).
 * --quick shortens them to 0.3 s and 3 ms (other scenarios: 0.3 s) and takes fewer latency samples. A run always
 * outlasts its scenario's warm-up: when the chosen duration would not, it runs the warm-up plus that duration (e.g.
 * fat-tree-k8, warm-up 0.5 s: 0.8 s with --quick).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import type { ResolvedScenario } from "../nodes/runtime/topology.ts";
import { measureNatsLatency } from "./nats-latency.ts";
import { benchDurationNs, runConfig, type RunConfig, type RunFigures } from "./twin-runs.ts";

// As `dctwin` does (bin/dctwin.js): Node's compile cache on, shared with the host processes a NATS run starts, so
// set-up is measured as users meet it after their first run, not with every host stripping its modules anew.
enableCompileCache();

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    hosts4: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    scenario: { type: "string", multiple: true },
  },
});
const QUICK = flags.quick;
const MS = 1_000_000;
const LATENCY_WARMUP = QUICK ? 100 : 300;
const LATENCY_SAMPLES = QUICK ? 500 : 2_000;

interface BenchScenario {
  role: "baseline" | "scale-out" | "extra";
  file: string;
  /** Simulated ns of a full run (null: the scenario's own duration) and of a --quick run. */
  fullNs: number | null;
  quickNs: number;
  /** Simulated ns of the full run's footprint measurement (null: as the runs). */
  footprintNs?: number;
}

const SCENARIOS: BenchScenario[] =
  flags.scenario === undefined
    ? [
        { role: "baseline", file: here("../examples/bench-300.yaml"), fullNs: null, quickNs: 300 * MS },
        // The footprint over the first 10 ms, as before the scenario ran 50 ms, so its figure compares across
        // versions: the peak after a scavenge also holds old-generation garbage awaiting V8's next full GC, which
        // grows with the run's length (docs/performance.md "Measuring").
        {
          role: "scale-out",
          file: here("../examples/leaf-spine-4k.yaml"),
          fullNs: null,
          quickNs: 3 * MS,
          footprintNs: 10 * MS,
        },
      ]
    : flags.scenario.map((file) => ({ role: "extra", file, fullNs: null, quickNs: 300 * MS }));

const CONFIGS: RunConfig[] = [
  { name: "inproc/1", transport: "inproc", hosts: 1 },
  { name: "NATS/1", transport: "nats", hosts: 1 },
  { name: "NATS/2", transport: "nats", hosts: 2 },
  ...(flags.hosts4 ? [{ name: "NATS/4", transport: "nats" as const, hosts: 4 }] : []),
];

interface Footprint {
  scenario: string;
  actors: number;
  sim_s: number;
  wall_s: number;
  hops_per_s: number;
  sim_s_per_wall_s: number;
  heap_peak_per_actor_bytes: number;
  heap_peak_unscavenged_per_actor_bytes: number;
  heap_retained_per_actor_bytes: number;
  heap_after_results_per_actor_bytes: number;
  rss_peak_per_actor_bytes: number;
}

async function measureFootprint(file: string, durationNs: number, outDir: string): Promise<Footprint> {
  const child = spawn(process.execPath, ["--expose-gc", here("./footprint.ts"), file, outDir, String(durationNs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`bench/footprint.ts ${file} exited with code ${code}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as Footprint;
}

function fmt(x: number, digits = 0): string {
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * CPU of the simulation phase by process (bench/process-cpu.ts): where a configuration's time goes. "cores busy" is
 * the total over the phase's wall time: at the machine's core count, the processes compete for CPU.
 */
function printCpu(runs: RunFigures[]): void {
  const measured = runs.filter((r) => r.cpu !== null);
  if (measured.length === 0) return;
  console.log(
    table(
      ["configuration", "coordinator CPU s", "hosts CPU s", "nats-server CPU s", "total CPU s", "cores busy"],
      measured.map((r) => {
        const cpu = r.cpu!;
        const total = cpu.coordinator_cpu_s + cpu.hosts_cpu_s + cpu.nats_server_cpu_s;
        return [
          r.name,
          fmt(cpu.coordinator_cpu_s, 2),
          r.transport === "inproc" ? "(in coordinator)" : fmt(cpu.hosts_cpu_s, 2),
          fmt(cpu.nats_server_cpu_s, 2),
          fmt(total, 2),
          fmt(total / r.sim_phase_s, 2),
        ];
      }),
    ),
  );
}

/**
 * Where the hosts' wall time went over their windows (run-info.json's window_time), per window and averaged over the
 * hosts: their events, the window exchange (reports built, encoded, published; the peers' decoded and merged), and
 * the rest, mostly waiting for the other hosts' reports. A run bound by its events spends its windows on events.
 */
function printWindowTime(runs: RunFigures[]): void {
  const timed = runs.filter((r) => r.window_time !== null && r.window_time.length > 0 && r.windows > 0);
  if (timed.length === 0) return;
  const perWindowMs = (r: RunFigures, key: "events_s" | "exchange_s" | "waiting_s") =>
    (r.window_time!.reduce((s, h) => s + h[key], 0) / r.window_time!.length / r.windows) * 1000;
  console.log(
    table(
      ["configuration", "host ms/window: events", "exchange", "waiting", "events share"],
      timed.map((r) => {
        const [events, exchange, waiting] = [
          perWindowMs(r, "events_s"),
          perWindowMs(r, "exchange_s"),
          perWindowMs(r, "waiting_s"),
        ];
        return [
          r.name,
          fmt(events, 3),
          fmt(exchange, 3),
          fmt(waiting, 3),
          `${((events / (events + exchange + waiting)) * 100).toFixed(1)}%`,
        ];
      }),
    ),
  );
}

/**
 * One short NATS/1 run of tiny.yaml before anything is measured, so that Node's compile cache holds this tree's
 * modules (stripped of their types) for the host processes. Without it, the first NATS run after a change to the
 * sources pays that (about 0.4 s of a host's set-up) and the next ones do not: a user meets the cold cache once,
 * right after an upgrade; the benchmark measures the runs after it, as its comment at the top says.
 */
async function warmCompileCache(): Promise<void> {
  process.stdout.write("warming Node's compile cache (tiny.yaml, NATS/1, 10 ms simulated; not measured) ... ");
  const tiny = loadScenarioFile(here("../examples/tiny.yaml")).scenario;
  const scenario: ResolvedScenario = { ...tiny, run: { ...tiny.run, durationNs: benchDurationNs(tiny.run, 10 * MS) } };
  const figures = await runConfig({ name: "NATS/1", transport: "nats", hosts: 1 }, scenario, join(workDir, "warm-up"));
  console.log(`${figures.wall_s.toFixed(1)} s`);
}

interface ScenarioResult {
  role: BenchScenario["role"];
  file: string;
  name: string;
  actors: number;
  links: number;
  duration_s: number;
  runs: Omit<RunFigures, "summary">[];
  summaries_identical: boolean;
  footprint: Footprint;
}

const workDir = mkdtempSync(join(tmpdir(), "dctwin-bench-"));
console.log(`dctwin bench${QUICK ? " --quick" : ""}: node ${process.version}, ${availableParallelism()} CPUs`);
await warmCompileCache();
const results: ScenarioResult[] = [];
for (const bench of SCENARIOS) {
  const loaded = loadScenarioFile(bench.file).scenario;
  const durationNs = benchDurationNs(loaded.run, QUICK ? bench.quickNs : bench.fullNs);
  const scenario: ResolvedScenario = { ...loaded, run: { ...loaded.run, durationNs } };
  console.log(
    `\n${scenario.run.name} (${basename(bench.file)}: ${fmt(scenario.actors.length)} actors, ${fmt(scenario.links.length)} links), ${durationNs / 1e9} s simulated`,
  );
  const runs: RunFigures[] = [];
  for (const config of CONFIGS) {
    process.stdout.write(`  running ${config.name} ... `);
    const figures = await runConfig(
      config,
      scenario,
      join(workDir, `${scenario.run.name}-${config.name.replace("/", "-")}`),
    );
    runs.push(figures);
    console.log(`${figures.wall_s.toFixed(1)} s`);
  }
  const identical = runs.every((r) => r.summary.equals(runs[0]!.summary));
  process.stdout.write("  footprint (fresh process, inproc/1) ... ");
  const footprintNs = QUICK ? durationNs : (bench.footprintNs ?? durationNs);
  const footprint = await measureFootprint(bench.file, footprintNs, join(workDir, `${scenario.run.name}-footprint`));
  console.log(`${footprint.wall_s.toFixed(1)} s`);
  console.log(
    table(
      [
        "configuration",
        "wall s",
        "set-up s (join+build)",
        "sim phase s",
        "hops/s",
        "sim hops/s",
        "sim s/wall s",
        "windows",
        "events/window",
        "ms/window",
        "x-host hops",
        "results s",
        "summary",
      ],
      runs.map((r) => [
        r.name,
        fmt(r.wall_s, 2),
        `${fmt(r.setup_s, 2)} (${fmt(r.hosts_joined_s, 2)}+${fmt(r.shard_build_s, 2)})`,
        fmt(r.sim_phase_s, 2),
        fmt(r.hops_per_s),
        fmt(r.loop_hops_per_s),
        fmt(r.loop_sim_s_per_wall_s, 5),
        fmt(r.windows),
        fmt(r.events_per_window, 1),
        fmt(r.ms_per_window, 3),
        `${(r.cross_host_hop_share * 100).toFixed(2)}%`,
        r.results_write_s === null ? "-" : fmt(r.results_write_s, 2),
        r.summary.equals(runs[0]!.summary) ? "same" : "DIFFERS",
      ]),
    ),
  );
  printCpu(runs);
  printWindowTime(runs);
  console.log(
    `  ${fmt(runs[0]!.hops)} packet hops, ${fmt(runs[0]!.events)} events; heap ${fmt(footprint.heap_peak_per_actor_bytes / 1024, 1)} KiB after a scavenge (${fmt(footprint.heap_peak_unscavenged_per_actor_bytes / 1024, 1)} KiB before it; retained after GC ${fmt(footprint.heap_retained_per_actor_bytes / 1024, 1)} KiB; once results are written ${fmt(footprint.heap_after_results_per_actor_bytes / 1024, 1)} KiB) and RSS ${fmt(footprint.rss_peak_per_actor_bytes / 1024, 1)} KiB per actor (peak above the loaded scenario) over ${footprintNs / 1e9} s simulated`,
  );
  console.log(
    identical
      ? `  determinism: all ${runs.length} summary.json files are byte-identical`
      : `  determinism: FAILED, summary.json files differ (kept in ${workDir})`,
  );
  results.push({
    role: bench.role,
    file: bench.file,
    name: scenario.run.name,
    actors: scenario.actors.length,
    links: scenario.links.length,
    duration_s: durationNs / 1e9,
    runs: runs.map(({ summary: _, ...figures }) => figures),
    summaries_identical: identical,
    footprint,
  });
}

process.stdout.write(
  `\nNATS latency (private nats-server, this process and a child process, ${LATENCY_SAMPLES} samples) ... `,
);
const latency = await measureNatsLatency(LATENCY_WARMUP, LATENCY_SAMPLES);
console.log("done");
console.log(
  `  one-way     mean ${fmt(latency.one_way_mean_us, 1)} us, p50 ${fmt(latency.one_way_p50_us, 1)} us, p99 ${fmt(latency.one_way_p99_us, 1)} us -> ceiling ${fmt(latency.window_ceiling_one_way_per_s)} windows/s (a window per delivery)`,
);
console.log(
  `  round trip  mean ${fmt(latency.rtt_mean_us, 1)} us, p50 ${fmt(latency.rtt_p50_us, 1)} us, p99 ${fmt(latency.rtt_p99_us, 1)} us -> ceiling ${fmt(latency.window_ceiling_rtt_per_s)} windows/s (a window per round trip)`,
);
for (const r of results) {
  const nats = r.runs.filter((x) => x.transport === "nats");
  console.log(
    `  ${r.name}: windows/s of ${nats.map((x) => `${x.name} ${fmt(x.windows / x.sim_phase_s)} (${((x.windows / x.sim_phase_s / latency.window_ceiling_one_way_per_s) * 100).toFixed(1)}% of the one-way ceiling)`).join(", ")}`,
  );
}

const find = (role: ScenarioResult["role"], name: string) =>
  results.find((r) => r.role === role)?.runs.find((x) => x.name === name);
const baselineInproc = find("baseline", "inproc/1");
const baselineNats1 = find("baseline", "NATS/1");
const large = results.find((r) => r.role === "scale-out");
const largeNats1 = find("scale-out", "NATS/1");
const largeNats2 = find("scale-out", "NATS/2");
const targets = [
  baselineInproc && { figure: "bench-300 inproc/1 hops/s", value: baselineInproc.hops_per_s, target: 1e6, unit: "" },
  baselineInproc &&
    baselineNats1 && {
      figure: "bench-300 NATS/1 ÷ inproc/1 (hops/s)",
      value: baselineNats1.hops_per_s / baselineInproc.hops_per_s,
      target: 0.8,
      unit: "×",
    },
  largeNats1 &&
    largeNats2 && {
      figure: `${large!.name} NATS/2 ÷ NATS/1 (hops/s)`,
      value: largeNats2.hops_per_s / largeNats1.hops_per_s,
      target: 1.3,
      unit: "×",
    },
  largeNats1 &&
    largeNats2 && {
      figure: `${large!.name} NATS/2 ÷ NATS/1 (hops/s of the simulation phase)`,
      value: largeNats2.loop_hops_per_s / largeNats1.loop_hops_per_s,
      target: 1.3,
      unit: "×",
    },
  large && {
    figure: `${large.name} heap per actor (KiB)`,
    value: large.footprint.heap_peak_per_actor_bytes / 1024,
    target: -16,
    unit: "",
  },
].filter((t) => t !== undefined);
if (targets.length > 0) {
  console.log("\nissue 9 targets (from this run):");
  console.log(
    table(
      ["figure", "value", "target", ""],
      targets.map((t) => [
        t.figure,
        t.unit === "×" ? t.value.toFixed(3) : fmt(t.value, 1),
        t.target < 0 ? `≤ ${fmt(-t.target)}` : `≥ ${t.unit === "×" ? t.target : fmt(t.target)}`,
        (t.target < 0 ? t.value <= -t.target : t.value >= t.target) ? "met" : "missed",
      ]),
    ),
  );
}

const identical = results.every((r) => r.summaries_identical);
const json = JSON.stringify({
  bench: "dctwin",
  date: new Date().toISOString(),
  quick: QUICK,
  node: process.version,
  cpus: availableParallelism(),
  scenarios: results,
  nats_latency: latency,
  targets,
});
writeFileSync(here("./results.json"), `${json}\n`);
console.log(`\n${json}`);
if (identical && !flags.keep) rmSync(workDir, { recursive: true, force: true });
else console.error(`run directories kept in ${workDir}`);
process.exitCode = identical ? 0 : 1;
