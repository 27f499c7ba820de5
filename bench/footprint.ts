/**
 * One benchmark measurement in a fresh process (spawned by bench/run.ts, so earlier runs leave no garbage or JIT
 * state behind): runs a scenario with the in-process transport on one host and prints one JSON line with its
 * speed and memory.
 *
 *   node --expose-gc bench/footprint.ts SCENARIO OUT_DIR [DURATION_NS]
 *
 * Memory method: after the scenario is loaded and a full GC, the V8 heap in use is the baseline; while the run
 * goes, the heap in use is sampled after every window (before any GC), and the peak minus the baseline, divided by
 * the actor count, is the peak heap per actor (actor state, event queue, in-flight packets, routing tables and
 * metric accumulators all grow with the scenario, so this is what an actor costs on a host). The heap once the
 * results are written (summary, tables, Parquet: the coordinator's work, which a host process never does) is
 * reported apart, as heap_after_results_per_actor_bytes.
 * The process's peak RSS (getrusage maxrss) minus its RSS at the baseline is reported the same way: coarser
 * (it includes code and allocator slack) but independent of V8's accounting. The peak heap counts garbage not yet
 * collected, so it also reflects the allocation rate; the retained heap per actor is what stays live: the heap
 * after a full GC, taken every 4096 windows (and at least every 2 wall seconds) during the run, at its largest,
 * minus the baseline.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runTwin } from "../coordinator/run.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { executionCounts } from "./twin-runs.ts";

const [file, outDir, durationArg] = process.argv.slice(2);
if (file === undefined || outDir === undefined)
  throw new Error("usage: bench/footprint.ts SCENARIO OUT_DIR [DURATION_NS]");
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

const { scenario } = loadScenarioFile(file, durationArg === undefined ? {} : { durationNs: Number(durationArg) });
gc();
const heapBase = process.memoryUsage().heapUsed;
const rssBase = process.memoryUsage.rss();
let heapPeak = heapBase;
let retainedPeak = heapBase;
let windows = 0;
let lastRetainedMs = performance.now();
const sample = () => {
  const used = process.memoryUsage().heapUsed;
  if (used > heapPeak) heapPeak = used;
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
  onWindow: () => {
    windows++;
    sample();
    if (windows % 4096 === 0 || performance.now() - lastRetainedMs > 2000) sampleRetained();
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
    heap_retained_per_actor_bytes: (retainedPeak - heapBase) / actors,
    heap_after_results_per_actor_bytes: (heapAfterResults - heapBase) / actors,
    rss_peak_per_actor_bytes: (maxRssBytes - rssBase) / actors,
  }),
);
