/**
 * The event-processing cost alone: runs a scenario's shard directly, one host, no transport and no coordinator,
 * window after window as a one-host run plans them (window-plan.ts: from boundary to boundary when deliveries are
 * exact; `--quantum` runs window after window of the run's quantum instead, as a host with cut links would), and prints one JSON line with events and packet hops per CPU second
 * and per wall second. CPU time (user + system of this process) is the steadier figure on a shared machine.
 *
 *   node bench/hotpath.ts SCENARIO [DURATION] [--quantum]    e.g. node bench/hotpath.ts examples/bench-300.yaml 2s
 *
 * Profile it with `node --cpu-prof --cpu-prof-dir=DIR bench/hotpath.ts ...`.
 */
import { lookupModel } from "../nodes/models/registry.ts";
import { Shard } from "../nodes/runtime/shard.ts";
import { WindowPlanner } from "../nodes/runtime/window-plan.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { parseDurationFlag } from "../spec/units.ts";

const args = process.argv.slice(2);
const quantumWindows = args.includes("--quantum");
const [file, durationArg] = args.filter((a) => a !== "--quantum");
if (file === undefined) throw new Error("usage: bench/hotpath.ts SCENARIO [DURATION]");
const overrides = durationArg === undefined ? {} : { durationNs: parseDurationFlag("duration", durationArg) };
const { scenario } = loadScenarioFile(file, overrides);
const { durationNs, quantumNs } = scenario.run;

const hostOf = new Array<number>(scenario.actors.length).fill(0);
const shard = new Shard(scenario, hostOf, 0, lookupModel);
const planner = new WindowPlanner(scenario, hostOf);
planner.grant(durationNs, []);
shard.init();
let hops = 0;
let events = 0;
let windows = 0;
const countHops = (intervals: ReturnType<Shard["finish"]>["intervals"]) => {
  for (const interval of intervals) for (const packets of interval.links.packets) hops += packets;
};
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const runWindow = (startNs: number, endNs: number) => {
  const result = shard.runWindow(++windows, startNs, endNs);
  events += result.events;
  countHops(result.intervals);
};
if (quantumWindows)
  for (let start = 0; start < durationNs; start += quantumNs) runWindow(start, Math.min(start + quantumNs, durationNs));
else {
  for (let step = planner.next(shard.nextEventNs()); step.kind === "run"; step = planner.next(shard.nextEventNs())) {
    planner.begin(step);
    runWindow(step.startNs, step.endNs);
  }
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
