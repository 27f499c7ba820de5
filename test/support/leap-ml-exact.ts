/**
 * The scenario of test/leap-ml-inference-exact.test.ts: a Poisson client population behind a leaf switch sends to
 * an ml_inference server with two GPUs and a 2 ms batch timer (batches of up to 8, 4 ms + 0.5 ms per item: 2,000
 * requests/s at most, offered 1,200: ρ = 0.6). The leap law cannot take it, so a leap run keeps it exact.
 */
export const RATE_PER_S = 1200;
export const DURATION_S = 30;
export const WARMUP_S = 2;
export const GPUS = { count: 2, idle_w: 60, max_w: 400 };

export function mlExactScenario(mode: "exact" | "leap", seed: number, durationS = DURATION_S) {
  return {
    name: `ml-exact-${mode}`,
    run: {
      duration: `${durationS}s`,
      seed,
      metrics_interval: "1s",
      warmup: `${WARMUP_S}s`,
      mode,
      leap: { step: "10ms", samples: 8 },
    },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "infer",
        arrivals: { process: "poisson", rate_per_s: RATE_PER_S },
        request_bytes: 400,
        response_bytes: 2000,
      },
      { id: "leaf", kind: "switch" },
      {
        id: "infer",
        kind: "ml_inference",
        gpus: GPUS,
        batch: { max_size: 8, max_wait: "2ms" },
        batch_time: { base: "4ms", per_item: "500us" },
        queue_limit: 256,
      },
    ],
    links: [
      { a: "users", b: "leaf", latency: "20us", bandwidth: "10Gbps" },
      { a: "infer", b: "leaf", latency: "20us", bandwidth: "10Gbps" },
    ],
  };
}
