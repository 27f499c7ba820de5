/**
 * The hybrid runs' scenario (test/leap-hybrid*.test.ts): two racks of two M/M/2 servers (2 ms mean service,
 * linear power) behind their own leaf switches and random balancers, a spine, and a Poisson client population per
 * rack at ρ = 0.7; in rack a also a server c0 running a service component `api` (two slots of one core, 2 ms:
 * M/M/2 at ρ = 0.7) for its own clients. `hybrid` keeps rack a (label rack: a; c0 with its component) exact
 * while the rest leaps.
 */
export const RATE_PER_RACK = 1400;
export const DURATION_S = 30;
export const WARMUP_S = 2;

const server = (id: string, group: string) => ({
  id,
  kind: "server",
  group,
  labels: { rack: group === "rack-b" ? "b" : "a" },
  cores: 2,
  service: { distribution: "exponential", mean: "2ms" },
  power: { model: "linear", idle_w: 100, max_w: 250 },
});

export function hybridScenario(mode: "exact" | "leap" | "hybrid", seed: number) {
  return {
    name: `hybrid-${mode}`,
    run: {
      duration: `${DURATION_S}s`,
      seed,
      metrics_interval: "1s",
      warmup: `${WARMUP_S}s`,
      mode: mode === "exact" ? "exact" : "leap",
      leap: { step: "10ms", samples: 8, ...(mode === "hybrid" ? { exact: { labels: { rack: "a" } } } : {}) },
    },
    actors: [
      ...["a", "b"].map((rack) => ({
        id: `users-${rack}`,
        group: `users-${rack}`,
        kind: "client",
        target: `lb-${rack}`,
        arrivals: { process: "poisson", rate_per_s: RATE_PER_RACK },
        request_bytes: 400,
        response_bytes: 4000,
      })),
      {
        id: "users-c",
        group: "users-c",
        kind: "client",
        target: "api",
        arrivals: { process: "poisson", rate_per_s: RATE_PER_RACK / 2 },
        request_bytes: 400,
        response_bytes: 4000,
      },
      { id: "lb-a", kind: "load_balancer", replicas: ["a0", "a1"], policy: "random" },
      { id: "lb-b", kind: "load_balancer", replicas: ["b0", "b1"], policy: "random" },
      { id: "spine", kind: "switch" },
      { id: "leaf-a", kind: "switch" },
      { id: "leaf-b", kind: "switch" },
      server("a0", "rack-a"),
      server("a1", "rack-a"),
      server("b0", "rack-b"),
      server("b1", "rack-b"),
      server("c0", "apps"),
      {
        id: "api",
        kind: "service",
        group: "api",
        placed_on: "c0",
        concurrency: 2,
        cpu: 1,
        service: { distribution: "exponential", mean: "2ms" },
      },
    ],
    links: [
      ...["users-a", "users-b", "users-c", "lb-a", "lb-b"].map((a) => ({
        a,
        b: "spine",
        latency: "20us",
        bandwidth: "10Gbps",
      })),
      ...["leaf-a", "leaf-b"].map((a) => ({ a, b: "spine", latency: "20us", bandwidth: "40Gbps" })),
      ...["a0", "a1", "c0"].map((a) => ({ a, b: "leaf-a", latency: "20us", bandwidth: "10Gbps" })),
      ...["b0", "b1"].map((a) => ({ a, b: "leaf-b", latency: "20us", bandwidth: "10Gbps" })),
    ],
  };
}
