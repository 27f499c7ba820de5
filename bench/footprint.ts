/**
 * One benchmark measurement in a fresh process (spawned by bench/run.ts, so earlier runs leave no garbage or JIT
 * state behind): runs a scenario with the in-process transport on one host and prints one JSON line with its
 * speed and memory.
 *
 *   node --expose-gc bench/footprint.ts SCENARIO OUT_DIR [DURATION_NS]
 *
 * Memory method: after the scenario is loaded and a full GC, the V8 heap in use is the baseline; while the run
 * goes, the heap in use is sampled after every window, right after a scavenge (a young-generation GC), and the
 * peak minus the baseline, divided by the actor count, is the peak heap per actor (actor state, event queue,
 * in-flight packets, routing tables and metric accumulators all grow with the scenario, so this is what an actor
 * costs on a host). The heap once the results are written (summary, tables, Parquet: the coordinator's work, which
 * a host process never does) is reported apart, as heap_after_results_per_actor_bytes.
 * Why after a scavenge: the young generation is a nursery of fixed capacity (up to 64 MiB in use on Node 24,
 * whatever the actor count) that fills with short-lived garbage and is emptied by every scavenge, so what it holds
 * at a sample is wherever the allocation cycle happens to be: on leaf-spine-4k the same run sampled 25–64 MiB of
 * it, 6–16 KiB per actor, a figure that is neither per actor nor repeatable. The scavenge keeps everything that is
 * live (survivors are copied, not freed) and leaves the old generation untouched, so the old generation's garbage,
 * which does grow with the actors (promoted per-interval records awaiting a full GC), still counts: the peak still
 * reflects the allocation rate. The peak sampled without the scavenge (as before) is reported beside it, as
 * heap_peak_unscavenged_per_actor_bytes.
 * The process's peak RSS (getrusage maxrss) minus its RSS at the baseline is reported the same way: coarser
 * (it includes code, the young generation and allocator slack) but independent of V8's accounting. The retained
 * heap per actor is what stays live: the heap after a full GC, taken every 4096 windows (and at least every 2 wall
 * seconds) during the run and after its last window, at its largest, minus the baseline.
 * With FOOTPRINT_SNAPSHOT_WINDOW=N set, a heap snapshot is written to OUT_DIR after a full GC at window N (and at
 * the baseline) for bench/heap-retainers.ts; the full GC lowers the peaks that follow, so measure without it.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { executionCounts } from "./twin-runs.ts";

const [file, outDir, durationArg] = process.argv.slice(2);
if (file === undefined || outDir === undefined)
  throw new Error("usage: bench/footprint.ts SCENARIO OUT_DIR [DURATION_NS]");
const gc = (globalThis as { gc?: (options?: { type: "major" | "minor"; execution: "sync" }) => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

const { scenario } = loadScenarioFile(file, durationArg === undefined ? {} : { durationNs: Number(durationArg) });
const snapshotWindow = Number(process.env.FOOTPRINT_SNAPSHOT_WINDOW ?? 0);
const snapshot = (name: string) => console.error(`heap snapshot: ${writeHeapSnapshot(join(outDir, name))}`);
if (snapshotWindow > 0) {
  mkdirSync(outDir, { recursive: true });
  snapshot("baseline.heapsnapshot");
}
gc();
const heapBase = process.memoryUsage().heapUsed;
const rssBase = process.memoryUsage.rss();
let heapPeak = heapBase;
let unscavengedPeak = heapBase;
let retainedPeak = heapBase;
let windows = 0;
let lastRetainedMs = performance.now();
const sample = () => {
  unscavengedPeak = Math.max(unscavengedPeak, process.memoryUsage().heapUsed);
  gc({ type: "minor", execution: "sync" });
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
};
const sampleRetained = () => {
  gc();
  lastRetainedMs = performance.now();
  retainedPeak = Math.max(retainedPeak, process.memoryUsage().heapUsed);
};
const { wallTimeS } = await runTwin({
  scenario,
  hosts: 1,
  transport: "inproc",
  outDir,
  onWindow: ({ endNs }) => {
    windows++;
    sample();
    const last = endNs >= scenario.run.durationNs; // the coordinator's per-interval records are largest at the end
    if (last || windows % 4096 === 0 || performance.now() - lastRetainedMs > 2000) sampleRetained();
    if (windows === snapshotWindow) {
      gc();
      snapshot(`window-${windows}.heapsnapshot`);
    }
  },
});
const heapAfterResults = process.memoryUsage().heapUsed;
const summary = JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")) as {
  status: string;
  sim_time_s: number;
  packets: { link_hops: number };
  windows?: number;
  events?: number;
};
if (summary.status !== "completed") throw new Error(`run ended with status ${summary.status}`);
const { windows: windowCount, events } = executionCounts(outDir, summary);
const hops = summary.packets.link_hops;
const actors = scenario.actors.length;
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    scenario: scenario.run.name,
    actors,
    links: scenario.links.length,
    sim_s: summary.sim_time_s,
    wall_s: wallTimeS,
    hops,
    events,
    windows: windowCount,
    hops_per_s: hops / wallTimeS,
    sim_s_per_wall_s: summary.sim_time_s / wallTimeS,
    heap_base_bytes: heapBase,
    heap_peak_bytes: heapPeak,
    heap_peak_per_actor_bytes: (heapPeak - heapBase) / actors,
    heap_peak_unscavenged_per_actor_bytes: (unscavengedPeak - heapBase) / actors,
    heap_retained_per_actor_bytes: (retainedPeak - heapBase) / actors,
    heap_after_results_per_actor_bytes: (heapAfterResults - heapBase) / actors,
    rss_peak_per_actor_bytes: (maxRssBytes - rssBase) / actors,
  }),
);
