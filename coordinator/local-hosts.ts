/**
 * Host processes on this machine: `dctwin host ...` children connected to the run's NATS server. Each child
 * exits when its standard input closes, so none outlives the coordinator, even one killed outright. They are
 * started as soon as their credentials exist, before a private NATS server listens and before the coordinator has
 * connected or placed the actors: a host takes longer to load than the server takes to start and the coordinator
 * to get ready, so all of it overlaps. A URL not yet known is written to their standard input when it is
 * (`dctwin host --nats -`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { getCompileCacheDir } from "node:module";
import { HOST_SOURCE_ENTRY } from "./host-bundle.ts";

export class LocalHosts {
  private readonly children: ChildProcess[] = [];
  private readonly stderrTails: string[] = [];
  private expectExit = false;
  /** Who hears of a host that died before `stop()`; until one listens, the first such death is kept. */
  private listener: ((message: string, host: number) => void) | undefined;
  private unheard: { message: string; host: number } | undefined;
  /** Kills the hosts if this process exits first; removed once they are stopped (a process may run many runs). */
  private readonly onProcessExit = () => this.killAll();

  /**
   * Starts `count` hosts. `credentials(host)` is the environment that carries host's NATS credentials (never
   * argv, which every user of the machine can read). `entry` is the file they run: `dctwin host` alone
   * (cli/host-main.ts, or its bundle: host-bundle.ts), not the whole CLI, which takes three times as long to start.
   */
  static start(
    natsUrl: string | Promise<string>,
    runId: string,
    count: number,
    credentials: (host: number) => Record<string, string> = () => ({}),
    extraArgs: (host: number) => string[] = () => [],
    entry: string = HOST_SOURCE_ENTRY,
  ): LocalHosts {
    const hosts = new LocalHosts();
    for (let host = 0; host < count; host++) {
      const child = spawn(
        process.execPath,
        [
          entry,
          "host",
          "--nats",
          typeof natsUrl === "string" ? natsUrl : "-",
          "--run",
          runId,
          "--host",
          String(host),
          "--exit-with-parent",
          ...extraArgs(host),
        ],
        {
          env: { ...hostEnv(process.env), ...credentials(host) },
          stdio: ["pipe", "inherit", "pipe"],
          detached: true, // own process group: a terminal Ctrl-C goes to the coordinator, which stops hosts in order
        },
      );
      child.stdin!.on("error", () => {}); // a host that died is reported by its exit, not by a failed write
      hosts.stderrTails[host] = "";
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
        process.stderr.write(chunk);
        hosts.stderrTails[host] = (hosts.stderrTails[host]! + chunk).slice(-2000);
      });
      child.once("exit", (code, signal) => {
        if (!hosts.expectExit)
          hosts.died(
            `host ${host} (pid ${child.pid}) exited with ${signal ?? `code ${code}`}${hosts.stderrTails[host] ? `:\n${hosts.stderrTails[host]}` : ""}`,
            host,
          );
      });
      hosts.children.push(child);
    }
    process.once("exit", hosts.onProcessExit);
    if (typeof natsUrl !== "string")
      natsUrl.then(
        (url) => {
          for (const child of hosts.children) if (child.stdin?.writable) child.stdin.write(`${url}\n`);
        },
        () => {}, // the server did not start: the run fails, and stop() ends the hosts
      );
    return hosts;
  }

  /** `listener` hears of any host that dies before `stop()`, also of one that died before this call. */
  onUnexpectedExit(listener: (message: string, host: number) => void): void {
    this.listener = listener;
    if (this.unheard !== undefined) listener(this.unheard.message, this.unheard.host);
    this.unheard = undefined;
  }

  private died(message: string, host: number): void {
    if (this.listener !== undefined) this.listener(message, host);
    else this.unheard ??= { message, host };
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid!);
  }

  /** Waits for hosts to exit after RunStop; kills any still running after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    this.expectExit = true;
    const running = this.children.filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
            child.once("exit", () => (clearTimeout(timer), resolve()));
            child.stdin?.end();
          }),
      ),
    );
    process.off("exit", this.onProcessExit);
  }

  private killAll(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/**
 * A host child gets its settings as flags; DCTWIN_* variables meant for the coordinator (every flag can be one,
 * e.g. DCTWIN_METRICS_PORT, or the coordinator's own DCTWIN_NATS_* credentials) must not reach it; its credentials
 * are added separately. DCTWIN_DEBUG is kept.
 */
function hostEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith("DCTWIN_") || name === "DCTWIN_DEBUG"),
  );
  // A coordinator with Node's compile cache on (bin/dctwin.js) shares it with its hosts: enableCompileCache() is
  // not inherited, and a host would otherwise strip and compile its modules again on every start.
  const cacheDir = getCompileCacheDir();
  return cacheDir === undefined || kept.NODE_COMPILE_CACHE !== undefined
    ? kept
    : { ...kept, NODE_COMPILE_CACHE: cacheDir };
}
