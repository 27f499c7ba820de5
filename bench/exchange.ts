/**
 * A host's cost per window with the window exchange and without the coordinator: runs N HostAgents (host-agent.ts)
 * in this process on the in-process transport, as a `dctwin run --transport inproc --hosts N` does, but with a
 * stand-in coordinator that starts the run, grants it to its end at once and reads no report beyond what tells
 * it the hosts are done. So the CPU measured is the hosts' alone: their events, and per window the report, the
 * PeerWindow each way (encode, decode, merge) and the window rule. Prints one JSON line with the windows (per host),
 * events and CPU seconds of the simulation phase (after every host reported its start-up; not building the shards).
 *
 *   node bench/exchange.ts SCENARIO [DURATION] [--hosts N] [--warm N]
 *   e.g. node bench/exchange.ts examples/leaf-spine-4k.yaml 30ms --hosts 2
 *
 * With `--hosts 1` a host runs windows from boundary to boundary, so the difference of the two CPU figures over
 * the windows of the N-host run is the cost of a window outside its events. `--warm N` runs N more times in the
 * same process (fresh hosts, compiled code) and adds the least CPU of them (`warm_cpu_s`).
 */
import { lookupModel } from "../nodes/models/registry.ts";
import { HostAgent } from "../nodes/runtime/host-agent.ts";
import { scenarioToJson } from "../nodes/runtime/scenario-json.ts";
import { InProcTransport } from "../nodes/runtime/transport/inproc.ts";
import { subjects } from "../nodes/runtime/transport/transport.ts";
import { wire } from "../nodes/runtime/wire.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { placeActors } from "../coordinator/placement/place.ts";
import { parseDurationFlag } from "../spec/unit-text.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!(Number.isInteger(value) && value >= 0)) throw new Error(`${name} takes a whole number`);
  args.splice(at, 2);
  return value;
};
const hostCount = flag("--hosts", 2);
const warmRuns = flag("--warm", 0);
const [file, durationArg] = args;
if (file === undefined || hostCount < 1)
  throw new Error("usage: bench/exchange.ts SCENARIO [DURATION] [--hosts N] [--warm N]");
const overrides = durationArg === undefined ? {} : { durationNs: parseDurationFlag("duration", durationArg) };
const { scenario } = loadScenarioFile(file, overrides);
const durationNs = scenario.run.durationNs;
const placement = placeActors(scenario, hostCount);
const scenarioJson = scenarioToJson(scenario);

interface RunFigures {
  windows: number;
  /** Packets sent to other hosts, over all hosts. */
  sent: number;
  cpuS: number;
}

let runs = 0;

/** One run on fresh hosts; CPU from the grant to every host's final report. */
async function runOnce(): Promise<RunFigures> {
  const transport = new InProcTransport();
  const s = subjects(`bench${++runs}`);
  const hosts = Array.from(
    { length: hostCount },
    (_, host) => new HostAgent({ transport, runId: `bench${runs}`, host, models: () => lookupModel }),
  );
  const hello = new Set<number>();
  const started = new Set<number>();
  const finals = new Set<number>();
  let windows = 0;
  let sent = 0;
  let cpu0: NodeJS.CpuUsage | undefined;
  let done!: (cpu: NodeJS.CpuUsage) => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<NodeJS.CpuUsage>((resolve, reject) => ((done = resolve), (fail = reject)));
  for (let host = 0; host < hostCount; host++) {
    transport.subscribe(s.error(host), (bytes) => fail(new Error(wire.HostError.decode(bytes).message)));
    transport.subscribe(s.hello(host), () => {
      hello.add(host);
      if (hello.size === hostCount && started.size === 0)
        transport.publish(
          s.start,
          wire.RunStart.encode({ scenarioJson, hostCount, placement, restoreAtNs: 0 }).finish(),
        );
    });
    // Only the last report of a bundle is read: a start-up or final report goes at once, so it ends its bundle.
    transport.subscribe(s.fullWindow(host), (bytes) => {
      const reports = wire.ReportBundle.decode(bytes).reports;
      const last = reports.at(-1);
      if (last === undefined) return;
      const report = wire.WindowReport.decode(last);
      if (Number(report.window) === 0 && !started.has(host)) {
        started.add(host);
        if (started.size === hostCount) {
          cpu0 = process.cpuUsage();
          transport.publish(s.grant, wire.Grant.encode({ seq: 1, untilNs: durationNs, stamps: [] }).finish());
        }
      }
      if (report.final && !finals.has(host)) {
        finals.add(host);
        if (host === 0) windows = Number(report.window) - 1;
        sent += Number(report.counters?.sentRemote ?? 0);
        if (finals.size === hostCount) done(process.cpuUsage(cpu0));
      }
    });
  }
  for (const h of hosts) h.start();
  const cpu = await finished;
  transport.publish(s.stop, wire.RunStop.encode({ reason: "done" }).finish());
  await Promise.all(hosts.map((h) => h.finished));
  await transport.close();
  return { windows, sent, cpuS: (cpu.user + cpu.system) / 1e6 };
}

const first = await runOnce();
const warm: RunFigures[] = [];
for (let i = 0; i < warmRuns; i++) warm.push(await runOnce());
const best = warm.reduce<RunFigures | null>((b, r) => (b === null || r.cpuS < b.cpuS ? r : b), null);
console.log(
  JSON.stringify({
    scenario: scenario.run.name,
    hosts: hostCount,
    sim_s: durationNs / 1e9,
    windows: first.windows,
    packets_sent_per_host_window: round(first.sent / hostCount / Math.max(1, first.windows)),
    cpu_s: round(first.cpuS),
    cpu_us_per_window: Math.round((first.cpuS / Math.max(1, first.windows)) * 1e6),
    ...(best === null ? {} : { warm_runs: warmRuns, warm_cpu_s: round(best.cpuS) }),
  }),
);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
