/**
 * Software components in leap mode (nodes/leap/component.ts, host-share.ts) against closed forms: a service with
 * two slots as M/M/2 (throughput, mean and p99 response over three seeds), a client → service → store chain as a
 * Jackson tandem (the store's reads and writes share one exponential service time, so both stations are M/M/1),
 * and a component on a `core_sharing: dynamic` server: with the server's own requests too (2.7 of 4 cores busy),
 * the linear power curve gives utilisation = Σ λ·E[S]·cores / cores within 0.5% of the energy, and both wait as
 * in the M/M/4 queue of the shared cores; alone with more slots than cores, the component is an M/M/4 on the
 * server's four cores (the SPECpower mean over the M/M/4 law; the Erlang C wait).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { erlangC, stateLaw } from "../nodes/leap/queue-laws.ts";
import { halfWidth, type ReportedBatchMeans } from "./support/ci.ts";
import { runScenario } from "./support/twin.ts";
import { tempDir } from "./support/scenarios.ts";
import { quantile99 } from "./support/statistics.ts";

const dir = tempDir();
after(() => dir.remove());

type Actor = Record<string, unknown>;
const LATENCY = "50us";
/** One link crossing: 50 µs latency plus 100 B at 10 Gb/s. */
const CROSSING_S = 50e-6 + 80e-9;

function scenario(actors: Actor[], links: [string, string][], durationS: number, seed: number) {
  return {
    name: "components",
    run: {
      duration: `${durationS}s`,
      seed,
      metrics_interval: `${durationS / 40}s`,
      warmup: `${durationS / 40}s`,
      mode: "leap",
      leap: { step: "100ms", samples: 16 },
    },
    actors,
    links: links.map(([a, b]) => ({ a, b, latency: LATENCY, bandwidth: "10Gbps" })),
  };
}

const users = (rate: number, target: string): Actor => ({
  id: "users",
  kind: "client",
  target,
  arrivals: { process: "poisson", rate_per_s: rate },
  request_bytes: 100,
  response_bytes: 100,
});
const host = (id: string, extra: Actor = {}): Actor => ({
  id,
  kind: "server",
  cores: 4,
  service: { distribution: "exponential", mean: "1ms" },
  ...extra,
});
const exponential = (ms: number) => ({ distribution: "exponential", mean: `${ms}ms` });

interface Metric {
  count: number;
  mean: number;
  p99: number;
  batch_means: ReportedBatchMeans;
  whole_run: { count: number; mean: number };
}
interface Summary {
  packets: { injected: number; consumed: number; dropped: number; queued_at_end: number; in_flight_at_end: number };
  metrics: Record<string, Record<string, Metric>>;
  thermodynamics: { heat: { energy_j: number } };
}

async function run(s: ReturnType<typeof scenario>) {
  const result = await runScenario(s, dir.path);
  const summary = result.summary as unknown as Summary;
  const p = summary.packets;
  assert.equal(p.injected, p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end, "objects conserved");
  assert.equal(p.dropped, 0, "nothing dropped");
  return { summary, joules: result.joules };
}

function assertMean(bm: ReportedBatchMeans, expected: number, what: string) {
  const half = halfWidth(bm, 0.99);
  // Histogram binning of response times: 1% on top of the interval.
  assert.ok(
    Math.abs(bm.mean - expected) <= half + 0.01 * expected,
    `${what}: ${bm.mean} vs ${expected} (99% half-width ${half})`,
  );
}

function assertClose(actual: number, expected: number, relative: number, what: string) {
  assert.ok(Math.abs(actual / expected - 1) <= relative, `${what}: ${actual} vs ${expected} (±${relative * 100}%)`);
}

/** Requests answered per second after the warm-up. */
function throughput(s: Summary, durationS: number): number {
  return s.metrics.response_time_s!.client!.count / (durationS * (1 - 1 / 40));
}

test("leap components - a service with two slots as M/M/2: throughput, mean and p99 response over three seeds", async () => {
  const [c, lambda, mu, T] = [2, 1400, 1000, 300];
  const theta = c * mu - lambda;
  const C = erlangC(c, lambda / mu);
  const links = 2 * CROSSING_S;
  // M/M/c sojourn: P(T > t) = e^{−μt}(1 + C·μ/(θ − μ)·(1 − e^{−(θ−μ)t})), θ = cμ − λ.
  const survival = (t: number) =>
    Math.exp(-mu * t) * (1 + ((C * mu) / (theta - mu)) * (1 - Math.exp(-(theta - mu) * t)));
  for (const seed of [1, 2, 3]) {
    const { summary } = await run(
      scenario(
        [
          users(lambda, "api"),
          host("node"),
          { id: "api", kind: "service", placed_on: "node", concurrency: c, cpu: 1, service: exponential(1) },
        ],
        [["users", "node"]],
        T,
        seed,
      ),
    );
    const response = summary.metrics.response_time_s!.client!;
    assertMean(response.batch_means, C / theta + 1 / mu + links, `seed ${seed}: M/M/2 mean response`);
    assertClose(response.p99, quantile99(survival) + links, 0.1, `seed ${seed}: M/M/2 p99`);
    // Poisson counts: 4 standard deviations, plus the requests of the last steps still in flight.
    const sd = Math.sqrt(lambda * T) / T;
    assert.ok(Math.abs(throughput(summary, T) - lambda) < 4 * sd + 0.01 * lambda, `seed ${seed}: throughput`);
  }
});

test("leap components - client → service → store as a Jackson tandem; the store's write share", async () => {
  const [lambda, mu1, mu2, T, writes] = [500, 1000, 1000 / 0.6, 400, 0.3];
  const [a, b] = [mu1 - lambda, mu2 - lambda];
  const links = 4 * CROSSING_S;
  for (const seed of [4, 5]) {
    const { summary } = await run(
      scenario(
        [
          users(lambda, "api"),
          host("front"),
          host("back"),
          {
            id: "api",
            kind: "service",
            placed_on: "front",
            service: exponential(1),
            calls: [{ target: "db", request_bytes: 100, response_bytes: 100 }],
          },
          {
            id: "db",
            kind: "store",
            placed_on: "back",
            write_fraction: writes,
            read: { service: exponential(0.6), response_bytes: 100 },
            write: { service: exponential(0.6), response_bytes: 100 },
          },
        ],
        [
          ["users", "front"],
          ["front", "back"],
        ],
        T,
        seed,
      ),
    );
    const response = summary.metrics.response_time_s!.client!;
    assertMean(response.batch_means, 1 / a + 1 / b + links, `seed ${seed}: tandem mean response`);
    // Sum of two exponential sojourns (Burke): P(T > t) = (b·e^{−at} − a·e^{−bt}) / (b − a).
    const p99 = quantile99((t) => (b * Math.exp(-a * t) - a * Math.exp(-b * t)) / (b - a)) + links;
    assertClose(response.p99, p99, 0.1, `seed ${seed}: tandem p99`);
    const w = summary.metrics.store_writes!.store!.whole_run.count;
    const r = summary.metrics.store_reads!.store!.whole_run.count;
    const n = w + r;
    assert.ok(
      Math.abs(w / n - writes) < 4 * Math.sqrt((writes * (1 - writes)) / n),
      `seed ${seed}: write share ${w / n}`,
    );
    assert.ok(
      Math.abs(n / T - lambda) < (4 * Math.sqrt(lambda * T)) / T + 0.01 * lambda,
      `seed ${seed}: store throughput`,
    );
  }
});

test("leap components - core_sharing: dynamic: energy at the shared utilisation; a lone component as M/M/4", async () => {
  const T = 600;
  // The server's own requests (600/s × 2 ms = 1.2 cores) and a component's (750/s × 2 ms × 1 core): 2.7 of 4 cores
  // busy, so both queues often hold more than the cores left (independent laws would exceed the cores). Every
  // request needs one core for an exponential 2 ms and the component's slots never bind: exact mode's one FIFO
  // line for the cores is then an M/M/4 queue fed by both streams, whose Erlang C wait both see.
  const own = { id: "own", kind: "client", target: "node", arrivals: { process: "poisson", rate_per_s: 600 } };
  const shared = await run(
    scenario(
      [
        users(750, "api"),
        own,
        host("node", {
          core_sharing: "dynamic",
          service: exponential(2),
          power: { model: "linear", idle_w: 100, max_w: 200 },
        }),
        { id: "api", kind: "service", placed_on: "node", concurrency: 8, cpu: 1, service: exponential(2) },
      ],
      [
        ["users", "node"],
        ["own", "node"],
      ],
      T,
      6,
    ),
  );
  const utilisation = (600 * 2e-3 + 750 * 2e-3) / 4;
  const energy = (100 + 100 * utilisation) * T;
  assertClose(shared.joules("node"), energy, 0.005, "linear energy at utilisation λ·E[S]·cores/cores");
  const poolWait = erlangC(4, 1350 / 500) / (4 * 500 - 1350);
  for (const kind of ["server", "service"])
    assertMean(shared.summary.metrics.queue_wait_s![kind]!.batch_means, poolWait, `${kind}: M/M/4 pool wait`);

  // Alone, with 8 slots of one core on 4 cores: at most 4 run, the rest wait for cores (M/M/4).
  const points = [60, 85, 100, 113, 126, 140, 155, 172, 190, 210, 232];
  const [c, lambda, mu] = [4, 1200, 500];
  const law = stateLaw({ c, lambda, mu, cs2: 1, room: Number.POSITIVE_INFINITY });
  const curve = (u: number) => {
    const x = u * 10;
    const i = Math.min(9, Math.floor(x));
    return points[i]! + (points[i + 1]! - points[i]!) * (x - i);
  };
  const lone = await run(
    scenario(
      [
        users(lambda, "api"),
        host("node", { core_sharing: "dynamic", power: { model: "specpower", points_w: points } }),
        { id: "api", kind: "service", placed_on: "node", concurrency: 8, cpu: 1, service: exponential(2) },
      ],
      [["users", "node"]],
      T,
      7,
    ),
  );
  const watts = law.reduce((sum, p, n) => sum + p * curve(Math.min(n, c) / c), 0);
  assertClose(lone.joules("node"), watts * T, 0.005, "M/M/4 SPECpower energy");
  const wait = lone.summary.metrics.queue_wait_s!.service!;
  assertMean(wait.batch_means, erlangC(c, lambda / mu) / (c * mu - lambda), "M/M/4 mean wait for cores");
});

test("leap components - a full store's writes each overwrite a record: the bits erased beyond those delivered", async () => {
  // Records and writes of 512 B: each write to the full store erases one 512-byte record (4,096 bits).
  const { summary } = await run(
    scenario(
      [
        { ...users(300, "db"), request_bytes: 512 },
        host("node"),
        {
          id: "db",
          kind: "store",
          placed_on: "node",
          write_fraction: 1,
          capacity_records: 100,
          initial_records: 100,
          initial_record_bytes: 512,
          read: { service: exponential(1) },
          write: { service: exponential(1), response_bytes: 100 },
        },
      ],
      [["users", "node"]],
      40,
      8,
    ),
  );
  const heat = (summary.thermodynamics as unknown as { heat: { bits_erased: number; bits_delivered: number } }).heat;
  const writes = summary.metrics.store_writes!.store!.whole_run.count;
  assert.ok(writes > 0.9 * 300 * 40, `writes served: ${writes}`);
  assert.equal(heat.bits_erased - heat.bits_delivered, writes * 512 * 8, "4,096 bits erased per overwrite");
});
