/**
 * The event-processing cost alone: runs a scenario's shard directly, one host, no transport and no coordinator,
 * window after window of the run's quantum, and prints one JSON line with events and packet hops per CPU second
 * and per wall second. CPU time (user + system of this process) is the steadier figure on a shared machine.
 *
 *   node bench/hotpath.ts SCENARIO [DURATION]        e.g. node bench/hotpath.ts scenarios/bench-300.yaml 2s
 *
 * Profile it with `node --cpu-prof --cpu-prof-dir=DIR bench/hotpath.ts ...`.
 */
import { lookupModel } from "../nodes/models/registry.ts";
import { Shard } from "../nodes/runtime/shard.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { parseDurationFlag } from "../spec/units.ts";

const [file, durationArg] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: bench/hotpath.ts SCENARIO [DURATION]");
const overrides = durationArg === undefined ? {} : { durationNs: parseDurationFlag("duration", durationArg) };
const { scenario } = loadScenarioFile(file, overrides);
const { durationNs, quantumNs } = scenario.run;

const shard = new Shard(scenario, new Array<number>(scenario.actors.length).fill(0), 0, lookupModel);
shard.init();
let hops = 0;
let events = 0;
let windows = 0;
const countHops = (intervals: ReturnType<Shard["finish"]>["intervals"]) => {
  for (const interval of intervals) for (const link of interval.links) hops += link.packets;
};
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (let start = 0; start < durationNs; start += quantumNs) {
  const result = shard.runWindow(windows++, start, Math.min(start + quantumNs, durationNs));
  events += result.events;
  countHops(result.intervals);
}
countHops(shard.finish(durationNs).intervals);
const cpu = process.cpuUsage(cpu0);
const wallS = (performance.now() - wall0) / 1e3;
const cpuS = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    scenario: scenario.run.name,
    actors: scenario.actors.length,
    sim_s: durationNs / 1e9,
    windows,
    events,
    hops,
    cpu_s: round(cpuS),
    wall_s: round(wallS),
    hops_per_cpu_s: Math.round(hops / cpuS),
    hops_per_wall_s: Math.round(hops / wallS),
    events_per_cpu_s: Math.round(events / cpuS),
  }),
);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
