/**
 * A private nats-server on a free loopback port: the embedded default of `dctwin run`, and the test harness.
 * Started in its own process group so a Ctrl-C at the terminal does not cut the wire before the coordinator has
 * stopped its hosts; `stop()` (also called on process exit) ends it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { OwnedProcess } from "./owned-process.ts";

/**
 * The largest message the private server accepts (NATS's own ceiling; its default is 1 MB). RunStart carries the
 * resolved scenario as JSON: 1.2 MB for the 4,168 actors of leaf-spine-4k. On a shared NATS server (`--nats URL`)
 * with a smaller limit, larger messages go in fragments (nodes/runtime/transport/fragments.ts); here they need none.
 */
const MAX_PAYLOAD = "64MB";
/** The nats-server binary a private server would start: $DCTWIN_NATS_SERVER, else `nats-server` on the PATH. */
export function natsServerBinary(): string {
  return process.env.DCTWIN_NATS_SERVER || "nats-server";
}

/** Where `binary` would be found (a path, or a name looked up on the PATH like the shell does), or null. */
export function findExecutable(binary: string, path = process.env.PATH ?? ""): string | null {
  const candidates = binary.includes("/")
    ? [binary]
    : path
        .split(delimiter)
        .filter((d) => d !== "")
        .map((d) => join(d, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there or not executable: try the next directory
    }
  }
  return null;
}

export class NatsServerMissingError extends Error {
  override name = "NatsServerMissingError";
}

export interface NatsServerOptions {
  /** Server name (shows in `ps`; tests use it to find strays). */
  name?: string;
  /** Extra arguments, e.g. cluster routes for a multi-server test. */
  args?: string[];
  binary?: string;
  /** Configuration text (e.g. users and permissions) added to the configuration file after max_payload; written
   * where only this user can read it and deleted once the server has read it. Command-line options (address,
   * port, name) take precedence. */
  config?: string;
  /** Listen on this port (default: a free one); a restarted server takes its old port again. */
  port?: number;
  /** Enable JetStream, storing its streams in this directory. */
  jetStreamDir?: string;
}

function missingMessage(binary: string): string {
  return `cannot find the nats-server binary ("${binary}"). Install it (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server), or pass --nats URL to use a running server, or --transport inproc`;
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
    const binary = options.binary ?? natsServerBinary();
    if (findExecutable(binary) === null) throw new NatsServerMissingError(missingMessage(binary));
    // max_payload has no command-line flag, nor has authorization: a configuration file only this user can read,
    // removed once the server has read it (or failed to start).
    const configDir = mkdtempSync(join(tmpdir(), "dctwin-nats-"));
    const config = join(configDir, "nats-server.conf");
    const jetStream =
      options.jetStreamDir === undefined ? "" : `jetstream: ${JSON.stringify({ store_dir: options.jetStreamDir })}\n`;
    writeFileSync(config, `max_payload: ${MAX_PAYLOAD}\n${jetStream}${options.config ?? ""}`, { mode: 0o600 });
    const args = [
      "-c",
      config,
      "-a",
      "127.0.0.1",
      "-p",
      String(options.port ?? -1),
      "-n",
      options.name ?? `dctwin-${process.pid}`,
      ...(options.args ?? []),
    ];
    // The server must not outlive us even if we are killed outright: where util-linux's setpriv exists, the kernel
    // sends it SIGTERM when its parent dies (PR_SET_PDEATHSIG); elsewhere only a normal exit stops it.
    const setpriv = findExecutable("setpriv");
    const [command, argv] =
      setpriv === null ? [binary, args] : [setpriv, ["--pdeathsig", "SIGTERM", "--", binary, ...args]];
    const child = spawn(command, argv, { stdio: ["ignore", "ignore", "pipe"], detached: true });
    const url = await new Promise<string>((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => reject(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
      child.once("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(error.code === "ENOENT" ? new NatsServerMissingError(missingMessage(binary)) : error);
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
        rmSync(configDir, { recursive: true, force: true });
      });
    child.stderr!.resume(); // keep draining its log so it never blocks on a full pipe
    return new NatsServer(child, url);
  }

  /** Resolves when the server process has exited (stopped, or killed from outside). */
  get exited(): Promise<void> {
    return this.process.exited;
  }

  /** The port it listens on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
