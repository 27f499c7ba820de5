/**
 * The event-processing cost alone: runs a scenario's shard directly, one host, no transport and no coordinator,
 * window after window as a one-host run plans them (window-plan.ts: from boundary to boundary when deliveries are
 * exact; `--quantum` runs window after window of the run's quantum instead, as a host with cut links would), and prints one JSON line with events and packet hops per CPU second
 * and per wall second. CPU time (user + system of this process) is the steadier figure on a shared machine.
 *
 *   node bench/hotpath.ts SCENARIO [DURATION] [--quantum] [--warm N]    e.g. node bench/hotpath.ts examples/bench-300.yaml 2s
 *
 * The figures are those of the first run, which includes V8's warm-up (interpreter and compiling the hot code: about
 * half the CPU of a 2 s bench-300 run). `--warm N` then runs the scenario N more times in the same process, each on
 * a fresh shard with the code already compiled, and adds the best of them (`warm_hops_per_cpu_s`: the least CPU,
 * the run least disturbed by other work on the machine), the speed of the compiled hot path alone.
 *
 * Profile it with `node --cpu-prof --cpu-prof-dir=DIR bench/hotpath.ts ...`.
 */
import { lookupModel } from "../nodes/models/registry.ts";
import { Shard } from "../nodes/runtime/shard.ts";
import { WindowPlanner } from "../nodes/runtime/window-plan.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { parseDurationFlag } from "../spec/unit-text.ts";

const args = process.argv.slice(2);
const quantumWindows = args.includes("--quantum");
const warmAt = args.indexOf("--warm");
const warmRuns = warmAt < 0 ? 0 : Number(args[warmAt + 1]);
if (!(Number.isInteger(warmRuns) && warmRuns >= 0)) throw new Error("--warm takes a whole number of runs");
const [file, durationArg] = args.filter(
  (a, i) => a !== "--quantum" && (warmAt < 0 || (i !== warmAt && i !== warmAt + 1)),
);
if (file === undefined) throw new Error("usage: bench/hotpath.ts SCENARIO [DURATION] [--quantum] [--warm N]");
const overrides = durationArg === undefined ? {} : { durationNs: parseDurationFlag("duration", durationArg) };
const { scenario } = loadScenarioFile(file, overrides);
const { durationNs, quantumNs } = scenario.run;

interface RunFigures {
  windows: number;
  events: number;
  hops: number;
  cpuS: number;
  wallS: number;
}

/** One run of the scenario on a fresh shard; CPU and wall time of the windows (not of building the shard). */
function runOnce(): RunFigures {
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
    for (let start = 0; start < durationNs; start += quantumNs)
      runWindow(start, Math.min(start + quantumNs, durationNs));
  else {
    for (let step = planner.next(shard.nextEventNs()); step.kind === "run"; step = planner.next(shard.nextEventNs())) {
      planner.begin(step);
      runWindow(step.startNs, step.endNs);
    }
  }
  countHops(shard.finish(durationNs).intervals);
  const cpu = process.cpuUsage(cpu0);
  return { windows, events, hops, cpuS: (cpu.user + cpu.system) / 1e6, wallS: (performance.now() - wall0) / 1e3 };
}

const first = runOnce();
const warm: RunFigures[] = [];
for (let i = 0; i < warmRuns; i++) warm.push(runOnce());
const best = warm.reduce<RunFigures | null>((b, r) => (b === null || r.cpuS < b.cpuS ? r : b), null);
console.log(
  JSON.stringify({
    scenario: scenario.run.name,
    actors: scenario.actors.length,
    sim_s: durationNs / 1e9,
    windows: first.windows,
    events: first.events,
    hops: first.hops,
    cpu_s: round(first.cpuS),
    wall_s: round(first.wallS),
    hops_per_cpu_s: Math.round(first.hops / first.cpuS),
    hops_per_wall_s: Math.round(first.hops / first.wallS),
    events_per_cpu_s: Math.round(first.events / first.cpuS),
    ...(best === null
      ? {}
      : { warm_runs: warmRuns, warm_cpu_s: round(best.cpuS), warm_hops_per_cpu_s: Math.round(best.hops / best.cpuS) }),
  }),
);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
