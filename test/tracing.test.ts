/**
 * OpenTelemetry: with a sampling ratio, packet journeys arrive at an OTLP receiver as spans with an event per
 * step and simulated times as attributes; tracing never changes the simulated results; with tracing off, no
 * exporter is created (nothing is sent even with an endpoint configured).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "./support/cli.ts";
import { OtlpReceiver } from "./support/otlp-receiver.ts";
import { queueScenario, tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

function scenarioWithTracing(ratio: number) {
  const s = queueScenario({ rate: 200, meanServiceMs: 1, cores: 1, durationS: 2, warmupS: 0 });
  return { ...s, run: { ...s.run, trace_sample_ratio: ratio } };
}

test("tracing - sampled journeys arrive over OTLP with their hop events; results are unchanged", async () => {
  const receiver = await OtlpReceiver.start();
  try {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: "dctwin-test" };
    const tracedOut = join(dir.path, "traced");
    const traced = await runCli(
      [
        "run",
        writeScenario(dir.path, "traced", scenarioWithTracing(0.1)),
        "--transport",
        "nats",
        "--hosts",
        "2",
        "--out",
        tracedOut,
        "-q",
      ],
      { env },
    );
    assert.equal(traced.code, 0, traced.stderr);
    const journeys = receiver.spans.filter((s) => s.name.startsWith("journey"));
    const info = JSON.parse(readFileSync(join(tracedOut, "run-info.json"), "utf8"));
    assert.ok(journeys.length >= 20 && journeys.length <= 70, `~10% of ~400 flows, got ${journeys.length}`);
    assert.equal(info.tracing.journeys_exported, journeys.length);
    const finished = journeys.filter((j) => j.attributes["dctwin.finished"] === true);
    assert.ok(finished.length >= journeys.length - 3, "all but the flows in flight at the end complete");
    for (const j of finished) {
      // A request/response flow: the request is created, crosses the link, is consumed; so is the response.
      assert.deepEqual(
        j.events.map((e) => e.name),
        ["create", "hop", "consume", "create", "hop", "consume"],
      );
      const times = j.events.map((e) => e.attributes["dctwin.sim.time_ns"] as number);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        "steps in simulated-time order",
      );
      const hop = j.events[1]!;
      assert.equal(hop.attributes["dctwin.actor"], "clients");
      assert.equal(hop.attributes["dctwin.to_actor"], "server");
      assert.equal(hop.attributes["dctwin.link"], "clients--server");
      assert.ok(
        (hop.attributes["dctwin.sim.arrive_ns"] as number) - (hop.attributes["dctwin.sim.time_ns"] as number) >= 50_000,
        "arrival after the link latency",
      );
      assert.match(j.traceId, /^[0-9a-f]{32}$/);
    }
    assert.ok(
      receiver.spans.some((s) => s.name === "run") && receiver.spans.some((s) => s.name === "interval"),
      "the coordinator's own work is traced",
    );

    const plainOut = join(dir.path, "plain");
    const plain = await runCli(
      [
        "run",
        writeScenario(dir.path, "plain", scenarioWithTracing(0)),
        "--transport",
        "inproc",
        "--out",
        plainOut,
        "-q",
      ],
      { env },
    );
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(
      readFileSync(join(tracedOut, "summary.json"), "utf8"),
      readFileSync(join(plainOut, "summary.json"), "utf8"),
      "sampling does not touch the simulation",
    );
  } finally {
    await receiver.close();
  }
});

test("tracing - off by default: no exporter, nothing sent even with an endpoint configured", async () => {
  const receiver = await OtlpReceiver.start();
  try {
    const out = join(dir.path, "off");
    const result = await runCli(
      ["run", writeScenario(dir.path, "off", scenarioWithTracing(0)), "--transport", "inproc", "--out", out, "-q"],
      { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(readFileSync(join(out, "run-info.json"), "utf8")).tracing, null);
    assert.equal(receiver.requests, 0);
  } finally {
    await receiver.close();
  }
});
