/**
 * One benchmark run of the twin (runTwin, as `dctwin run` does: NATS runs start their own private nats-server and
 * host processes) and its figures, read from the results directory: hops and the simulated time from
 * summary.json; windows and events from run-info.json when it has them (execution figures), else from
 * summary.json; packets that crossed hosts from summary.json's per-link totals and the run's placement.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { placeActors } from "../coordinator/placement/place.ts";
import type { HostWindowTime } from "../coordinator/driver/run-types.ts";
import { runTwin, type TransportKind } from "../coordinator/run.ts";
import { networkNodes, type ResolvedScenario } from "../nodes/runtime/topology.ts";
import { PhaseCpu, type RoleCpu } from "./process-cpu.ts";

export interface RunConfig {
  name: string;
  transport: TransportKind;
  hosts: number;
}

export interface RunFigures {
  name: string;
  transport: TransportKind;
  hosts: number;
  wall_s: number;
  /**
   * Set-up: from the runTwin call until every host's start-up report is in (nats-server, host processes, each
   * host building its shard from RunStart); the simulation phase is the rest of the wall time.
   */
  setup_s: number;
  /** Of the set-up: until every host said hello (nats-server, starting and loading the host processes). */
  hosts_joined_s: number;
  /** Of the set-up: from the hellos to the last start-up report (RunStart, scenario decoding, shard building). */
  shard_build_s: number;
  /** Wall seconds of the simulation phase (after set-up, results writing excluded). */
  sim_phase_s: number;
  sim_s: number;
  windows: number;
  events: number;
  hops: number;
  hops_per_s: number;
  /** Hops per wall second of the simulation phase: the window loop's speed. */
  loop_hops_per_s: number;
  sim_s_per_wall_s: number;
  /** Simulated seconds per wall second of the simulation phase. */
  loop_sim_s_per_wall_s: number;
  events_per_window: number;
  /** Wall time per window of the simulation phase. */
  ms_per_window: number;
  /** Packets on links between hosts over all link hops. */
  cross_host_hop_share: number;
  /** Writing the results directory after the run (run-info.json's results_write_s; null if it lacks it). */
  results_write_s: number | null;
  /** CPU seconds of the simulation phase by process role (bench/process-cpu.ts); null off Linux. */
  cpu: RoleCpu | null;
  /** Where each host's wall time went over its windows (run-info.json's window_time; null if it lacks it). */
  window_time: HostWindowTime[] | null;
  /** summary.json, for the byte-for-byte comparison. */
  summary: Buffer;
}

interface SummaryFile {
  status: string;
  sim_time_s: number;
  windows?: number;
  events?: number;
  packets: { link_hops: number };
  link_traffic: { id: string; a_to_b: { packets: number }; b_to_a: { packets: number } }[];
}

/**
 * The simulated duration of a bench run: the chosen one (null: the scenario's), never longer than the scenario's;
 * when that would not outlast the scenario's warm-up (a run must), the warm-up plus the chosen span.
 */
export function benchDurationNs(run: { durationNs: number; warmupNs: number }, chosenNs: number | null): number {
  const wanted = Math.min(chosenNs ?? run.durationNs, run.durationNs);
  return wanted > run.warmupNs ? wanted : Math.min(run.durationNs, run.warmupNs + wanted);
}

/** windows and events: run-info.json's when it has them, else summary.json's. */
export function executionCounts(
  outDir: string,
  summary: { windows?: number; events?: number },
): { windows: number; events: number } {
  const info = JSON.parse(readFileSync(join(outDir, "run-info.json"), "utf8")) as { windows?: number; events?: number };
  const windows = info.windows ?? summary.windows;
  const events = info.events ?? summary.events;
  if (windows === undefined || events === undefined)
    throw new Error(`${outDir}: neither run-info.json nor summary.json has windows and events`);
  return { windows, events };
}

/** How long writing the results took, and where the hosts' time went (null from a version that did not record it). */
export function runInfoTimes(outDir: string): { resultsWriteS: number | null; windowTime: HostWindowTime[] | null } {
  const info = JSON.parse(readFileSync(join(outDir, "run-info.json"), "utf8")) as {
    results_write_s?: number;
    window_time?: HostWindowTime[] | null;
  };
  return { resultsWriteS: info.results_write_s ?? null, windowTime: info.window_time ?? null };
}

export async function runConfig(config: RunConfig, scenario: ResolvedScenario, outDir: string): Promise<RunFigures> {
  const started = performance.now();
  const setup = { joinedMs: 0, readyMs: 0 };
  const phaseCpu = new PhaseCpu();
  const { wallTimeS } = await runTwin({
    scenario,
    hosts: config.hosts,
    transport: config.transport,
    outDir,
    onSetup: (milestone) => {
      if (milestone === "hosts-joined" && setup.joinedMs === 0) setup.joinedMs = performance.now();
      if (milestone === "hosts-ready" && setup.readyMs === 0) {
        setup.readyMs = performance.now();
        phaseCpu.start();
      }
      if (milestone === "simulation-done") phaseCpu.stop();
    },
  });
  const bytes = readFileSync(join(outDir, "summary.json"));
  const summary = JSON.parse(bytes.toString("utf8")) as SummaryFile;
  if (summary.status !== "completed") throw new Error(`${config.name}: run ended with status ${summary.status}`);
  const { windows, events } = executionCounts(outDir, summary);
  const hops = summary.packets.link_hops;
  const setupS = (setup.readyMs - started) / 1000;
  const times = runInfoTimes(outDir);
  const simPhaseS = wallTimeS - setupS;
  return {
    name: config.name,
    transport: config.transport,
    hosts: config.hosts,
    wall_s: wallTimeS,
    setup_s: setupS,
    hosts_joined_s: (setup.joinedMs - started) / 1000,
    shard_build_s: (setup.readyMs - setup.joinedMs) / 1000,
    sim_phase_s: simPhaseS,
    sim_s: summary.sim_time_s,
    windows,
    events,
    hops,
    hops_per_s: hops / wallTimeS,
    loop_hops_per_s: hops / simPhaseS,
    sim_s_per_wall_s: summary.sim_time_s / wallTimeS,
    loop_sim_s_per_wall_s: summary.sim_time_s / simPhaseS,
    events_per_window: windows > 0 ? events / windows : 0,
    ms_per_window: windows > 0 ? (simPhaseS * 1000) / windows : 0,
    cross_host_hop_share: hops > 0 ? crossHostPackets(scenario, config.hosts, summary) / hops : 0,
    results_write_s: times.resultsWriteS,
    cpu: phaseCpu.figures(),
    window_time: times.windowTime,
    summary: bytes,
  };
}

/** Packets on links whose two network nodes run on different hosts under the run's placement. */
function crossHostPackets(scenario: ResolvedScenario, hosts: number, summary: SummaryFile): number {
  if (hosts === 1) return 0;
  const hostOf = placeActors(scenario, hosts);
  const node = networkNodes(scenario.actors);
  const byId = new Map(summary.link_traffic.map((l) => [l.id, l.a_to_b.packets + l.b_to_a.packets]));
  let packets = 0;
  for (const link of scenario.links)
    if (hostOf[node[link.a]!] !== hostOf[node[link.b]!]) packets += byId.get(link.id) ?? 0;
  return packets;
}
