/**
 * The hybrid runs' scenario (test/leap-hybrid*.test.ts): two racks of two M/M/2 servers (2 ms mean service,
 * linear power) behind their own leaf switches and random balancers, a spine, and a Poisson client population per
 * rack at ρ = 0.7. `hybrid` keeps rack a (group rack-a) exact while the rest leaps.
 */
export const RATE_PER_RACK = 1400;
export const DURATION_S = 30;
export const WARMUP_S = 2;

const server = (id: string, group: string) => ({
  id,
  kind: "server",
  group,
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
      leap: { step: "10ms", samples: 8, ...(mode === "hybrid" ? { exact: { groups: ["rack-a"] } } : {}) },
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
      { id: "lb-a", kind: "load_balancer", replicas: ["a0", "a1"], policy: "random" },
      { id: "lb-b", kind: "load_balancer", replicas: ["b0", "b1"], policy: "random" },
      { id: "spine", kind: "switch" },
      { id: "leaf-a", kind: "switch" },
      { id: "leaf-b", kind: "switch" },
      server("a0", "rack-a"),
      server("a1", "rack-a"),
      server("b0", "rack-b"),
      server("b1", "rack-b"),
    ],
    links: [
      ...["users-a", "users-b", "lb-a", "lb-b"].map((a) => ({ a, b: "spine", latency: "20us", bandwidth: "10Gbps" })),
      ...["leaf-a", "leaf-b"].map((a) => ({ a, b: "spine", latency: "20us", bandwidth: "40Gbps" })),
      ...["a0", "a1"].map((a) => ({ a, b: "leaf-a", latency: "20us", bandwidth: "10Gbps" })),
      ...["b0", "b1"].map((a) => ({ a, b: "leaf-b", latency: "20us", bandwidth: "10Gbps" })),
    ],
  };
}
