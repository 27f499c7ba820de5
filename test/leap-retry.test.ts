/**
 * Retrying clients in leap mode (nodes/leap/retry.ts): a response count whose delay exceeds the timeout timed out,
 * and is retried as a count of its own while retries are left. Compared with exact mode on an M/M/4 server at
 * ρ = 0.25 whose exponential service exceeds the 3 ms timeout about 5% of the time (a retry redraws it, in exact
 * mode too): timeouts, retries, abandoned requests and late responses per request, and the mean response time.
 * (Where timeouts come from queueing, exact mode's retries meet the same congestion and can tip the server into
 * a retry storm that leap mode's independent draws miss: docs/leap.md.)
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { clientParams } from "../nodes/models/client.ts";
import { judgeResponse, type RetryAttempt } from "../nodes/leap/retry.ts";
import type { ActorContext } from "../nodes/runtime/actor.ts";
import type { SimPacket } from "../nodes/runtime/packet.ts";
import { runScenario } from "./support/twin.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const DURATION_S = 20;

function scenario(mode: "exact" | "leap", seed: number) {
  return {
    name: "retry",
    run: { duration: `${DURATION_S}s`, seed, metrics_interval: "2s", mode, leap: { step: "10ms" } },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "web",
        arrivals: { process: "poisson", rate_per_s: 1000 },
        timeout: "3ms",
        retry: { attempts: 2, backoff: "2ms" },
      },
      { id: "tor", kind: "switch" },
      { id: "web", kind: "server", cores: 4, service: { distribution: "exponential", mean: "1ms" } },
    ],
    links: [
      { a: "users", b: "tor", latency: "20us" },
      { a: "tor", b: "web", latency: "20us" },
    ],
  };
}

type Metrics = Record<string, Record<string, { count: number; mean: number }>>;
const FIGURES = ["timeouts", "retries", "abandoned", "late_responses"] as const;

async function figures(mode: "exact" | "leap", seed: number) {
  const { summary } = await runScenario(scenario(mode, seed), dir.path);
  const m = (summary as unknown as { metrics: Metrics }).metrics;
  const sent = m.requests_sent!.client!.count;
  const perRequest = Object.fromEntries(FIGURES.map((f) => [f, (m[f]?.client?.count ?? 0) / sent]));
  return { ...perRequest, response_s: m.response_time_s!.client!.mean } as Record<string, number>;
}

test("leap retrying clients - timeouts, retries and response times against exact mode", async (t) => {
  const mean = (rows: Record<string, number>[]) =>
    Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, rows.reduce((s, r) => s + r[k]!, 0) / rows.length]));
  const runs = { exact: [] as Record<string, number>[], leap: [] as Record<string, number>[] };
  for (const seed of [1, 2, 3, 4])
    for (const mode of ["exact", "leap"] as const) runs[mode].push(await figures(mode, seed));
  const exact = mean(runs.exact);
  const leap = mean(runs.leap);
  for (const k of Object.keys(exact))
    t.diagnostic(`${k}: exact ${exact[k]!.toPrecision(4)}, leap ${leap[k]!.toPrecision(4)}`);
  // 80,000 requests a mode, ~4,500 timeouts: 1.5% relative standard error each, 2.1% on their difference.
  for (const k of ["timeouts", "retries", "late_responses"])
    assert.ok(Math.abs(leap[k]! / exact[k]! - 1) < 0.08, `${k} per request: leap ${leap[k]}, exact ${exact[k]}`);
  // Requests abandoned after two timed-out retries: ~14 a mode; Poisson counts within 4 standard errors.
  const requests = 4 * DURATION_S * 1000;
  const [a, b] = [exact.abandoned! * requests, leap.abandoned! * requests];
  assert.ok(a > 0 && b > 0 && Math.abs(a - b) <= 4 * Math.sqrt(a + b), `abandoned: exact ${a}, leap ${b}`);
  assert.ok(
    Math.abs(leap.response_s! / exact.response_s! - 1) < 0.02,
    `mean response: ${leap.response_s} vs ${exact.response_s}`,
  );
});

test("leap retrying clients - an attempt's fate by hand: answer, retry, an earlier late response answering", () => {
  const recorded: Record<string, number> = {};
  const ctx = {
    nowNs: 100_000_000,
    record: (name: string, value: number, count = 1) => {
      recorded[name] = (recorded[name] ?? 0) + (name === "response_time_ns" ? value * count : count);
    },
  } as unknown as ActorContext;
  const params = clientParams.parse({
    target: "web",
    arrivals: { process: "poisson", rate_per_s: 1 },
    timeout: "3ms",
    retry: { attempts: 1, backoff: "2ms" },
  });
  const attempts: Record<number, RetryAttempt> = {};
  const ms = 1e6;
  const response = (flowId: number, totalNs: number, multiplicity = 10) =>
    ({ flowId, multiplicity, flowCreatedNs: ctx.nowNs - totalNs, kind: 0 }) as SimPacket;
  // A first attempt back in 2 ms: answered.
  assert.deepEqual(judgeResponse(params, attempts, response(1, 2 * ms), 200, ctx), { retry: null, answeredNs: 2 * ms });
  // Back in 7 ms: timed out at 3 ms; the retry starts at 3 + 2 = 5 ms, and this response (7 ms) may answer it.
  const judged = judgeResponse(params, attempts, response(2, 7 * ms), 200, ctx);
  assert.deepEqual(judged.retry, {
    count: 10,
    attempt: { retries: 1, startNs: 5 * ms, pendingNs: 7 * ms, remaining: 10, bytes: 200, kind: 0 },
  });
  assert.deepEqual([recorded.timeouts, recorded.retries, recorded.late_responses], [10, 10, undefined]);
  // The retry (flow 3) comes back 4 ms after it left (9 ms in all): the first attempt's response at 7 ms answered.
  attempts[3] = judged.retry!.attempt;
  assert.deepEqual(judgeResponse(params, attempts, response(3, 9 * ms), 200, ctx), { retry: null, answeredNs: 7 * ms });
  assert.equal(recorded.late_responses, 10, "the retry's own response is late");
  assert.equal(attempts[3], undefined, "the retry count is settled");
  // A retry that times out too, with no earlier response in time: abandoned (no retries left), both responses late.
  attempts[4] = { retries: 1, startNs: 5 * ms, pendingNs: -1, remaining: 10, bytes: 200, kind: 0 };
  assert.deepEqual(judgeResponse(params, attempts, response(4, 9 * ms), 200, ctx), { retry: null, answeredNs: -1 });
  assert.deepEqual([recorded.abandoned, recorded.timeouts, recorded.late_responses], [10, 20, 20]);
  assert.equal(recorded.response_time_ns, 10 * 2 * ms + 10 * 7 * ms);
});
