/**
 * CPU seconds of the processes a benchmark run uses, split by role, for the simulation phase (bench/twin-runs.ts).
 *
 * A NATS run's processes share the machine's cores: this process (the coordinator; in-process runs also hold the
 * hosts), the host processes it spawned and its private nats-server. Their CPU over the simulation phase shows
 * where a configuration's time goes: whether the hosts' model work parallelises or the coordinator, nats-server
 * and per-window overhead eat the cores the hosts would need. Read from /proc (Linux) at two moments when every
 * process of the run is alive (every host reported its shard; the driver finished), so no sampling thread runs
 * during the measurement. Elsewhere the figures are null.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

export interface RoleCpu {
  /** This process: the coordinator (and, in process, the hosts). */
  coordinator_cpu_s: number;
  /** Host processes (every child but nats-server), summed. */
  hosts_cpu_s: number;
  /** The private nats-server. */
  nats_server_cpu_s: number;
}

interface ProcessCpu {
  role: "host" | "nats-server";
  cpuS: number;
}

/** Command name, parent pid and user + system CPU seconds of one process, from /proc/PID/stat. */
function readStat(pid: number): { comm: string; ppid: number; cpuS: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // exited
  }
  // comm is in parentheses and may hold spaces or ')': the fields after it start past the last ')'.
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" "); // fields[0] is field 3 (state)
  return { comm, ppid: Number(fields[1]), cpuS: (Number(fields[11]) + Number(fields[12])) / USER_HZ };
}

/** Every descendant of `root` with its role and CPU so far. */
function descendants(root: number): Map<number, ProcessCpu> {
  const parent = new Map<number, { ppid: number; comm: string; cpuS: number }>();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat !== null) parent.set(pid, stat);
  }
  const out = new Map<number, ProcessCpu>();
  for (const [pid, stat] of parent) {
    let up = stat.ppid;
    while (up > 1 && up !== root) up = parent.get(up)?.ppid ?? 0;
    if (up !== root) continue;
    // Node names its main thread (and so the process's comm) "MainThread"; the run starts no other processes.
    const role = stat.comm === "nats-server" ? "nats-server" : "host";
    out.set(pid, { role, cpuS: stat.cpuS });
  }
  return out;
}

/** CPU of this process, in seconds. */
function ownCpuS(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Measures the run's CPU by role between `start()` and `stop()`. */
export class PhaseCpu {
  private readonly supported = existsSync("/proc/self/stat");
  private startOwn = 0;
  private startChildren = new Map<number, ProcessCpu>();
  private result: RoleCpu | null = null;

  start(): void {
    if (!this.supported) return;
    this.startOwn = ownCpuS();
    this.startChildren = descendants(process.pid);
  }

  stop(): void {
    if (!this.supported) return;
    const own = ownCpuS() - this.startOwn;
    const totals = { host: 0, "nats-server": 0 };
    for (const [pid, before] of this.startChildren) {
      const now = readStat(pid);
      if (now !== null) totals[before.role] += now.cpuS - before.cpuS;
    }
    this.result = { coordinator_cpu_s: own, hosts_cpu_s: totals.host, nats_server_cpu_s: totals["nats-server"] };
  }

  /** The phase's CPU by role, or null where /proc is not available. */
  figures(): RoleCpu | null {
    return this.result;
  }
}
