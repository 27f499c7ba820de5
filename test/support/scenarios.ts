/** Scenario builders for tests: plain objects turned into YAML files in a temporary directory. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export function tempDir(prefix = "dctwin-test-"): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeScenario(dir: string, name: string, scenario: unknown): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, typeof scenario === "string" ? scenario : stringify(scenario));
  return file;
}

/** One Poisson client population and one c-core exponential server, joined by one link. */
export function queueScenario(o: {
  rate: number;
  meanServiceMs: number;
  cores: number;
  durationS: number;
  seed?: number;
  latencyUs?: number;
  intervalS?: number;
  warmupS?: number;
  distribution?: "exponential" | "deterministic";
}) {
  const service =
    o.distribution === "deterministic"
      ? { distribution: "deterministic", value: `${o.meanServiceMs}ms` }
      : { distribution: "exponential", mean: `${o.meanServiceMs}ms` };
  return {
    name: "queue",
    run: {
      duration: `${o.durationS}s`,
      seed: o.seed ?? 1,
      metrics_interval: `${o.intervalS ?? 1}s`,
      warmup: `${o.warmupS ?? 1}s`,
    },
    actors: [
      {
        id: "clients",
        kind: "client",
        target: "server",
        arrivals: { process: "poisson", rate_per_s: o.rate },
        request_bytes: 100,
        response_bytes: 100,
      },
      { id: "server", kind: "server", cores: o.cores, service },
    ],
    links: [{ a: "clients", b: "server", latency: `${o.latencyUs ?? 50}us`, bandwidth: "10Gbps" }],
  };
}

/**
 * Traffic that crosses hosts both ways in the 3-host placement (clients-a and server-b, clients-b and server-a land
 * on different hosts), with link loss and queue-full drops: the workhorse of determinism, checkpoint and recovery tests.
 */
export function crossHostScenario(metricsInterval: string) {
  return {
    name: "cross-host",
    run: { duration: "2s", seed: 5, metrics_interval: metricsInterval },
    actors: [
      {
        id: "clients-a",
        kind: "client",
        target: "server-b",
        arrivals: { process: "poisson", rate_per_s: 900 },
        request_bytes: 300,
        response_bytes: 9000,
      },
      {
        id: "clients-b",
        kind: "client",
        target: "server-a",
        arrivals: { process: "poisson", rate_per_s: 700 },
        request_bytes: 300,
        response_bytes: 1500,
      },
      {
        id: "server-a",
        kind: "server",
        cores: 1,
        service: { distribution: "exponential", mean: "1ms" },
        queue_limit: 5,
      },
      { id: "server-b", kind: "server", cores: 2, service: { distribution: "deterministic", value: "1.5ms" } },
    ],
    links: [
      { a: "clients-a", b: "server-b", latency: "80us", bandwidth: "1Gbps" },
      { a: "clients-b", b: "server-a", latency: "60us", bandwidth: "1Gbps", loss: 0.01 },
    ],
  };
}
