/**
 * Downstream calls in leap mode (nodes/leap/calls.ts) against Jackson-network closed forms: a front M/M/1
 * calling a back M/M/1 (a tandem: Burke's theorem makes the back queue's arrivals Poisson, so the response time
 * is the sum of two independent exponential sojourns, plus the links), and a front fanning out to two back
 * servers in parallel (the stage takes the slower of the two sojourns: E[max] = 1/a + 1/b − 1/(a + b)). Exact
 * mode, which holds every parent until its children return, is the reference for the fan-out's conservation.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { halfWidth, type ReportedBatchMeans } from "./support/ci.ts";
import { actorCommand, runScenario } from "./support/twin.ts";
import { tempDir } from "./support/scenarios.ts";
import { quantile99 } from "./support/statistics.ts";

const dir = tempDir();
after(() => dir.remove());

const RATE = 500;
const FRONT_MS = 1;
const BACK_MS = 0.6;
/** Four link crossings (request and response, two links) of 50 µs plus 80 ns of serialization (100 B at 10 Gb/s). */
const LINKS_S = 4 * (50e-6 + 80e-9);

function scenario(mode: "exact" | "leap", calls: { target: string }[], backs: string[], durationS: number) {
  return {
    name: "calls",
    run: {
      duration: `${durationS}s`,
      seed: 4,
      metrics_interval: `${durationS / 40}s`,
      warmup: `${durationS / 40}s`,
      mode,
      leap: { step: "100ms", samples: 16 },
    },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "front",
        arrivals: { process: "poisson", rate_per_s: RATE },
        request_bytes: 100,
        response_bytes: 100,
      },
      {
        id: "front",
        kind: "server",
        service: { distribution: "exponential", mean: `${FRONT_MS}ms` },
        calls: calls.map((c) => ({ ...c, request_bytes: 100, response_bytes: 100 })),
      },
      ...backs.map((id) => ({ id, kind: "server", service: { distribution: "exponential", mean: `${BACK_MS}ms` } })),
    ],
    links: [
      { a: "users", b: "front", latency: "50us", bandwidth: "10Gbps" },
      ...backs.map((b) => ({ a: "front", b, latency: "50us", bandwidth: "10Gbps" })),
    ],
  };
}

interface Summary {
  packets: { injected: number; consumed: number; dropped: number; queued_at_end: number; in_flight_at_end: number };
  metrics: Record<
    string,
    Record<string, { count: number; mean: number; p99: number; batch_means: ReportedBatchMeans }>
  >;
}

async function run(s: ReturnType<typeof scenario>) {
  return (await runScenario(s, dir.path)).summary as unknown as Summary;
}

function conserved(s: Summary, label: string) {
  const p = s.packets;
  assert.equal(
    p.injected,
    p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end,
    `${label}: objects conserved`,
  );
  assert.equal(p.dropped, 0, `${label}: nothing dropped`);
}

/** Sojourn rate of an M/M/1 queue: μ − λ (per s). */
const sojournRate = (meanMs: number) => 1000 / meanMs - RATE;

function assertMean(bm: ReportedBatchMeans, expected: number, what: string) {
  const half = halfWidth(bm, 0.99);
  // The sojourn histograms bin response times, and link waits are neglected in the closed form: 1% on top.
  assert.ok(
    Math.abs(bm.mean - expected) <= half + 0.01 * expected,
    `${what}: ${bm.mean} vs ${expected} (99% half-width ${half})`,
  );
}

test("leap calls - a front calling a back server: Jackson tandem mean and p99; a fan-out to two: E[max]", async () => {
  const a = sojournRate(FRONT_MS);
  const b = sojournRate(BACK_MS);
  const tandem = await run(scenario("leap", [{ target: "back" }], ["back"], 400));
  conserved(tandem, "tandem");
  const response = tandem.metrics.response_time_s!.client!;
  assertMean(response.batch_means, 1 / a + 1 / b + LINKS_S, "tandem mean response");
  // Sum of two exponentials (hypoexponential): P(T > t) = (b·e^{−at} − a·e^{−bt}) / (b − a).
  const p99 = quantile99((t) => (b * Math.exp(-a * t) - a * Math.exp(-b * t)) / (b - a)) + LINKS_S;
  assert.ok(Math.abs(response.p99 / p99 - 1) < 0.1, `tandem p99 ${response.p99} vs ${p99}`);

  const fanOut = await run(scenario("leap", [{ target: "b1" }, { target: "b2" }], ["b1", "b2"], 400));
  conserved(fanOut, "fan-out");
  // The front's sojourn, then the slower of two independent back sojourns (E[max] of two exponentials with rate b).
  assertMean(fanOut.metrics.response_time_s!.client!.batch_means, 1 / a + 2 / b - 1 / (2 * b) + LINKS_S, "fan-out");
  assert.ok(
    Math.abs(fanOut.metrics.requests_sent!.client!.count - fanOut.metrics.response_time_s!.client!.count) < 2 * RATE,
    "every request answered but those of the last steps",
  );
});

test("leap calls - a failed front drops its waiting parents; late responses are orphans, objects conserved", async () => {
  const s = scenario("leap", [{ target: "back" }], ["back"], 20);
  const front = s.actors.findIndex((a) => a.id === "front");
  const schedule = [actorCommand(front, 10e9, "crash"), actorCommand(front, 12e9, "recover")];
  const summary = (await runScenario(s, dir.path, { schedule })).summary as unknown as Summary & {
    packets: { dropped_by_reason: Record<string, number> };
  };
  const p = summary.packets;
  assert.equal(p.injected, p.consumed + p.dropped + p.queued_at_end + p.in_flight_at_end, "objects conserved");
  assert.ok(
    (p.dropped_by_reason.server_failed ?? 0) > 0,
    `held parents dropped: ${JSON.stringify(p.dropped_by_reason)}`,
  );
});
