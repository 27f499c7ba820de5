/** Scenario builders for tests: plain objects turned into YAML files in a temporary directory. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadScenarioText } from "../../coordinator/scenario-loader.ts";

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

/** A client at 400/s in front of a two-core server (ρ = 0.4): the base that experiment and control tests vary. */
export const experimentBase = {
  name: "exp",
  run: { duration: "12s", seed: 3, metrics_interval: "1s", warmup: "0s" },
  actors: [
    {
      id: "users",
      kind: "client",
      target: "web-1",
      arrivals: { process: "poisson", rate_per_s: 400 },
      request_bytes: 400,
      response_bytes: 1500,
    },
    { id: "web-1", kind: "server", cores: 2, service: { distribution: "exponential", mean: "2ms" } },
  ],
  links: [{ a: "users", b: "web-1", latency: "100us", bandwidth: "10Gbps" }],
};

/** Loads a scenario document as the CLI would load its YAML text. */
export function loadDoc(doc: unknown, name = "exp.yaml") {
  return loadScenarioText(stringify(doc), name);
}

/** Data-parallel ML training: `workers` in an all-reduce ring, each with `gpus`, behind one switch. */
export function ringTraining(o: {
  name: string;
  workers: string[];
  gpus: { count: number; idle_w: number; max_w: number };
  steps: number;
  duration: string;
  metricsInterval: string;
  overrides?: Record<string, unknown>;
}) {
  return {
    name: o.name,
    run: { duration: o.duration, metrics_interval: o.metricsInterval },
    actors: [
      ...o.workers.map((id) => ({
        id,
        kind: "ml_training",
        ring: o.workers,
        gpus: o.gpus,
        compute_time: { distribution: "deterministic", value: "50ms" },
        model_bytes: "100MB",
        steps: o.steps,
        ...o.overrides,
      })),
      { id: "tor", kind: "switch", buffer: "1GB" },
    ],
    links: o.workers.map((id) => ({ a: id, b: "tor", latency: "5us", bandwidth: "100Gbps" })),
  };
}

/**
 * A generated leaf-spine for placement tests: racks of `serversPerLeaf` servers and as many client populations
 * (every 2nd in a remote rack), 1 us server links, 20 us fabric links; `layout` groups racks into rows and zones.
 */
export function leafSpineDoc(o: {
  leaves: number;
  spines: number;
  serversPerLeaf: number;
  layout: { racks_per_row: number; rows_per_zone: number };
  service: { distribution: "exponential"; mean: string };
}) {
  return {
    name: "ls",
    run: { duration: "10ms" },
    topology: {
      type: "leaf-spine",
      leaves: o.leaves,
      spines: o.spines,
      servers_per_leaf: o.serversPerLeaf,
      layout: o.layout,
      server: { cores: 2, service: o.service },
      server_link: { latency: "1us", bandwidth: "25Gbps" },
      fabric_link: { latency: "20us", bandwidth: "1Gbps" },
      clients: {
        link: { latency: "2us", bandwidth: "25Gbps" },
        remote_every: 2,
        client: { arrivals: { process: "poisson", rate_per_s: 1000 } },
      },
    },
  };
}
