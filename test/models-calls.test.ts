/**
 * Call graphs: a server's downstream calls run stage by stage. Calls of one stage fan out in parallel and the
 * request waits for the slowest; stages run one after the other. With deterministic service times and links of
 * pure latency the response time is exact.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { tempDir } from "./support/scenarios.ts";
import { runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const LATENCY_S = 100e-6;

function callGraph(calls: { target: string; stage?: number; count?: number }[]) {
  const deterministic = (ms: number) => ({ distribution: "deterministic", value: `${ms}ms` });
  return {
    name: "calls",
    run: { duration: "1s", metrics_interval: "500ms" },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "front",
        arrivals: { process: "trace", rows: Array.from({ length: 10 }, (_, i) => ({ at: `${50 * i + 1}ms` })) },
      },
      { id: "front", kind: "server", cores: 4, service: deterministic(1), calls },
      { id: "auth", kind: "server", cores: 4, service: deterministic(3) },
      { id: "db", kind: "server", cores: 4, service: deterministic(5) },
    ],
    // No bandwidth: pure latency, so every hop takes exactly LATENCY_S.
    links: [
      { a: "users", b: "front", latency: "100us" },
      { a: "front", b: "auth", latency: "100us" },
      { a: "front", b: "db", latency: "100us" },
    ],
  };
}

async function responseTimes(calls: Parameters<typeof callGraph>[0]) {
  const { summary } = await runScenario(callGraph(calls), dir.path);
  const rt = summary.metrics.response_time_s?.client;
  assert.equal(rt?.count, 10);
  return rt!;
}

function assertExactly(rt: { min: number | null; max: number | null }, expectedS: number) {
  assert.ok(
    Math.abs(rt.min! - expectedS) < 1e-9 && Math.abs(rt.max! - expectedS) < 1e-9,
    `response times ${rt.min}..${rt.max} s vs ${expectedS} s`,
  );
}

test("calls - one stage fans out in parallel: the request waits for the slowest call", async () => {
  assertExactly(
    await responseTimes([{ target: "auth" }, { target: "db" }]),
    2 * LATENCY_S + 0.001 + (2 * LATENCY_S + 0.005),
  );
});

test("calls - stages run one after the other: the request waits for each in turn", async () => {
  assertExactly(
    await responseTimes([
      { target: "auth", stage: 0 },
      { target: "db", stage: 1 },
    ]),
    2 * LATENCY_S + 0.001 + (2 * LATENCY_S + 0.003) + (2 * LATENCY_S + 0.005),
  );
  // Stages are ordered by number, not by position in the list; parallel copies within a stage (count) wait together.
  assertExactly(
    await responseTimes([
      { target: "db", stage: 7 },
      { target: "auth", stage: 2, count: 3 },
    ]),
    2 * LATENCY_S + 0.001 + (2 * LATENCY_S + 0.003) + (2 * LATENCY_S + 0.005),
  );
});
