/**
 * Work lost to a failure and done again: a client retries a timed-out request after a backoff, the server charges
 * each request in service the energy its work adds and records what a failure wastes. Against hand-computed
 * timelines and integrals.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { tempDir } from "./support/scenarios.ts";
import { actorCommand, runScenario } from "./support/twin.ts";

const dir = tempDir();
after(() => dir.remove());

const linear = { model: "linear", idle_w: 100, max_w: 200 };

function close(actual: number, expected: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual}, expected ${expected}`,
  );
}

test("retry - a request lost to a failure is retried after its backoff; the wasted energy is counted", async () => {
  const actors = [
    {
      id: "s",
      kind: "server",
      cores: 1,
      service: { distribution: "deterministic", value: "2s" },
      power: linear,
      account_lost_work: true,
    },
    {
      id: "c",
      kind: "client",
      target: "s",
      arrivals: { process: "trace", rows: [{ at: "0s" }] },
      request_bytes: 100,
      response_bytes: 100,
      timeout: "3s",
      retry: { attempts: 2, backoff: "1s" },
    },
  ];
  // The request is in service from 1 ms; the server fails at 1 s (the request is lost) and is repaired at 1.5 s.
  const schedule = [actorCommand(0, 1e9, "fail"), actorCommand(0, 1.5e9, "repair")];
  const { summary, joules } = await runScenario(
    {
      name: "retry",
      run: { duration: "10s", metrics_interval: "1s" },
      actors,
      links: [{ a: "c", b: "s", latency: "1ms" }],
    },
    dir.path,
    { schedule },
  );
  const m = summary.metrics;
  // Timeout at 3 s, retry after the 1 s backoff at 4 s, in service over [4.001 s, 6.001 s), answered at 6.002 s:
  // the response time counts from the first attempt.
  assert.equal(m.timeouts?.client?.whole_run.sum, 1);
  assert.equal(m.retries?.client?.whole_run.sum, 1);
  assert.equal(m.abandoned, undefined);
  assert.equal(m.response_time_s?.client?.whole_run.max, 6.002);
  // Wasted: the lost request had the core for 0.999 s, adding 200 − 100 W: 99.9 J.
  close(m.wasted_energy_uj!.server!.whole_run.sum, 99.9e6, "wasted µJ");
  close(m.lost_core_s!.server!.whole_run.sum, 0.999, "lost core time");
  // CPU: 100 W while up (10 s less the 0.5 s failed) plus 100 W over both stretches of service, 0.999 s and 2 s.
  close(joules("s", "cpu"), 100 * 9.5 + 100 * 0.999 + 100 * 2, "CPU energy");
});

test("retry - backoff grows by the multiplier; after the last retry times out the request is abandoned", async () => {
  const run = async (duration: string) => {
    const actors = [
      { id: "s", kind: "server", initial_state: "failed", service: { distribution: "deterministic", value: "1ms" } },
      {
        id: "c",
        kind: "client",
        target: "s",
        arrivals: { process: "trace", rows: [{ at: "0s" }] },
        request_bytes: 100,
        response_bytes: 100,
        timeout: "1s",
        retry: { attempts: 3, backoff: "1s", multiplier: 2 },
      },
    ];
    return (
      await runScenario(
        {
          name: "backoff",
          run: { duration, metrics_interval: "500ms" },
          actors,
          links: [{ a: "c", b: "s", latency: "1ms" }],
        },
        dir.path,
      )
    ).summary;
  };
  // Sent at 0, timeouts at 1, 3, 6 and 11 s; retries at 2 (1 s backoff), 5 (2 s) and 10 s (4 s).
  const before = await run("9500ms");
  assert.equal(before.metrics.retries?.client?.whole_run.sum, 2);
  assert.equal(before.metrics.timeouts?.client?.whole_run.sum, 3);
  assert.equal(before.metrics.abandoned, undefined);
  const done = await run("12s");
  assert.equal(done.metrics.retries?.client?.whole_run.sum, 3);
  assert.equal(done.metrics.timeouts?.client?.whole_run.sum, 4);
  assert.equal(done.metrics.abandoned?.client?.whole_run.sum, 1);
  assert.equal(done.packets.dropped_by_reason.server_failed, 4);
});

test("retry - needs a timeout (field path)", async () => {
  const { validateScenario } = await import("../coordinator/scenario-loader.ts");
  const actors = [
    { id: "s", kind: "server", service: { distribution: "deterministic", value: "1ms" } },
    {
      id: "c",
      kind: "client",
      target: "s",
      arrivals: { process: "trace", rows: [{ at: "0s" }] },
      retry: { attempts: 1, backoff: "1s" },
    },
  ];
  assert.throws(
    () =>
      validateScenario(
        { name: "x", run: { duration: "1s" }, actors, links: [{ a: "c", b: "s", latency: "1ms" }] },
        "x",
      ),
    /actors\[1\]\.retry: retry needs a timeout/,
  );
});
