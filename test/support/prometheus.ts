/**
 * A real Prometheus server for tests: on 127.0.0.1 with a free port, its own storage directory, stopped by pid
 * (also when the test process exits early). `promtool` runs the same way.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OwnedProcess } from "../../coordinator/owned-process.ts";
import { freePort } from "./ports.ts";

export const PROMETHEUS_BINARY = process.env.DCTWIN_PROMETHEUS ?? "prometheus";
export const PROMTOOL_BINARY = process.env.DCTWIN_PROMTOOL ?? "promtool";

export interface PromQueryResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export class PrometheusServer {
  readonly url: string;
  readonly pid: number;
  private readonly process: OwnedProcess;
  private log = "";

  private constructor(child: ChildProcess, url: string) {
    this.process = new OwnedProcess(child);
    this.url = url;
    this.pid = this.process.pid;
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (this.log = (this.log + c).slice(-20_000)));
    child.stdout!.resume();
  }

  /** Starts Prometheus with `config` (YAML text) in `dir` (config file and storage) and waits until it is ready. */
  static async start(dir: string, config: string, options: { storage?: string } = {}): Promise<PrometheusServer> {
    const configFile = join(dir, "prometheus.yml");
    writeFileSync(configFile, config);
    const port = await freePort();
    const args = [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${options.storage ?? join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=100y",
      "--log.level=warn",
    ];
    const child = spawn(PROMETHEUS_BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    const server = new PrometheusServer(child, `http://127.0.0.1:${port}`);
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}:\n${server.log}`);
        try {
          if ((await fetch(`${server.url}/-/ready`)).ok) return server;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`prometheus not ready within 20 s:\n${server.log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  get logText(): string {
    return this.log;
  }

  /** An instant query (at `timeS`, default now); throws on an API error. */
  async query(expr: string, timeS?: number): Promise<PromQueryResult[]> {
    const params = new URLSearchParams({ query: expr });
    if (timeS !== undefined) params.set("time", String(timeS));
    return this.api(`/api/v1/query?${params}`);
  }

  async queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<PromQueryResult[]> {
    const params = new URLSearchParams({ query: expr, start: String(startS), end: String(endS), step: String(stepS) });
    return this.api(`/api/v1/query_range?${params}`);
  }

  async targets(): Promise<{ health: string; lastError: string; scrapeUrl: string }[]> {
    const res = await fetch(`${this.url}/api/v1/targets`);
    const body = (await res.json()) as {
      data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] };
    };
    return body.data.activeTargets;
  }

  /**
   * Waits until Prometheus has tried every configured target once (it applies a new set of targets at most
   * every 5 s, so scraping starts up to 5 s after startup).
   */
  async waitForScrapeLoops(count: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(`${this.url}/api/v1/targets`);
      const body = (await res.json()) as { data: { activeTargets: { lastScrape: string }[] } };
      const tried = body.data.activeTargets.filter((t) => !t.lastScrape.startsWith("0001-"));
      if (tried.length >= count) return;
      if (Date.now() > deadline) throw new Error(`prometheus did not scrape ${count} target(s) within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async api(path: string): Promise<PromQueryResult[]> {
    const res = await fetch(`${this.url}${path}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: PromQueryResult[] } };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data.result;
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

export function promtool(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PROMTOOL_BINARY, args, { input, encoding: "utf8", timeout: 60_000 });
  if (r.error !== undefined) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
