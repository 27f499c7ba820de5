/**
 * A private nats-server on a free loopback port: the embedded default of `dctwin run`, and the test harness.
 * Started in its own process group so a Ctrl-C at the terminal does not cut the wire before the coordinator has
 * stopped its hosts; `stop()` (also called on process exit) ends it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OwnedProcess } from "./owned-process.ts";

export class NatsServerMissingError extends Error {
  override name = "NatsServerMissingError";
}

export interface NatsServerOptions {
  /** Server name (shows in `ps`; tests use it to find strays). */
  name?: string;
  /** Extra arguments, e.g. cluster routes for a multi-server test. */
  args?: string[];
  binary?: string;
  /** A configuration file's text (e.g. users and permissions); written where only this user can read it and
   * deleted once the server has read it. Command-line options (address, port, name) take precedence. */
  config?: string;
}

export class NatsServer {
  readonly url: string;
  readonly pid: number;
  private readonly process: OwnedProcess;

  private constructor(child: ChildProcess, url: string) {
    this.process = new OwnedProcess(child);
    this.url = url;
    this.pid = this.process.pid;
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const binary = options.binary ?? process.env.DCTWIN_NATS_SERVER ?? "nats-server";
    const configDir = options.config === undefined ? undefined : mkdtempSync(join(tmpdir(), "dctwin-nats-"));
    const configArgs: string[] = [];
    if (configDir !== undefined) {
      const file = join(configDir, "nats-server.conf");
      writeFileSync(file, options.config!, { mode: 0o600 });
      configArgs.push("-c", file);
    }
    const args = [...configArgs, "-a", "127.0.0.1", "-p", "-1", "-n", options.name ?? `dctwin-${process.pid}`, ...(options.args ?? [])];
    const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
    const url = await new Promise<string>((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => reject(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
      child.once("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          error.code === "ENOENT"
            ? new NatsServerMissingError(`cannot find the nats-server binary ("${binary}"). Install it (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server), or pass --nats URL to use a running server, or --transport inproc`)
            : error,
        );
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with code ${code}:\n${log}`));
      });
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
        log += chunk;
        const match = /Listening for client connections on ([\d.]+:\d+)/.exec(log);
        if (match !== null) {
          clearTimeout(timer);
          resolve(`nats://${match[1]}`);
        }
      });
    })
      .catch((error: unknown) => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); // never leave a half-started server
        throw error;
      })
      .finally(() => {
        if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true });
      });
    child.stderr!.resume(); // keep draining its log so it never blocks on a full pipe
    return new NatsServer(child, url);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
