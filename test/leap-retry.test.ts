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
